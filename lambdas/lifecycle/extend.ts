/**
 * Extend, from Slack: the requester asks for more time on their live grant. The ask is one
 * conditional write on the request (one extension waiting at a time; a doubled submit finds its own
 * ask and makes no second one). One that needs no approval is approved by that write; one that does
 * is put to the approvers under the approval message, and decided there (extend-decide.ts) under
 * the same rules as a request. An approved extension is never applied here: the grant's end wait is
 * woken (ENDS_CHANGED) and the workflow applies it (apply-extension.ts), serialized with the end and
 * with "Revoke now". A lost signal is sent again by the reconciler from the record.
 */
import type { Logger } from '@slack/bolt';
import { toUtcSecond } from '../domain/durations';
import { NotAllowedError } from '../domain/errors';
import {
  authorizeExtension,
  extensionApprovalPolicy,
  extensionChoices,
  extensionSeats,
  extensionsLeft,
} from '../domain/extension';
import { type Policy, reauthorizeRequester } from '../domain/policy';
import type { AccessRequest, PendingExtension, RequestIn } from '../domain/request';
import { STATUSES } from '../domain/request';
import { nowOf } from '../runtime/clock';
import { describeRefusal, type ErrorAnswer } from '../slack/answers';
import { extensionAsk, extensionAsked } from '../slack/blocks/extension-messages';
import { policyOf, requesterFacts } from './decide-checks';
import type { IngressPorts } from './ports';

/** What the Extend modal offers: the request, the choices (seconds), who approves, extensions left. */
export interface ExtendOffer {
  readonly request: RequestIn<'ACTIVE'>;
  readonly choices: readonly number[];
  readonly left: number;
  /** Mentions of those who approve it; absent when it needs no approval. */
  readonly approvers?: string;
}

/** Whether `userId` may extend the request now, and how; throws the refusal (before the modal opens). */
export async function mayExtend(
  ports: Pick<IngressPorts, 'store' | 'config'>,
  input: { readonly requestId: string; readonly userId: string },
): Promise<ExtendOffer> {
  const request = await ports.store.get(input.requestId);
  if (request.requester.slackUserId !== input.userId) {
    throw new NotAllowedError('Only the requester can extend their access.');
  }
  if (request.status !== 'ACTIVE' || request.revokeRequestedBy !== undefined) {
    throw new NotAllowedError('This access is no longer live; it cannot be extended.');
  }
  if (request.extension !== undefined) throw new NotAllowedError('An extension of this access is already waiting.');
  const policy = policyOf(ports, request);
  const choices = extensionChoices(policy, request);
  if (!policy.extension) throw new NotAllowedError(`Policy "${policy.name}" does not allow extending access.`);
  if (choices.length === 0) throw new NotAllowedError('This access cannot be extended any further under its policy.');
  const seats = extensionSeats(policy);
  const left = extensionsLeft(policy, request);
  return { request, choices, left, ...(seats > 0 ? { approvers: mentions(extensionApprovalPolicy(policy)) } : {}) };
}

/**
 * What an ask came to: recorded (or found recorded), with what follows once Slack has its answer
 * (the workflow woken, or the approvers asked); or the refusal to show in the modal.
 */
export type ExtendResult =
  | { readonly ok: true; readonly request: AccessRequest; readonly follow: () => Promise<void> }
  | { readonly ok: false; readonly answer: ErrorAnswer };

const NOTHING = (): Promise<void> => Promise.resolve();

