/**
 * The clock every handler reads "now" from. In AWS it is the wall clock; the local stack and the
 * tests run a scaled clock (`timeScale` times faster than the wall clock) so that an approval
 * timeout or a two-hour window passes in about a second (JIT_TIME_SCALE). Whatever else runs on
 * that clock reads the same object, so the windows the product computes and enforces agree.
 */
import { DateTime } from 'luxon';

/** Anything with `now()` in epoch milliseconds. */
export interface Clock {
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock for which one real millisecond is `factor` milliseconds, starting at `startMs` (default: now). */
export function scaledClock(factor: number, startMs: number = Date.now()): Clock {
  if (!(factor > 0) || !Number.isFinite(factor))
    throw new RangeError(`time scale must be a positive number, not ${factor}`);
  const realStart = Date.now();
  return { now: () => startMs + Math.round((Date.now() - realStart) * factor) };
}

/** The clock's "now" as a luxon DateTime in UTC. */
export function nowOf(clock: Clock): DateTime {
  return DateTime.fromMillis(clock.now(), { zone: 'utc' });
}
