/** Clocks the simulator reads `jit_state`, `start_time` defaults and job times from. */

/** Anything with `now()` in epoch milliseconds; `Date` itself qualifies. */
export interface SimClock {
  now(): number;
}

/** The wall clock. */
export const systemClock: SimClock = { now: () => Date.now() };

/** A clock that only moves when told to, so tests can cross JIT window edges without sleeping. */
export class FakeClock implements SimClock {
  private current: number;

  /** Starts at `start` (epoch ms, Date or ISO string). */
  constructor(start: number | Date | string) {
    this.current = toMillis(start);
  }

  /** The current fake time in epoch ms. */
  now(): number {
    return this.current;
  }

  /** Moves time forward (or backward with a negative value) by `ms`. */
  advance(ms: number): void {
    this.current += ms;
  }

  /** Jumps to an absolute time. */
  set(at: number | Date | string): void {
    this.current = toMillis(at);
  }
}

/**
 * A clock that runs `factor` times faster than the wall clock from `startMs`,
 * so a local demo can watch an hour-long JIT window pass in a minute.
 */
export function scaledClock(factor: number, startMs: number = Date.now()): SimClock {
  const realStart = Date.now();
  return { now: () => startMs + Math.round((Date.now() - realStart) * factor) };
}

function toMillis(at: number | Date | string): number {
  const ms = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`not a time: ${String(at)}`);
  return ms;
}
