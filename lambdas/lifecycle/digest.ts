/**
 * The activity digest of a grant that ended: the cluster's administrative audit log is read for the
 * account over the grant's window, the whole list kept beside the request, the summary recorded as an
 * ACTIVITY_DIGEST audit event, and the digest posted in the approval message's thread.
 *
 * It runs right after the end is recorded (the revoke, best effort and bounded) and from the
 * reconciler (the `digest` attention, with its backoff) until it is done. It never holds up a revoke.
 * A log that cannot be read is said once in the thread and tried again until DIGEST_GIVE_UP_SECONDS
 * after the end, then given up and said so. Each step that tells anyone is claimed first by a
 * conditional write of the request's `digest` state, so two tries (the revoke and a pass, or two
 * passes) never post twice: a post whose outcome is lost stays unposted rather than sent again.
 */
import {
  buildDigest,
  DIGEST_GIVE_UP_SECONDS,
  digestWindowOf,
  type LoggedCommand,
  storedCommands,
  summaryOf,
} from '../domain/digest';
import { parseInstant, toUtcSecond } from '../domain/durations';
import type { AccessRequest, DigestState } from '../domain/request';
import type { AuditRead } from '../ontap';
import { awaitedLater } from '../runtime/awaited-later';
import { nowOf } from '../runtime/clock';
import { countMetric, describeError, type Logger } from '../runtime/logger';
import { DIGEST_METRICS } from '../runtime/metrics';
import { digestAbandonedMessage, digestMessage, digestUnreadableMessage } from '../slack/blocks/digest-messages';
import { DigestDeadlineError } from './errors';
import type { Ports } from './ports';

/** What a digest works with; the metrics are counted when given. */
export type DigestPorts = Pick<Ports, 'store' | 'ontap' | 'clock' | 'notifier'> & Partial<Pick<Ports, 'metrics'>>;

/** What one try came to: nothing owed (or another try has it), posted, kept without a thread, or to try again. */
export type DigestOutcome = 'none' | 'posted' | 'kept' | 'unposted' | 'unreadable' | 'abandoned';

/** Real milliseconds the revoke gives its digest before leaving it to the reconciler. */
export const DIGEST_INLINE_MS = 8000;

const OPEN: ReadonlySet<DigestState['state'] | undefined> = new Set([undefined, 'unreadable']);

/** Tries the digest right after the end is recorded: bounded and best effort (the reconciler owns the rest). */
export async function digestAfterEnd(ports: DigestPorts, requestId: string, log: Logger, ms = DIGEST_INLINE_MS) {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DigestDeadlineError(ms)), ms);
  });
  const work = awaitedLater(tellDigest(ports, requestId, log));
  try {
    await Promise.race([work, deadline]);
  } catch (error) {
    log.warn('activity digest not done at the end; the reconciler tries again', describeError(error));
  } finally {
    clearTimeout(timer);
  }
}

/** One try of a grant's digest. Throws only when the store cannot be read or written. */
export async function tellDigest(ports: DigestPorts, requestId: string, log: Logger): Promise<DigestOutcome> {
  const request = await ports.store.get(requestId);
  const window = digestWindowOf(request);
  const state = request.digest?.state;
  if (window === undefined || request.told === undefined || !(OPEN.has(state) || state === 'unposted')) return 'none';
  const at = toUtcSecond(nowOf(ports.clock));

  let commands: LoggedCommand[];
  let truncated = false;
  if (state === 'unposted' && at >= giveUpAt(window.to)) {
    // Slack kept refusing it for as long as the log is tried: the digest stays in the audit trail only.
    const gaveUp = await ports.store.changeDigest(requestId, (current) =>
      current.digest?.state === 'unposted' ? { digest: { ...current.digest, state: 'abandoned' }, at } : undefined,
    );
    if (gaveUp.changed) count(ports, DIGEST_METRICS.abandoned);
    return gaveUp.changed ? 'abandoned' : 'none';
  }
  if (state === 'unposted') {
    // Recorded already: the reply is made again from the list kept, without asking the cluster.
    commands = await ports.store.digestLines(requestId, window.to);
  } else {
    let read: AuditRead;
    try {
      read = await (await ports.ontap(request.cluster)).auditMessages({
        account: request.requester.ontapAccount,
        from: window.from,
        to: window.to,
      });
    } catch (error) {
      return unreadable(ports, request, window.to, at, error, log);
    }
    // The same account name on another SVM is another account.
    commands = read.messages.filter((m) => m.svm === null || m.svm === request.svm.name);
    truncated = read.truncated;
    await ports.store.putDigestLines(requestId, window.to, at, storedCommands(commands));
  }
  const digest = buildDigest(commands, truncated);

  const claim = await ports.store.changeDigest(requestId, (current) => {
    const now = current.digest?.state;
    if (now !== state) return undefined;
    const base: Omit<DigestState, 'state'> = current.digest ?? { since: at, failures: 0 };
    return {
      digest: { ...base, state: 'recorded' },
      at,
      ...(state === 'unposted' ? {} : { detail: summaryOf(digest) }),
    };
  });
  if (!claim.changed) return 'none';
  const parent = request.slack.approval;
  if (parent === undefined) {
    log.info('activity digest recorded; no approval thread to post it in', { commands: digest.commands });
    return 'kept';
  }
  try {
    await ports.notifier.reply(parent, digestMessage(request, digest, window));
  } catch (error) {
    log.warn('activity digest not posted; the reconciler posts it', describeError(error));
    await settle(ports, requestId, at, 'unposted');
    return 'unposted';
  }
  // Posted: the claim (`recorded`) already says so; no further write.
  count(ports, DIGEST_METRICS.posted);
  log.info('activity digest posted', { commands: digest.commands, destructive: digest.destructive });
  return 'posted';
}

