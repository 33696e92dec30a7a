/**
 * What a person sees on the app's Home tab: their own access (live grants, requests still open, the
 * last ones that ended) and the requests waiting for their decision. Read only: every button on the
 * Home tab runs the same use case as on the messages (decide.ts), which checks everything again.
 *
 * "Waiting for me" lists the requests of the policies the person approves under (the keys-only
 * pending-by-policy index, oldest first), without the ones the decision rules would refuse them
 * (their own, by any identity the configuration or the request names; a seat they already hold
 * under another id). It is bounded: at most HOME_LIMIT of each list, and how many more there are
 * (for "Waiting for me", of the first 200 per policy: more than that waiting is a backlog Home cannot fix).
 */
import type { Config } from '../config/schema';
import { DomainError } from '../domain/errors';
import { knownSlackIds, slackOnlyKeys } from '../domain/people';
import { type Actor, authorizeApproval, groupsOf, policiesForApprover, policiesForRequester } from '../domain/policy';
import { type AccessRequest, isTerminal, type Status } from '../domain/request';
import type { PendingEntry } from '../store/requests';
import type { IngressPorts } from './ports';

/** What building a person's Home reads. */
export type HomePorts = Pick<IngressPorts, 'config' | 'store' | 'directory' | 'clock'>;

/** The most items of each list the Home tab shows. */
export const HOME_LIMIT = 10;
/** How many of the newest requests are read for "recently ended". */
const RECENT_READ = 30;
/** Requests still going for the requester: live grants and open requests. */
const UNFINISHED: readonly Status[] = ['PENDING', 'APPROVED', 'ACTIVE', 'REVOKE_FAILED'];
/** Beyond the longest a request can go on under any policy: a failed removal retried for a day more. */
const UNFINISHED_GRACE_SECONDS = 86_400;

/**
 * The oldest a request still going can be: asked at most `maxScheduleAhead` before its start, ended
 * at most `maxDuration` after it (an approval never moves the end), plus the grace. Older ones have ended.
 */
function unfinishedSince(config: Config, nowMs: number): string {
  const longest = Math.max(0, ...config.policies.map((p) => p.maxScheduleAhead + p.approvalTimeout + p.maxDuration));
  return new Date(nowMs - (longest + UNFINISHED_GRACE_SECONDS) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A list shown on the Home tab: its first items, and how many more there are. */
export interface Bounded<T> {
  readonly items: readonly T[];
  readonly more: number;
}

/** A request waiting for the person's decision. */
export interface Waiting {
  readonly request: AccessRequest;
  /** They approved it already; it waits for other approvers. */
  readonly approvedByMe: boolean;
}

/** Everything the Home tab of one person shows. */
export interface Home {
  readonly userId: string;
  /** They may ask for access under some policy (the request button works for them). */
  readonly mayRequest: boolean;
  /** Grants on a cluster now (active, or whose removal failed and is retried). */
  readonly live: Bounded<AccessRequest>;
  /** Requests waiting for approval, or approved and not started. */
  readonly open: Bounded<AccessRequest>;
  /** The last requests that ended, newest first. */
  readonly ended: readonly AccessRequest[];
  /** Undefined for someone who approves under no policy: they see no "Waiting for me" at all. */
  readonly waiting?: Bounded<Waiting>;
}

/** Builds the Home tab's content for `userId`. */
export async function homeOf(ports: HomePorts, userId: string): Promise<Home> {
  const { config, store } = ports;
  const [actor, unfinished, recent] = await Promise.all([
    ports.directory.actor(userId, groupsOf(config.policies)),
    store.listByRequesterIn(userId, UNFINISHED, unfinishedSince(config, ports.clock.now())),
    store.listByRequester(userId, RECENT_READ),
  ]);
  const live = unfinished.filter((r) => r.status === 'ACTIVE' || r.status === 'REVOKE_FAILED');
  const open = unfinished.filter((r) => r.status === 'PENDING' || r.status === 'APPROVED');
  const approves = policiesForApprover(config.policies, actor);
  const waiting = approves.length > 0 ? await waitingFor(ports, actor, approves) : undefined;
  return {
    userId,
    mayRequest: policiesForRequester(config.policies, actor).length > 0,
    live: bounded(live),
    open: bounded(open),
    ended: recent.filter(isTerminal).slice(0, HOME_LIMIT),
    ...(waiting ? { waiting } : {}),
  };
}

function bounded<T>(all: readonly T[]): Bounded<T> {
  return { items: all.slice(0, HOME_LIMIT), more: Math.max(0, all.length - HOME_LIMIT) };
}

/** The pending requests of the policies `actor` approves under that the decision rules let them decide. */
async function waitingFor(
  ports: HomePorts,
  actor: Actor,
  policies: readonly Config['policies'][number][],
): Promise<Bounded<Waiting>> {
  const pages = await Promise.all(policies.map((p) => ports.store.listPendingUnder(p.name)));
  const others: PendingEntry[] = pages
    .flatMap((page) => page.entries)
    .filter((e) => e.requester !== actor.userId)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const shown: Waiting[] = [];
  let next = 0;
  // Read a few more than are shown, since some turn out not to be theirs to decide (or just decided).
  while (shown.length < HOME_LIMIT && next < others.length) {
    const batch = others.slice(next, next + HOME_LIMIT - shown.length + 2);
    const read = await Promise.all(batch.map((e) => ports.store.get(e.id).catch(() => undefined)));
    const decidable = await Promise.all(read.map((r) => (r ? mayDecide(ports, actor, r) : undefined)));
    for (const item of decidable) {
      if (shown.length === HOME_LIMIT) break;
      next += 1;
      if (item) shown.push(item);
    }
  }
  // Those not read yet; some of them may turn out not to be theirs to decide either.
  return { items: shown, more: others.length - next };
}

/**
 * The request as a "Waiting for me" item, or undefined when the decision rules would refuse this
 * person: the same rule as a click (authorizeApproval), with the requester's identity keys as a
 * decision reads them (their Slack identity, from the directory's short cache, and the ONTAP account
 * the request names), so a second identity of the requester is not offered their request.
 */
async function mayDecide(ports: HomePorts, actor: Actor, request: AccessRequest): Promise<Waiting | undefined> {
  if (request.status !== 'PENDING') return undefined;
  const policy = ports.config.policies.find((p) => p.name === request.policy);
  if (!policy) return undefined;
  const { slackUserId, ontapAccount } = request.requester;
  const known = await ports.directory.actor(slackUserId, []).catch(() => undefined);
  const requesterKeys = [
    ...(known?.keys ?? []),
    ...knownSlackIds(ports.config.slack.accounts, slackUserId, ontapAccount).flatMap(slackOnlyKeys),
    `ontap:${ontapAccount.toLowerCase()}`,
  ];
  try {
    authorizeApproval(policy, request, actor, requesterKeys);
  } catch (error) {
    if (error instanceof DomainError) return undefined;
    throw error;
  }
  return { request, approvedByMe: request.approvals.some((a) => a.by === actor.userId) };
}
