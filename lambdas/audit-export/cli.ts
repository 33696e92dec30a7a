/**
 * `npm run audit`: the operators' export and the archive's verification.
 *
 *   npm run audit -- [--since 30d] [--until T] [--format csv|json] [--from-archive] [--out FILE]
 *                    [--cluster C] [--svm S] [--person P] [--status S]
 *   npm run audit -- --verify [--since 30d] [--until T]
 *
 * It reads what the functions read: `JIT_TABLE_NAME` (default `ontap-jit-requests`, the local stack's),
 * `DYNAMODB_ENDPOINT` (a local DynamoDB API), `AUDIT_ARCHIVE_BUCKET` and `S3_ENDPOINT` (a local S3 API),
 * `AWS_REGION` and the usual AWS credentials. Exit codes: 0 done (verify: nothing found), 1 verify found a
 * difference, 2 bad flags or environment, 3 the export or verification failed.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ArchiveSource } from './archive-source';
import { BadFilterError } from './errors';
import { exportRows, FORMATS, type Format, render } from './export';
import { buildFilter } from './filter';
import { TableSource, type TrailSource } from './table-source';
import { describeFinding, verifyArchive } from './verify';

/** Exit codes of `npm run audit`. */
export const EXIT = { ok: 0, findings: 1, usage: 2, failed: 3 } as const;

/** What the command reads and writes besides its flags. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: () => string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** The sources, when a test supplies them; else built from `env`. */
  readonly sources?: { readonly table: TrailSource; readonly archive?: TrailSource };
}

/** The usage text, printed with a bad flag and on `--help`. */
export const USAGE = [
  'usage: npm run audit -- [--since 30d] [--until 2026-12-01] [--format csv|json] [--from-archive] [--out FILE]',
  '                        [--cluster NAME] [--svm NAME] [--person SLACK_ID|ONTAP_ACCOUNT] [--status STATUS]',
  '       npm run audit -- --verify [--since 30d] [--until 2026-12-01]',
].join('\n');

const OPTIONS = {
  since: { type: 'string' },
  until: { type: 'string' },
  format: { type: 'string', default: 'csv' },
  'from-archive': { type: 'boolean', default: false },
  verify: { type: 'boolean', default: false },
  out: { type: 'string' },
  cluster: { type: 'string' },
  svm: { type: 'string' },
  person: { type: 'string' },
  status: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

/** Runs the command; resolves to its exit code. */
export async function runAudit(argv: readonly string[], io: CliIo): Promise<number> {
  let values: ReturnType<typeof parse>;
  let filter: ReturnType<typeof buildFilter>;
  try {
    values = parse(argv);
    if (values.help) {
      io.out(`${USAGE}\n`);
      return EXIT.ok;
    }
    filter = buildFilter(values, io.now());
    if (!FORMATS.includes(values.format as Format)) throw new BadFilterError(`--format is csv or json.`);
    if (values.verify && (values['from-archive'] || values.person || values.cluster || values.svm || values.status)) {
      throw new BadFilterError('--verify compares every event of the range: it takes --since and --until only.');
    }
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return EXIT.usage;
  }
  const needsArchive = values.verify || values['from-archive'];
  const sources = io.sources ?? sourcesFrom(io, needsArchive);
  if (typeof sources === 'string') {
    io.err(`${sources}\n`);
    return EXIT.usage;
  }
  try {
    if (values.verify) {
      if (!sources.archive) throw new BadFilterError('--verify needs the archive (AUDIT_ARCHIVE_BUCKET).');
      const report = await verifyArchive(sources.table, sources.archive, filter);
      for (const finding of report.findings) io.out(`${describeFinding(finding)}\n`);
      const { tableEvents, archiveEvents, findings } = report;
      io.err(
        `${filter.since} to ${filter.until}: ${tableEvents} events in the table, ${archiveEvents} in the archive, ` +
          `${findings.length} finding(s)\n`,
      );
      return findings.length === 0 ? EXIT.ok : EXIT.findings;
    }
    const source = values['from-archive'] ? sources.archive : sources.table;
    if (!source) throw new BadFilterError('--from-archive needs the archive (AUDIT_ARCHIVE_BUCKET).');
    const rows = await exportRows(source, filter);
    const text = render(rows, values.format as Format);
    if (values.out) writeFileSync(values.out, text);
    else io.out(text);
    const incomplete = rows.filter((r) => r.missing.length > 0).length;
    const note = incomplete > 0 ? `; ${incomplete} recorded before the trail named what was asked for` : '';
    io.err(`${rows.length} request(s) from ${filter.since} to ${filter.until}${note}\n`);
    return EXIT.ok;
  } catch (error) {
    io.err(`audit: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    return error instanceof BadFilterError ? EXIT.usage : EXIT.failed;
  }
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // parseArgs names the unknown flag or the missing value; said again as the export's error.
    throw new BadFilterError(error instanceof Error ? error.message : String(error));
  }
}

function sourcesFrom(io: CliIo, needsArchive: boolean): { table: TrailSource; archive?: TrailSource } | string {
  const { env } = io;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (env.DYNAMODB_ENDPOINT ? 'local' : undefined);
  if (!region) return 'Set AWS_REGION (or DYNAMODB_ENDPOINT for a local table).';
  // A local endpoint takes any credentials (s3rver its own default pair) unless the environment names some.
  const given = env.AWS_ACCESS_KEY_ID !== undefined;
  const local = (id: string) => (given ? {} : { credentials: { accessKeyId: id, secretAccessKey: id } });
  const client = new DynamoDBClient({
    region,
    ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT, ...local('local') } : {}),
  });
  const table = new TableSource({
    doc: DynamoDBDocumentClient.from(client),
    tableName: env.JIT_TABLE_NAME?.trim() || 'ontap-jit-requests',
  });
  const bucket = env.AUDIT_ARCHIVE_BUCKET?.trim();
  if (!bucket) return needsArchive ? 'Set AUDIT_ARCHIVE_BUCKET to the archive bucket.' : { table };
  const s3 = new S3Client({
    region,
    ...(env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT, forcePathStyle: true, ...local('S3RVER') } : {}),
  });
  return { table, archive: new ArchiveSource({ s3, bucket, now: io.now }) };
}
