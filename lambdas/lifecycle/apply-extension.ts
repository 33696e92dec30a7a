/**
 * Applying an extension, in the workflow, so it is serialized with the grant's natural end and with
 * "Revoke now": Revoke, woken by the end wait (an extension completes its token with ENDS_CHANGED,
 * or the window ended), comes here first. ONTAP has no PATCH of a JIT entry, so the entry is
 * replaced: its `jit_state` is read, an elevated session (`active`) is given a short, bounded while
 * to end, then the old entry is deleted and a new one posted for exactly [original start, new end].
 * Each extension has one outcome: applied (EXTENDED), or dropped with nothing changed (the end came
 * first, the cluster's maximum), or, when the new entry could not be made after the old one was
 * deleted, access ended early: the grant is then ended, recorded and told, so nothing is half-made.
 */
import { parseIsoDuration, toUtcSecond } from '../domain/durations';
import type { PendingExtension, RequestIn } from '../domain/request';
import type { JitUserRecord, OntapClient } from '../ontap';
import { nowOf } from '../runtime/clock';
import type { Logger } from '../runtime/logger';
import { extensionApplied, extensionDropped, extensionFailed } from '../slack/blocks/extension-messages';
import { endReached } from './await-end';
import { entryComment, grantKeyOf, removeOwnEntry } from './grant';
import type { Ports } from './ports';

/** What applying takes: the store, the cluster, Slack, the clock. */
export type ApplyPorts = Pick<Ports, 'store' | 'ontap' | 'clock' | 'notifier'>;

/** How long (business time) an elevated session is given to end before its entry is replaced anyway. */
export const ACTIVE_WAIT_SECONDS = 10 * 60;
/** How often the entry's state is read while waiting, and the most real time a task spends waiting. */
const POLL_MS = 500;
const REAL_WAIT_CAP_MS = 20_000;

/**
 * What came of the extension: `wait` (applied, or dropped before the end: the workflow waits for the
 * end), `end` (the grant must end now: it ended first, or the replacement failed), or `none` (nothing
 * to apply; the caller goes on as before).
 */
export type ApplyOutcome = 'wait' | 'end' | 'none';

/** Applies, drops or leaves the request's extension, once, and tells the requester what came of it. */
export async function settleExtension(
  ports: ApplyPorts,
  request: RequestIn<'ACTIVE'>,
  log: Logger,
): Promise<ApplyOutcome> {
  const ask = request.extension;
  if (ask === undefined) return 'none';
  const now = nowOf(ports.clock).toMillis();
  if (request.revokeRequestedBy !== undefined) {
    await drop(ports, request, ask, 'The access was revoked before the extension was applied.', log);
    return 'none';
  }
  if (endReached(request, now)) {
    const why =
      ask.approvedAt === undefined
        ? 'It was not approved before the access ended.'
        : 'The access reached its end before the extension was applied.';
    await drop(ports, request, ask, why, log);
    return 'none';
  }
  if (ask.approvedAt === undefined) return 'none';
  return apply(ports, request, ask, log);
}

