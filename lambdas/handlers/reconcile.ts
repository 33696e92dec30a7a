/**
 * Scheduled reconciler (EventBridge, every RECONCILE_PERIOD_SECONDS): one bounded pass that makes
 * the world match the records.
 */
// First: zod's settings hold only for the schemas built after them.
import '../runtime/zod-defaults';
import type { Context } from 'aws-lambda';
import { type ReconcileResult, reconcile } from '../lifecycle/reconcile';
import { getRuntime, type Runtime } from '../runtime/runtime';

/** The reconciler over the ports `ports()` gives; the scheduled event carries nothing the pass needs. */
export const make =
  (ports: () => Promise<Runtime>) =>
  async (_event?: unknown, context?: Context): Promise<ReconcileResult> => {
    const rt = await ports();
    if (context) rt.logger.addContext(context);
    // The pass publishes its metrics itself, zeros included.
    return reconcile(rt, rt.logger.createChild({ persistentKeys: { task: 'reconcile' } }));
  };

/** Lambda entry point. */
export const handler = make(getRuntime);
