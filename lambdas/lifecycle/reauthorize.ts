/**
 * The requester, checked again where access is about to change (after the approval, at a scheduled
 * start, at grant): still an active Slack user, still a requester of the policy, still the same
 * ONTAP account. Asked of Slack afresh each time (user groups never from a cache). When they no
 * longer qualify, the request ends (FAILED at stage `authorization`) with the reason in the audit
 * trail, both sides are told, and nothing is granted.
 */
import { reauthorizeBreakGlass } from '../domain/break-glass';
import { toUtcSecond } from '../domain/durations';
import { RequesterNotAuthorizedError } from '../domain/errors';
import { reauthorizeRequester } from '../domain/policy';
import type { AccessRequest } from '../domain/request';
import { awaitedLater } from '../runtime/awaited-later';
import { nowOf } from '../runtime/clock';
import type { Logger } from '../runtime/logger';
import { SlackLookupError } from '../slack/errors';
import { classify } from '../slack/notifier';
import { announce } from './notify';
import type { Ports } from './ports';

/** Whether the requester still qualifies; when not, the request as it was closed. */
export type Reauthorization = { readonly ok: true } | { readonly ok: false; readonly request: AccessRequest };

/**
 * Checks the requester of `request` again. Throws SlackTransientError when Slack could not be asked
 * (the state machine retries), SlackCallError when Slack refused: never grants on a guess.
 */
export async function reauthorize(
  ports: Pick<Ports, 'config' | 'directory' | 'store' | 'clock' | 'notifier'>,
  request: AccessRequest,
  log: Logger,
  asked?: Promise<RequesterLookup>,
): Promise<Reauthorization> {
  const reason = await refusal(ports, request, asked);
  if (reason === undefined) return { ok: true };
  const at = toUtcSecond(nowOf(ports.clock));
  const result = await ports.store.apply(request.id, { type: 'REAUTHORIZATION_FAILED', at, reason });
  if (!result.ok) {
    // Decided otherwise meanwhile (cancelled, say): that decision stands, and nothing is granted here either.
    log.info('requester no longer authorized, but the request moved on first', { status: result.request.status });
    return { ok: false, request: result.request };
  }
  log.warn('requester no longer authorized; request closed', { reason });
  const closed = await announce(ports, result.request, { approval: true, requester: true, thread: {} }, log);
  return { ok: false, request: closed };
}

/** What Slack says of a requester now (`directory.requesterNow`). */
export type RequesterLookup = Awaited<ReturnType<Ports['directory']['requesterNow']>>;

/**
 * The requester of a request about to be read, asked of Slack already: by their Slack id and the policy
 * named in advance (undefined when that policy is no longer configured). Used by `reauthorize` only
 * when the request, once read, names the same requester and policy.
 */
export function askRequesterEarly(
  ports: Pick<Ports, 'config' | 'directory'>,
  requester: string,
  policyName: string,
): Promise<RequesterLookup> | undefined {
  const policy = ports.config.policies.find((p) => p.name === policyName);
  if (!policy) return undefined;
  // Unused when the request names someone else; then its failure is nobody's to throw.
  return awaitedLater(ports.directory.requesterNow(requester, policy));
}

async function refusal(
  ports: Pick<Ports, 'config' | 'directory'>,
  request: AccessRequest,
  asked: Promise<RequesterLookup> | undefined,
): Promise<string | undefined> {
  const policy = ports.config.policies.find((p) => p.name === request.policy);
  if (!policy) return `Policy "${request.policy}" is no longer configured.`;
  try {
    const { now } = await (asked ?? ports.directory.requesterNow(request.requester.slackUserId, policy));
    reauthorizeRequester(policy, request, now);
    reauthorizeBreakGlass(policy, request, now);
    return undefined;
  } catch (error) {
    if (error instanceof RequesterNotAuthorizedError) return error.message;
    if (error instanceof SlackLookupError) throw classify(error.method, error.cause);
    throw error;
  }
}
