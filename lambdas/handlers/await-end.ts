/** Step Functions task AwaitEnd (.waitForTaskToken): keeps the token that "Revoke now" completes. */
/** Lambda entry point; what it runs is loaded on the first invocation (see runTask). */
export async function handler(event: unknown): Promise<{ waiting: boolean }> {
  const [{ runTask }, { AwaitInputSchema }, { awaitEnd }] = await Promise.all([
    import('./task-handler'),
    import('../lifecycle/task-io'),
    import('../lifecycle/await-end'),
  ]);
  return runTask('await-end', AwaitInputSchema, event, awaitEnd);
}
