/**
 * Latency profiles for the local stack: how long each dependency takes to answer a call, put at the
 * seams the stack already has (the Slack stand-in, a proxy in front of DynamoDB, the Step Functions
 * API, the ONTAP simulator, the Secrets Manager stand-in). Over loopback every call answers in about
 * a millisecond; the `aws` profile makes each cost what it costs from a Lambda in AWS, so what a
 * person waits for (Slack's 3 seconds above all) can be measured. Every call a seam receives is
 * counted and, for the timeline, logged with the moment it arrived.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { UnknownLatencyProfileError } from './errors';

/** The dependencies that have a seam. */
export const SEAMS = ['slack', 'stepFunctions', 'dynamodb', 'secretsManager', 'ontap'] as const;
/** One of them. */
export type Seam = (typeof SEAMS)[number];

/** Milliseconds each seam waits before it serves a call. */
export interface LatencyProfile {
  readonly name: string;
  readonly ms: Readonly<Record<Seam, number>>;
}

/** The named profiles: `none` (loopback as it is) and `aws` (a Lambda's view of the services it calls). */
export const LATENCY_PROFILES: Readonly<Record<string, LatencyProfile>> = {
  none: { name: 'none', ms: { slack: 0, stepFunctions: 0, dynamodb: 0, secretsManager: 0, ontap: 0 } },
  aws: { name: 'aws', ms: { slack: 250, stepFunctions: 40, dynamodb: 8, secretsManager: 40, ontap: 50 } },
};

/** The profile called `name`; an unknown name is refused with the names there are. */
export function latencyProfile(name: string): LatencyProfile {
  const profile = Object.hasOwn(LATENCY_PROFILES, name) ? LATENCY_PROFILES[name] : undefined;
  if (!profile) throw new UnknownLatencyProfileError(name, Object.keys(LATENCY_PROFILES));
  return profile;
}

/** Runs when a seam receives a call, before the call is served: the call waits for it. */
export type SeamHook = (operation: string) => Promise<void> | void;

/** One call a seam received. */
export interface SeamCall {
  readonly seam: Seam;
  /** `chat.postMessage`, `PutItem`, `StartExecution`, `GetSecretValue`, `POST /api/security/jit-privilege-users`… */
  readonly operation: string;
  /** `performance.now()` when it arrived. */
  readonly at: number;
}

/** The longest timeline kept: a stack left running for days counts every call but logs only the latest. */
const MAX_LOGGED = 20_000;

/** The calls the seams received: counts by seam and operation, and the latest calls in order of arrival. */
export class SeamCalls {
  private log: SeamCall[] = [];
  private readonly counts = new Map<string, number>();

  /** Counts and logs one call. */
  record(seam: Seam, operation: string, at = performance.now()): void {
    const key = `${seam} ${operation}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.log.push({ seam, operation, at });
    if (this.log.length > MAX_LOGGED) this.log = this.log.slice(-MAX_LOGGED / 2);
  }

  /** Calls received so far, by one seam or all of them. */
  count(seam?: Seam): number {
    let total = 0;
    for (const [key, n] of this.counts) if (!seam || key.startsWith(`${seam} `)) total += n;
    return total;
  }

  /** Every count, keyed `<seam> <operation>`. */
  byOperation(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** The logged calls that arrived from `from` to `to` (`performance.now()` readings), in order. */
  between(from: number, to: number): SeamCall[] {
    return this.log.filter((c) => c.at >= from && c.at <= to);
  }

  /** Forgets the timeline (the counts stay). */
  clearLog(): void {
    this.log = [];
  }
}

/**
 * The hook a seam runs with a profile: the call is counted on arrival, then waits the seam's
 * latency (`wait` is injectable so tests can use fake timers).
 */
export function seamHook(
  seam: Seam,
  profile: LatencyProfile,
  calls: SeamCalls,
  wait: (ms: number) => Promise<unknown> = sleep,
): SeamHook {
  const ms = profile.ms[seam];
  return async (operation) => {
    calls.record(seam, operation);
    if (ms > 0) await wait(ms);
  };
}
