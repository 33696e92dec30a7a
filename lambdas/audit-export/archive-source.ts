/**
 * The export's view of the audit archive (lambdas/archive/layout.ts): one ListObjectsV2 walk per UTC day
 * of the range, and a GetObject per event of a selected request. A request's later events can land on
 * later days, so its trail is read through today; requests are selected by their first event's time.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { archiveKeyOf, dayPrefix, parseArchiveBody, parseArchiveKey } from '../archive/layout';
import type { AuditEvent } from '../store/items';
import { ArchiveObjectError, ExportTooLargeError } from './errors';
import type { RequestTrail } from './rows';
import type { TimeRange, TrailSource } from './table-source';

/** Options of the archive source. */
export interface ArchiveSourceOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** Now, ISO: the last day a trail is read through. */
  readonly now: () => string;
  /** Days one export may list. @default 800 */
  readonly maxDays?: number;
  /** GetObject calls in flight at once. @default 16 */
  readonly concurrency?: number;
}

interface ArchivedKey {
  readonly key: string;
  readonly requestId: string;
  readonly seq: number;
}

/** The trails and events of the audit archive. */
export class ArchiveSource implements TrailSource {
  constructor(private readonly options: ArchiveSourceOptions) {}

  /** The trails of requests whose REQUESTED event is in the range, read through today. */
  async trails(range: TimeRange): Promise<RequestTrail[]> {
    const today = this.options.now().slice(0, 10);
    const keys = await this.keysOn(daysOf(range.since.slice(0, 10), maxDay(lastDayOf(range), today)));
    const firsts = keys.filter((k) => k.seq === 0);
    const requested = (await this.read(firsts)).filter((e) => e.at >= range.since && e.at < range.until);
    const ids = new Set(requested.map((e) => e.requestId));
    const events = await this.read(keys.filter((k) => ids.has(k.requestId) && k.seq !== 0));
    const byRequest = new Map<string, AuditEvent[]>(requested.map((e) => [e.requestId, [e]]));
    for (const event of events) byRequest.get(event.requestId)?.push(event);
    return [...byRequest].map(([requestId, trail]) => ({ requestId, events: trail.sort((a, b) => a.seq - b.seq) }));
  }

  /** Every archived event that happened in the range. */
  async events(range: TimeRange): Promise<AuditEvent[]> {
    const keys = await this.keysOn(daysOf(range.since.slice(0, 10), lastDayOf(range)));
    return (await this.read(keys)).filter((e) => e.at >= range.since && e.at < range.until);
  }

  private async keysOn(days: readonly string[]): Promise<ArchivedKey[]> {
    const { s3, bucket, maxDays = 800 } = this.options;
    if (days.length > maxDays) throw new ExportTooLargeError('days of the archive', maxDays);
    const keys: ArchivedKey[] = [];
    for (const day of days) {
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: dayPrefix(day), ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) {
          const parsed = object.Key ? parseArchiveKey(object.Key) : undefined;
          if (object.Key && parsed) keys.push({ key: object.Key, requestId: parsed.requestId, seq: parsed.seq });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    }
    return keys;
  }

  private async read(keys: readonly ArchivedKey[]): Promise<AuditEvent[]> {
    const { concurrency = 16 } = this.options;
    const events: AuditEvent[] = [];
    for (let i = 0; i < keys.length; i += concurrency) {
      events.push(...(await Promise.all(keys.slice(i, i + concurrency).map((k) => this.get(k)))));
    }
    return events;
  }

  private async get({ key, requestId, seq }: ArchivedKey): Promise<AuditEvent> {
    const { s3, bucket } = this.options;
    let event: AuditEvent;
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      event = parseArchiveBody((await out.Body?.transformToString('utf-8')) ?? '');
    } catch (error) {
      if (error instanceof Error && error.name === 'NoSuchKey') throw error;
      throw new ArchiveObjectError(key, { cause: error });
    }
    // An object whose body names another event (or another day) was not written by the archive's writer.
    if (event.requestId !== requestId || event.seq !== seq || archiveKeyOf(event) !== key) {
      throw new ArchiveObjectError(key);
    }
    return event;
  }
}

/** Every UTC day from `first` to `last`, both included (YYYY-MM-DD). */
export function daysOf(first: string, last: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** The day of the last instant before `until`. */
function lastDayOf(range: TimeRange): string {
  return new Date(Date.parse(range.until) - 1).toISOString().slice(0, 10);
}

function maxDay(a: string, b: string): string {
  return a > b ? a : b;
}
