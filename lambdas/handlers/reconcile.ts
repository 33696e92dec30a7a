/**
 * Scheduled reconciler (EventBridge, every RECONCILE_PERIOD_SECONDS): one bounded pass that makes
 * the world match the records.
 */
import type { ReconcileResult } from '../lifecycle/reconcile';

/** Lambda entry point; the scheduled event carries nothing the pass needs. Its work is loaded on first invocation. */
export const handler = async (): Promise<ReconcileResult> => {
  const [{ getRuntime }, { reconcile }] = await Promise.all([
    import('../runtime/runtime'),
    import('../lifecycle/reconcile'),
  ]);
  const rt = await getRuntime();
  return reconcile(rt, rt.logger.child({ task: 'reconcile' }));
};
