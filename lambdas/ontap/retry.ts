/** Exponential backoff with full jitter, for transient ONTAP failures only. */
import { OntapTransientError } from './errors';

/** How often and how patiently to retry. `attempts` counts the first try. */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Four tries spread over a few seconds: enough for a node takeover blip, short of a Lambda timeout. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 8000 };

/**
 * Delay before the next try after `failures` failed tries: uniformly random in
 * [0, min(max, base * 2^(failures-1))) ("full jitter", so many clients retrying
 * at once spread out), but at least what Retry-After asked for, within `maxDelayMs`.
 */
export function backoffDelayMs(
  policy: RetryPolicy,
  failures: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failures - 1));
  const jittered = Math.floor(random() * ceiling);
  return retryAfterMs === undefined ? jittered : Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs));
}

/** What `withRetry` reports before each wait. */
export interface RetryNotice {
  failures: number;
  delayMs: number;
  error: OntapTransientError;
}

/** Runs `op`, retrying it while it throws OntapTransientError and tries remain; anything else is thrown at once. */
export async function withRetry<T>(
  op: () => Promise<T>,
  policy: RetryPolicy,
  sleep: (ms: number) => Promise<void>,
  random: () => number,
  onRetry?: (notice: RetryNotice) => void,
): Promise<T> {
  for (let failures = 0; ; ) {
    try {
      return await op();
    } catch (err) {
      failures += 1;
      if (!(err instanceof OntapTransientError) || failures >= policy.attempts) throw err;
      const delayMs = backoffDelayMs(policy, failures, random, err.retryAfterMs);
      onRetry?.({ failures, delayMs, error: err });
      await sleep(delayMs);
    }
  }
}
