/** Step Functions task Validate: the request against its policy and the cluster. */
import type { ValidateOutput } from '../lifecycle/task-io';

/** Lambda entry point; what it runs is loaded on the first invocation (see runTask). */
export async function handler(event: unknown): Promise<ValidateOutput> {
  const [{ runTask }, { ValidateInputSchema }, { validateRequest }] = await Promise.all([
    import('./task-handler'),
    import('../lifecycle/task-io'),
    import('../lifecycle/validate'),
  ]);
  return runTask('validate-request', ValidateInputSchema, event, validateRequest);
}
