/** Step Functions task AwaitApproval (.waitForTaskToken): keeps the token, posts the approval message. */
/** Lambda entry point; what it runs is loaded on the first invocation (see runTask). */
export async function handler(event: unknown): Promise<{ waiting: boolean }> {
  const [{ runTask }, { AwaitInputSchema }, { awaitApproval }] = await Promise.all([
    import('./task-handler'),
    import('../lifecycle/task-io'),
    import('../lifecycle/await-approval'),
  ]);
  return runTask('await-approval', AwaitInputSchema, event, awaitApproval);
}
