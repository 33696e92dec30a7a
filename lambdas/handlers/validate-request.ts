/** Step Functions task Validate: the request against its policy and the cluster. */
import type { ValidateOutput } from '../workflow/task-io';
import { ValidateInputSchema } from '../workflow/task-io';
import { runTask } from '../workflow/task';
import { validateRequest } from '../workflow/validate';

/** Lambda entry point. */
export const handler = (event: unknown): Promise<ValidateOutput> => runTask('validate-request', ValidateInputSchema, event, validateRequest);