async function apply(
  ports: ApplyPorts,
  request: RequestIn<'ACTIVE'>,
  ask: PendingExtension,
  log: Logger,
): Promise<ApplyOutcome> {
  const key = grantKeyOf(request);
  const ontap = await ports.ontap(key.cluster);
  const seconds = Math.round((Date.parse(ask.end) - Date.parse(request.window.start)) / 1000);
  const settings = await ontap.getJitSettings(key.svmUuid);
  if (seconds > settings.maxJitValiditySeconds) {
    const why =
      'The whole window would be longer than the cluster allows ' +
      `(max_jit_validity_period ${settings.maxJitValidity}).`;
    await drop(ports, request, ask, why, log);
    return 'wait';
  }
  const comment = entryComment(request);
  let entry = await ontap.getJitUser(key.svmUuid, key.account, 'ssh');
  const done = entry !== null && entry.comment === comment && entry.endTime === ask.end;
  let replaced = done ? 'replaced-earlier' : (entry?.jitState ?? 'gone');
  if (!done) {
    entry = await awaitNotActive(ports, ontap, key, entry, request.window.end);
    replaced = entry?.jitState ?? 'gone';
    await removeOwnEntry(ports, request, key, log);
    try {
      await ontap.ensureJitUser({
        ownerUuid: key.svmUuid,
        account: key.account,
        application: 'ssh',
        role: request.role,
        jitValidity: seconds,
        ...sessionOf(entry, seconds),
        startTime: request.window.start,
        comment,
      });
    } catch (error) {
      // The old entry is gone and the new one is not there: the access ended early.
      log.error('extension: the replacement entry could not be created; the grant ends now', { error: String(error) });
      const why = `The new entry could not be created on the cluster (${String(error).slice(0, 200)}).`;
      const at = toUtcSecond(nowOf(ports.clock));
      await ports.store.apply(request.id, { type: 'EXTEND_DROPPED', at, reason: why });
      await tell(log, () => ports.notifier.post(request.requester.slackUserId, extensionFailed(request, why)));
      return 'end';
    }
  }
  const at = toUtcSecond(nowOf(ports.clock));
  const windows = { old: request.window, new: { start: request.window.start, end: ask.end } };
  const result = await ports.store.apply(request.id, { type: 'EXTENDED', at, replaced, ...windows });
  if (!result.ok) {
    // Revoked meanwhile: the revoke that follows removes the new entry (it carries this request's comment).
    log.info('extension applied on the cluster but the grant is ending', { status: result.request.status });
    return 'end';
  }
  await ports.store.acquireGrantLock(key, request.id, ask.end);
  log.info('extension applied', { from: ask.from, to: ask.end, replaced });
  const now = result.request;
  await tell(log, () => ports.notifier.post(request.requester.slackUserId, extensionApplied(now, ask, replaced)));
  await tell(log, () => ports.notifier.requester(now));
  const parent = now.slack.approval;
  if (parent) {
    await tell(log, () => ports.notifier.approval(now));
    await tell(log, () => ports.notifier.reply(parent, extensionApplied(now, ask, replaced, true)));
  }
  return 'wait';
}

/**
 * Reads the entry until it is no longer `active` (an elevated session on), for at most
 * ACTIVE_WAIT_SECONDS of business time, never past a minute before the grant's end, and never more
 * than REAL_WAIT_CAP_MS of the task's own time. Returns the entry as last read.
 */
async function awaitNotActive(
  ports: Pick<Ports, 'clock'>,
  ontap: OntapClient,
  key: { svmUuid: string; account: string },
  first: JitUserRecord | null,
  end: string,
): Promise<JitUserRecord | null> {
  const startedAt = Date.now();
  const until = Math.min(ports.clock.now() + ACTIVE_WAIT_SECONDS * 1000, Date.parse(end) - 60_000);
  let entry = first;
  while (entry?.jitState === 'active' && ports.clock.now() < until && Date.now() - startedAt < REAL_WAIT_CAP_MS) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    entry = await ontap.getJitUser(key.svmUuid, key.account, 'ssh');
  }
  return entry;
}

/** The old entry's session validity, kept on the new one (never longer than the window). */
function sessionOf(entry: JitUserRecord | null, seconds: number): { sessionValidity?: number } {
  const session = entry?.sessionValidity ? parseIsoDuration(entry.sessionValidity) : null;
  return session ? { sessionValidity: Math.min(session, seconds) } : {};
}

async function drop(
  ports: ApplyPorts,
  request: RequestIn<'ACTIVE'>,
  ask: PendingExtension,
  why: string,
  log: Logger,
): Promise<void> {
  const result = await ports.store.apply(request.id, {
    type: 'EXTEND_DROPPED',
    at: toUtcSecond(nowOf(ports.clock)),
    reason: why,
  });
  if (!result.ok) return;
  log.info('extension dropped', { why });
  const card = result.request;
  if (card.slack.requester) await tell(log, () => ports.notifier.requester(card));
  await tell(log, () => ports.notifier.post(request.requester.slackUserId, extensionDropped(request, ask, why)));
  // The approvers hear of it where they were asked.
  const parent = request.slack.approval;
  if (ask.message && parent)
    await tell(log, () => ports.notifier.reply(parent, extensionDropped(request, ask, why, true)));
}

/** Best effort: the outcome is recorded; a message Slack refused is logged. */
async function tell(log: Logger, send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (error) {
    log.warn('extension outcome not told', { error: String(error) });
  }
}
