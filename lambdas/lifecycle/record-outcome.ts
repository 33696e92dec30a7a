/**
 * RecordOutcome: the end of the failure paths. Records the lifecycle event with a reason people can
 * read, cleans up after a failed grant, tells the people concerned, and for a failed revoke
 * publishes the metric the RevokeFailed alarm watches (ONTAP's jit_validity still closes the window).
 * A clean-up the cluster could not confirm is recorded as pending (the request keeps its lock and
 * says so); the reconciler retries it, and only its success tells anyone nothing was left behind.
 */
import { toUtcSecond } from '../domain/durations';
import { ERROR_NAMES } from '../domain/error-names';
import type { LifecycleEvent } from '../domain/transitions';
import { nowOf } from '../runtime/clock';
import type { Logger } from '../runtime/logger';
import { countMetric, describeError } from '../runtime/logger';
import { REVOKE_FAILED_METRIC } from '../runtime/metrics';
import { cleanUpGrant } from './grant';
import { announce } from './notify';
import type { Ports } from './ports';
import { errorMessageOf, type Outcome, type RecordOutcomeOutput, type TaskError } from './task-io';

/** Names of errors whose message is already written for the requester. */
const USER_FACING = new Set<string>([ERROR_NAMES.requestInvalid, ERROR_NAMES.grantConflict]);
const MAX_REASON = 500;

/** The reason recorded and shown for a failure. */
export function reasonFor(outcome: Outcome, error: TaskError): string {
  const message = errorMessageOf(error);
  if (USER_FACING.has(error.Error)) return message.slice(0, MAX_REASON);
  const what: Record<Outcome, string> = {
    VALIDATION_FAILED: 'The request could not be checked against the cluster',
    APPROVAL_NOT_POSTED: 'The approval message could not be posted',
    GRANT_FAILED: 'The cluster did not accept the grant',
    REVOKE_FAILED: 'The cluster did not remove the grant',
  };
  const detail = error.Error === 'States.Timeout' ? 'the step timed out' : message;
  return `${what[outcome]}: ${detail}`.slice(0, MAX_REASON);
}

/** Records a failure outcome of request `requestId`. */
export async function recordOutcome(
  ports: Pick<Ports, 'store' | 'clock' | 'ontap' | 'notifier' | 'metrics'>,
  input: { requestId: string; outcome: Outcome; error: TaskError },
  log: Logger,
): Promise<RecordOutcomeOutput> {
  const reason = reasonFor(input.outcome, input.error);
  const at = toUtcSecond(nowOf(ports.clock));
  let cleanupPending = false;
  if (input.outcome === 'GRANT_FAILED') {
    try {
      await cleanUpGrant(ports, await ports.store.get(input.requestId), log);
    } catch (error) {
      log.warn('the failed grant could not be cleaned up yet; the reconciler retries', describeError(error));
      cleanupPending = true;
    }
  }
  const event: LifecycleEvent =
    input.outcome === 'GRANT_FAILED'
      ? { type: 'GRANT_FAILED', at, reason, cleanupPending }
      : input.outcome === 'REVOKE_FAILED'
        ? { type: 'REVOKE_FAILED', at, reason }
        : { type: 'VALIDATION_FAILED', at, reason };
  const result = await ports.store.apply(input.requestId, event);
  if (result.ok) {
    log.warn('failure recorded', { outcome: input.outcome, reason, cause: input.error.Error });
    await announce(ports, result.request, { approval: true, requester: true, thread: {} }, log);
  } else {
    // Already recorded by an earlier try of this step, or the request moved on meanwhile.
    log.info('failure not recorded again', { status: result.request.status, refusal: result.error.message });
  }
  if (input.outcome === 'REVOKE_FAILED') countMetric(ports.metrics, REVOKE_FAILED_METRIC, 1);
  return { status: result.request.status, reason };
}
