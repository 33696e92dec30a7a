/**
 * An audit export asked for with `/jit audit`, run after Slack has had its answer: the rows of the
 * policies the person approves for, as a CSV file uploaded to their DM with Slack's upload flow
 * (files.getUploadURLExternal, the bytes POSTed to the URL it returns, files.completeUploadExternal)
 * and a short summary as the file's comment. A job delivered twice runs once (its claim moves once);
 * one that fails tells the person, and nothing half-shared stays behind (a file never completed is
 * never shared).
 */
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { STATUSES } from '../domain/request';
import type { Logger } from '../runtime/logger';
import { slackFetch } from '../slack/http-fetch';
import type { ExportClaims } from '../store/export-claims';
import { UploadFailedError } from './errors';
import { exportRows } from './export';
import { toCsv } from './format';
import type { ExportRow } from './rows';
import type { TrailSource } from './table-source';

/** What the Slack endpoint hands the export job: who asked, for what, and which policies they approve for. */
export const AuditJobSchema = z.object({
  key: z.string().min(1).max(300),
  user: z.string().regex(/^[UW][A-Z0-9]{2,20}$/),
  at: z.string(),
  filter: z.object({
    since: z.string(),
    until: z.string(),
    cluster: z.string().optional(),
    svm: z.string().optional(),
    person: z.string().optional(),
    status: z.enum(STATUSES).optional(),
  }),
  policies: z.array(z.string().min(1)).min(1),
});
/** One export job. */
export type AuditJob = z.infer<typeof AuditJobSchema>;

/** Starts an export job after the Slack answer: an asynchronous invoke in AWS, in-process locally. */
export interface ExportStarter {
  start(job: AuditJob): Promise<void>;
}

/** What the job runs with. */
export interface SlackExportDeps {
  readonly source: TrailSource;
  readonly web: WebClient;
  readonly claims: ExportClaims;
  readonly logger: Logger;
  /** Posts the file's bytes to Slack's upload URL. @default slackFetch, the Slack clients' own transport */
  readonly fetch?: typeof fetch;
}

/** How one run of the job ended. */
export type ExportOutcome = 'delivered' | 'duplicate' | 'failed';

/** Runs one export job; never throws (a failure is told to the person and recorded on the claim). */
export async function runSlackExport(deps: SlackExportDeps, input: unknown): Promise<ExportOutcome> {
  const job = AuditJobSchema.parse(input);
  const { web, claims, logger } = deps;
  if (!(await claims.move(job.key, 'claimed', 'started'))) {
    logger.info('audit export already run for this command', { key: job.key });
    return 'duplicate';
  }
  let channel: string | undefined;
  try {
    channel = (await web.conversations.open({ users: job.user })).channel?.id;
    if (!channel) throw new UploadFailedError('conversations.open returned no channel');
    const all = await exportRows(deps.source, job.filter);
    const rows = all.filter((row) => job.policies.includes(row.policy));
    const bytes = Buffer.from(toCsv(rows), 'utf8');
    const filename = `jit-audit-${job.filter.since.slice(0, 10)}-to-${job.filter.until.slice(0, 10)}.csv`;
    const upload = await web.files.getUploadURLExternal({ filename, length: bytes.length });
    if (!upload.upload_url || !upload.file_id) throw new UploadFailedError('no upload URL');
    const posted = await (deps.fetch ?? slackFetch)(upload.upload_url, { method: 'POST', body: bytes });
    if (!posted.ok) throw new UploadFailedError(`the upload URL answered ${posted.status}`);
    await web.files.completeUploadExternal({
      files: [{ id: upload.file_id, title: filename }],
      channel_id: channel,
      initial_comment: summaryOf(rows, job),
    });
    await claims.move(job.key, 'started', 'delivered');
    return 'delivered';
  } catch (error) {
    logger.error('audit export not delivered', { key: job.key, error: String(error) });
    await claims.move(job.key, 'started', 'failed').catch(() => false);
    try {
      await web.chat.postMessage({
        channel: channel ?? job.user,
        text: ':warning: Your audit export could not be delivered, and no file was shared. Run `/jit audit` again.',
      });
    } catch (told) {
      logger.error('audit export failure not told', { key: job.key, error: String(told) });
    }
    return 'failed';
  }
}

/** The comment the file is shared with: the range, the filters, and counts by status. */
export function summaryOf(rows: readonly ExportRow[], job: AuditJob): string {
  const { since, until, ...narrowed } = job.filter;
  const filters = Object.entries(narrowed)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.status, (counts.get(row.status) ?? 0) + 1);
  const byStatus = [...counts].map(([status, n]) => `${n} ${status.toLowerCase()}`).join(', ');
  const breakGlass = rows.filter((r) => r.breakGlass).length;
  return [
    `Audit export: ${rows.length} request(s) made from ${since} to ${until}${filters ? ` (${filters})` : ''}, ` +
      `policies ${job.policies.join(', ')}.`,
    rows.length > 0 ? `${byStatus}${breakGlass > 0 ? `; ${breakGlass} break-glass` : ''}.` : 'Nothing matched.',
  ].join('\n');
}
