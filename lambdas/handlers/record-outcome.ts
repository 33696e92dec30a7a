/** Step Functions tasks Record*: a failed validation, approval post, grant or revoke, recorded and told. */
import { recordOutcome } from '../workflow/outcome';
import { type RecordOutcomeOutput, RecordOutcomeInputSchema } from '../workflow/task-io';
import { runTask } from '../workflow/task';

/** Lambda entry point. */
export const handler = (event: unknown): Promise<RecordOutcomeOutput> => runTask('record-outcome', RecordOutcomeInputSchema, event, recordOutcome);
