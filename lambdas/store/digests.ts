/**
 * The whole list of a grant's activity digest, kept beside its request: its summary is an audit event
 * (archived like every other), and the commands it lists, however many, go into items of their own
 * under the request's partition, each well within DynamoDB's 400 KB item limit:
 *
 *   digest part pk REQ#<id>      sk DIGEST#<end of the window digested>#<part, 3 digits>   write-once
 *
 * The list is written before the summary's audit event, so a digest recorded always has its list.
 */
import { z } from 'zod';
import type { StoredCommand } from '../domain/digest';
import { conditionalWrite, expiryOf, queryAll, type StoreContext } from './context';
import { requestPk } from './table';

/** Bytes of command lines per item: a quarter of DynamoDB's item limit leaves room for keys and attributes. */
export const DIGEST_PART_BYTES = 100_000;

/** The sort key of one part of a digest's list. */
export const digestSk = (end: string, part: number): string => `${digestPrefix(end)}${String(part).padStart(3, '0')}`;

const digestPrefix = (end: string): string => `DIGEST#${end}#`;

const StoredCommandSchema = z.object({
  at: z.string(),
  input: z.string(),
  state: z.string(),
  sessionId: z.string().nullable(),
  message: z.string().nullable(),
  destructive: z.string().optional(),
});

const DigestPartSchema = z.object({
  requestId: z.string(),
  end: z.string(),
  part: z.number().int().nonnegative(),
  parts: z.number().int().positive(),
  lines: z.array(StoredCommandSchema),
});

/** Splits lines into parts of at most DIGEST_PART_BYTES of JSON each (a part holds at least one line). */
export function splitParts(lines: readonly StoredCommand[], maxBytes = DIGEST_PART_BYTES): StoredCommand[][] {
  const parts: StoredCommand[][] = [[]];
  let size = 0;
  for (const line of lines) {
    const bytes = Buffer.byteLength(JSON.stringify(line)) + 1;
    const current = parts.at(-1) as StoredCommand[];
    if (current.length > 0 && size + bytes > maxBytes) {
      parts.push([line]);
      size = bytes;
    } else {
      current.push(line);
      size += bytes;
    }
  }
  return parts;
}

/**
 * Writes a digest's whole list (every command, oldest first) under the end of the window it covers.
 * Write-once: a part already there (an earlier try) is left as it is.
 */
export async function putDigestLines(
  ctx: StoreContext,
  requestId: string,
  end: string,
  at: string,
  lines: readonly StoredCommand[],
): Promise<number> {
  // Nothing logged: the summary says so, and no item is written.
  if (lines.length === 0) return 0;
  const parts = splitParts(lines);
  for (const [part, chunk] of parts.entries()) {
    await conditionalWrite(ctx, {
      put: {
        pk: requestPk(requestId),
        sk: digestSk(end, part),
        requestId,
        end,
        part,
        parts: parts.length,
        lines: chunk,
        expiresAt: expiryOf(ctx, at),
      },
      condition: 'attribute_not_exists(pk)',
    });
  }
  return parts.length;
}

/** A digest's whole list as stored, oldest first; empty when none was stored for the window ending at `end`. */
export async function readDigestLines(ctx: StoreContext, requestId: string, end: string): Promise<StoredCommand[]> {
  const items = await queryAll(ctx, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': requestPk(requestId), ':prefix': digestPrefix(end) },
    ConsistentRead: true,
  });
  const parts = items.map((i) => DigestPartSchema.parse(i)).sort((a, b) => a.part - b.part);
  return parts.flatMap((p) => p.lines.map(({ destructive, ...c }) => (destructive ? { ...c, destructive } : c)));
}