/** Records the requester's ask; `follow` then wakes the workflow (no approval) or asks the approvers. */
export async function requestExtension(
  ports: IngressPorts,
  input: { readonly requestId: string; readonly userId: string; readonly seconds: number; readonly reason: string },
  log: Logger,
): Promise<ExtendResult> {
  const { tokens, request: before } = await ports.store.getStored(input.requestId);
  const policy = policyOf(ports, before);
  const at = toUtcSecond(nowOf(ports.clock));
  const asking = { by: input.userId, seconds: input.seconds };
  const event = {
    type: 'EXTEND_REQUESTED' as const,
    by: input.userId,
    at,
    seconds: input.seconds,
    reason: input.reason,
    approvalsRequired: extensionSeats(policy),
  };
  // More access: the requester must still qualify (active, a requester of the policy, the same account).
  const requester = await requesterFacts(ports, before, policy);
  const authorize = (current: AccessRequest): void => {
    authorizeExtension(policy, current, asking);
    reauthorizeRequester(policy, current, requester.now);
  };
  const result = await ports.store.apply(input.requestId, event, authorize);
  if (!result.ok) {
    // A doubled submit (Slack's retry, a second click) finds its own ask: the same answer, nothing more.
    const mine = result.request.status === 'ACTIVE' ? result.request.extension : undefined;
    if (mine && mine.by === input.userId && mine.seconds === input.seconds && mine.reason === input.reason) {
      return { ok: true, request: result.request, follow: NOTHING };
    }
    log.info({ msg: 'extension refused', requestId: input.requestId, code: result.error.code });
    return { ok: false, answer: describeRefusal(result.error, result.lastEvent) };
  }
  const request = result.request;
  if (request.status !== 'ACTIVE' || !request.extension) return { ok: true, request, follow: NOTHING };
  const ask = request.extension;
  log.info({ msg: 'extension asked', requestId: request.id, seconds: input.seconds, seats: event.approvalsRequired });
  const follow = async (): Promise<void> => {
    await bestEffort(log, 'requester not told of the ask', () =>
      ports.notifier.notice(input.userId, extensionAsked(request, ask)),
    );
    // The status DM shows the extension waiting (and no Extend while it does).
    if (request.slack.requester)
      await bestEffort(log, 'status DM not updated', () => ports.notifier.requester(request));
    if (ask.approvedAt !== undefined) await wakeForExtension(ports, request.id, tokens.end, log);
    else await askApprovers(ports, request, policy, log);
  };
  return { ok: true, request, follow };
}

/** Threads the ask under the approval message, mentioning the extension's approvers, and keeps where it went. */
async function askApprovers(
  ports: IngressPorts,
  request: RequestIn<'ACTIVE'>,
  policy: Policy,
  log: Logger,
): Promise<AccessRequest> {
  const ask = request.extension as PendingExtension;
  const message = extensionAsk(request, ask, mentions(extensionApprovalPolicy(policy)));
  const parent = request.slack.approval;
  const ref = await bestEffort(log, 'extension ask not posted', () =>
    parent ? ports.notifier.reply(parent, message) : ports.notifier.post(ports.config.slack.approvalChannel, message),
  );
  if (!ref) return request;
  const { stored } = await ports.store.update(request.id, STATUSES, (s) => {
    const r = s.request;
    if (r.status !== 'ACTIVE' || r.extension?.at !== ask.at) return s;
    return { ...s, request: { ...r, extension: { ...r.extension, message: ref } } };
  });
  return stored.request;
}

/**
 * Wakes the grant's end wait so the workflow applies an approved extension: with the token read
 * before the write, else the one stored now. Not woken (no token yet, a stale one, the workflow
 * unreachable): the workflow finds the approved extension when it next wakes, and the reconciler
 * sends the signal again.
 */
export async function wakeForExtension(
  ports: Pick<IngressPorts, 'store' | 'workflow'>,
  id: string,
  known: string | undefined,
  log: Logger,
): Promise<boolean> {
  try {
    if (known !== undefined && (await ports.workflow.endsChanged(known))) return true;
    const stored = (await ports.store.getStored(id)).tokens.end;
    if (stored !== undefined && stored !== known && (await ports.workflow.endsChanged(stored))) return true;
    log.warn({ msg: 'extension: end wait not woken; the reconciler sends it again', requestId: id });
    return false;
  } catch (error) {
    log.error({ msg: 'extension: workflow not signalled', requestId: id, error: String(error) });
    return false;
  }
}

/** Mentions of a policy's approvers (users and user groups), so Slack notifies them. */
export function mentions(policy: Pick<Policy, 'approvers'>): string {
  const users = policy.approvers.users.map((u) => `<@${u}>`);
  const groups = policy.approvers.groups.map((g) => `<!subteam^${g}>`);
  return [...users, ...groups].join(' ');
}

async function bestEffort<T>(log: Logger, what: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    log.warn({ msg: what, error: String(error) });
    return undefined;
  }
}
