/** Step Functions tasks Record*: a failed validation, approval post, grant or revoke, recorded and told. */
import type { RecordOutcomeOutput } from '../lifecycle/task-io';

/** Lambda entry point; what it runs is loaded on the first invocation (see runTask). */
export async function handler(event: unknown): Promise<RecordOutcomeOutput> {
  const [{ runTask }, { RecordOutcomeInputSchema }, { recordOutcome }] = await Promise.all([
    import('./task-handler'),
    import('../lifecycle/task-io'),
    import('../lifecycle/record-outcome'),
  ]);
  return runTask('record-outcome', RecordOutcomeInputSchema, event, recordOutcome);
}
