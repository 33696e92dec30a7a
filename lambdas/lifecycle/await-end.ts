/**
 * The end of a grant. AwaitEnd keeps the end token with the request; the window's end (the task's
 * timeout) or "Revoke now" (the Slack side records REVOKE_REQUESTED, then completes the token)
 * ends the wait, and Revoke (revoke.ts) follows.
 */
import type { Logger } from '../runtime/logger';
import type { Ports } from './ports';

/** AwaitEnd: keeps the token; ends the wait at once if a revoke was asked for before the token was kept. */
export async function awaitEnd(
  ports: Pick<Ports, 'store' | 'workflow'>,
  input: { requestId: string; taskToken: string },
  log: Logger,
): Promise<{ waiting: boolean }> {
  const kept = await ports.store.setToken(input.requestId, 'end', input.taskToken, ['ACTIVE']);
  const request = await ports.store.get(input.requestId);
  if (!kept || (request.status === 'ACTIVE' && request.revokeRequestedBy !== undefined)) {
    log.info('revoke asked for before the end wait began; ending it now', { status: request.status });
    await ports.workflow.endNow(input.taskToken);
    return { waiting: false };
  }
  return { waiting: true };
}
