/**
 * How the Slack endpoint starts an export in AWS: an asynchronous invoke of the export function (Lambda
 * queues the event and answers 202 at once, so the command's answer waits for the queueing only, tens of
 * milliseconds, never for the export). Lambda delivers a queued event at least once: the job's claim makes
 * a second delivery do nothing.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { UploadFailedError } from './errors';
import type { AuditJob, ExportStarter } from './slack-export';

/** Starts exports by queueing them for the export function. */
export class LambdaExportStarter implements ExportStarter {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  /** Queues the job; throws when Lambda did not accept it. */
  async start(job: AuditJob): Promise<void> {
    const out = await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify(job), 'utf8'),
      }),
    );
    if (out.StatusCode !== 202) throw new UploadFailedError(`the export was not queued (${String(out.StatusCode)})`);
  }
}
