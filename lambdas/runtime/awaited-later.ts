/**
 * A call started before the code that needs its answer (beside a read, ahead of a check, against a
 * deadline). Its failure is marked handled at once, or node would report an unhandled rejection while
 * nobody awaits it yet; whoever awaits it later still gets the failure, and one left unused fails quietly.
 */
export function awaitedLater<T>(started: Promise<T>): Promise<T> {
  started.catch(() => undefined);
  return started;
}
