/**
 * Drift: what is on a cluster that the records do not account for. A JIT entry is the product's
 * while its `comment` names a request that is not finished (a grant whose POST went through before
 * ACTIVE was recorded included: its comment already names the request); any other entry is drift,
 * either foreign (no request, or a request it does not belong to) or left by a finished request. A
 * cluster's JIT settings drift when `max_jit_validity_period` changes to more than the longest
 * window the cluster's policies grant. Pure: no I/O, no clock.
 */
import type { Config } from '../config/schema';
import { covers } from './policy';
import { type AccessRequest, isTerminal } from './request';

/** What the product writes before the request id in an entry's comment (lifecycle/grant.ts `entryComment`). */
export const COMMENT_PREFIX = 'ontap-jit-approvals request ';

/** The request id an entry's comment names, if it was written the way the product writes it. */
export function requestIdOfComment(comment: string | null | undefined): string | undefined {
  if (!comment?.startsWith(COMMENT_PREFIX)) return undefined;
  const id = /^([A-Za-z0-9-]{8,80})(?: for |$)/.exec(comment.slice(COMMENT_PREFIX.length))?.[1];
  return id;
}

/** A JIT entry as the scan sees it. */
export interface ScannedEntry {
  readonly ownerUuid: string;
  readonly ownerName: string | null;
  readonly account: string;
  readonly application: string;
  readonly role: string | null;
  readonly startTime: string | null;
  readonly endTime: string | null;
  readonly jitState: string;
  readonly comment: string | null;
}

/** How an entry stands against the records. */
export type EntryVerdict =
  /** A request that is not finished made it: never drift, never touched. */
  | { readonly kind: 'live'; readonly request: AccessRequest }
  /** Nobody the product knows made it, or it names a request it does not belong to. */
  | { readonly kind: 'foreign'; readonly requestId?: string }
  /** Its request is finished: the entry outlived it. */
  | { readonly kind: 'finished'; readonly request: AccessRequest }
  /** Its request finished after the listing was read: the revoke may have removed it since; the next pass decides. */
  | { readonly kind: 'undecided'; readonly request: AccessRequest };

/** The kinds of drift a report names. */
export type DriftKind = 'foreign' | 'finished' | 'settings';

/**
 * Whether `entry` on `cluster` is the product's, given the request its comment names (undefined:
 * none, or none in the table) and when the listing was read (ISO).
 */
export function entryVerdict(
  cluster: string,
  entry: ScannedEntry,
  request: AccessRequest | undefined,
  listedAt: string,
): EntryVerdict {
  const requestId = requestIdOfComment(entry.comment);
  if (requestId === undefined || request === undefined) {
    return requestId === undefined ? { kind: 'foreign' } : { kind: 'foreign', requestId };
  }
  const belongs =
    request.cluster === cluster &&
    request.svm.uuid?.toLowerCase() === entry.ownerUuid.toLowerCase() &&
    request.requester.ontapAccount === entry.account &&
    request.application === entry.application;
  if (!belongs) return { kind: 'foreign', requestId };
  const cleaningUp = request.status === 'FAILED' && request.cleanupPending === true;
  if (!isTerminal(request) || cleaningUp) return { kind: 'live', request };
  const endedAt = 'endedAt' in request ? request.endedAt : request.updatedAt;
  return endedAt >= listedAt ? { kind: 'undecided', request } : { kind: 'finished', request };
}

/**
 * The longest window, in seconds, that the policies covering `cluster` grant, extensions included
 * (0 when none covers it): a cluster maximum above it lets entries last longer than any approval could.
 */
export function longestPolicyWindow(config: Pick<Config, 'policies'>, cluster: string): number {
  const covering = config.policies.filter((p) => covers(p.clusters, cluster));
  return Math.max(0, ...covering.map((p) => p.maxDuration + (p.extension ? p.extension.by * p.extension.times : 0)));
}

/** What a scan makes of one owner's `max_jit_validity_period` against the value it first saw there. */
export type SettingsVerdict =
  /** The value first seen (or a change within the policies): kept as the value to compare with. */
  | { readonly kind: 'baseline' }
  /** Changed to more than the policies grant. */
  | { readonly kind: 'drift' };

/**
 * Whether a cluster's `max_jit_validity_period` of `maxSeconds` drifted from `baselineSeconds` (the
 * value first seen; undefined the first time): a change to more than `longestSeconds`. The value
 * found at the first scan is the starting point, not drift: ONTAP's default (90 days) is above every
 * policy, and an alarm on every new installation would teach people to ignore it.
 */
export function settingsVerdict(
  maxSeconds: number,
  baselineSeconds: number | undefined,
  longestSeconds: number,
): SettingsVerdict {
  if (baselineSeconds === undefined || maxSeconds === baselineSeconds) return { kind: 'baseline' };
  return maxSeconds > longestSeconds ? { kind: 'drift' } : { kind: 'baseline' };
}
