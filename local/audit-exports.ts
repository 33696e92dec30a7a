/**
 * `/jit audit` on the local stack: the export runs in-process once the command is answered (in AWS the
 * Slack endpoint invokes the export function asynchronously), over the same table and Slack API.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { WebClient } from '@slack/web-api';
import { type AuditJob, type ExportOutcome, runSlackExport } from '../lambdas/audit-export/slack-export';
import { TableSource } from '../lambdas/audit-export/table-source';
import type { Logger } from '../lambdas/runtime/logger';
import type { AuditExports } from '../lambdas/slack/services';
import { storeContext } from '../lambdas/store/context';
import { ExportClaims } from '../lambdas/store/export-claims';

/** Exports run in this process, and a way to wait for those under way. */
export interface LocalAuditExports extends AuditExports {
  /** Resolves once every export started so far has ended, with how each ended. */
  settled(): Promise<ExportOutcome[]>;
  /** Runs a job again, as a second delivery of the same asynchronous invoke would. */
  redeliver(job: AuditJob): Promise<ExportOutcome>;
}

/** Exports over `tableName`, delivered through `web`, started after the answer and run in-process. */
export function localAuditExports(options: {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly web: WebClient;
  readonly logger: Logger;
}): LocalAuditExports {
  const { client, tableName, web, logger } = options;
  const claims = new ExportClaims(storeContext({ client, tableName, retentionSeconds: 86_400, logger }));
  const source = new TableSource({ doc: DynamoDBDocumentClient.from(client), tableName });
  const running: Promise<ExportOutcome>[] = [];
  const run = (job: AuditJob) => runSlackExport({ source, web, claims, logger }, job);
  return {
    claims,
    starter: {
      async start(job) {
        // Never awaited by the listener: the command's answer does not wait for the export.
        running.push(new Promise<void>((resolve) => setImmediate(resolve)).then(() => run(job)));
      },
    },
    settled: () => Promise.all(running),
    redeliver: run,
  };
}