/** A claimed (`recorded`) digest whose post failed is owed again; a write lost here leaves it unposted for good. */
async function settle(ports: DigestPorts, id: string, at: string, to: 'unposted'): Promise<void> {
  await ports.store.changeDigest(id, (current) =>
    current.digest?.state === 'recorded' ? { digest: { ...current.digest, state: to }, at } : undefined,
  );
}

/** The log could not be read: said once in the thread and tried again, or given up after its time. */
async function unreadable(
  ports: DigestPorts,
  request: AccessRequest,
  end: string,
  at: string,
  error: unknown,
  log: Logger,
): Promise<DigestOutcome> {
  count(ports, DIGEST_METRICS.unreadable);
  const reason = error instanceof Error ? error.message : String(error);
  log.warn('audit log not readable for the activity digest', describeError(error));
  const parent = request.slack.approval;
  if (at >= giveUpAt(end)) {
    const hours = Math.round(DIGEST_GIVE_UP_SECONDS / 3600);
    const claim = await ports.store.changeDigest(request.id, (current) => {
      if (!OPEN.has(current.digest?.state)) return undefined;
      const base: Omit<DigestState, 'state'> = current.digest ?? { since: at, failures: 0 };
      const detail = `No activity digest: the audit log could not be read for ${hours} hours after the end (${reason})`;
      return { digest: { ...base, failures: base.failures + 1, state: 'abandoned' }, at, detail: detail.slice(0, 500) };
    });
    if (!claim.changed) return 'none';
    count(ports, DIGEST_METRICS.abandoned);
    if (parent) await post(ports, parent, digestAbandonedMessage(request, hours), log);
    return 'abandoned';
  }
  let tell = false;
  const claim = await ports.store.changeDigest(request.id, (current) => {
    if (!OPEN.has(current.digest?.state)) return undefined;
    const base: Omit<DigestState, 'state'> = current.digest ?? { since: at, failures: 0 };
    // Decided on the copy the write lands on: of two tries at once, one tells.
    tell = parent !== undefined && base.toldUnreadable !== true;
    const digest: DigestState = { ...base, state: 'unreadable', failures: base.failures + 1 };
    return { digest: tell ? { ...digest, toldUnreadable: true } : digest, at };
  });
  if (claim.changed && tell && parent) await post(ports, parent, digestUnreadableMessage(request, reason), log);
  return 'unreadable';
}

/** A note in the thread: best effort, told at most once (its claim is already written). */
async function post(
  ports: DigestPorts,
  parent: NonNullable<AccessRequest['slack']['approval']>,
  message: Parameters<DigestPorts['notifier']['reply']>[1],
  log: Logger,
): Promise<void> {
  try {
    await ports.notifier.reply(parent, message);
  } catch (error) {
    log.warn('note about the activity digest not posted', describeError(error));
  }
}

/** When trying stops: DIGEST_GIVE_UP_SECONDS after the grant's end. */
function giveUpAt(end: string): string {
  return toUtcSecond(parseInstant(end).plus({ seconds: DIGEST_GIVE_UP_SECONDS }));
}

function count(ports: DigestPorts, name: string): void {
  if (ports.metrics) countMetric(ports.metrics, name, 1);
}
