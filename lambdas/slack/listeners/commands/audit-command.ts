/**
 * `/jit audit [since 30d] [until …] [cluster=…] [svm=…] [person=…] [status=…]`: an approver's export of
 * the audit trail of the policies they approve for. Before the answer: who asks (an approver of some
 * policy, or refused), the filter (a wrong one is answered at once), and the command's claim (a retried
 * delivery is told its export is already on the way); the export itself runs after the answer and comes
 * as a CSV file in the person's DM.
 */
import { BadFilterError } from '../../../audit-export/errors';
import { parseFilterText } from '../../../audit-export/filter';
import type { AuditJob } from '../../../audit-export/slack-export';
import { toUtcSecond } from '../../../domain/durations';
import { groupsOf, policiesForApprover } from '../../../domain/policy';
import type { SlackMessage } from '../../blocks/approval-message';
import { noticeReply } from '../../blocks/command-replies';
import { escapeMrkdwn } from '../../blocks/escape';
import type { SlashCommand } from '../../payloads';
import type { SlackServices } from '../../services';

const USAGE =
  'Write `/jit audit since 30d` (or `since 2026-11-01 until 2026-12-01`), optionally with ' +
  '`cluster=… svm=… person=@someone status=REVOKED`.';

/** What `/jit audit …` answers at once; the export follows in the person's DM. */
export async function auditReply(
  s: SlackServices,
  command: Pick<SlashCommand, 'user_id' | 'team_id' | 'trigger_id'>,
  text: string,
): Promise<SlackMessage> {
  const actor = await s.directory.actor(command.user_id, groupsOf(s.config.policies), { fresh: true });
  const policies = policiesForApprover(s.config.policies, actor).map((p) => p.name);
  if (policies.length === 0) return noticeReply('Only approvers can export the audit trail.');
  const exports = s.auditExports;
  if (!exports) return noticeReply('Audit export is not set up for this app.');
  const at = toUtcSecond(s.now());
  let filter: AuditJob['filter'];
  try {
    filter = parseFilterText(text, at);
  } catch (error) {
    if (!(error instanceof BadFilterError)) throw error;
    return noticeReply(`${escapeMrkdwn(error.message)}\n${USAGE}`);
  }
  // One export per command delivery: Slack sends a retried delivery with the same trigger id. A delivery whose
  // export could not be queued was told so; Slack's retry of it takes the claim again and queues it.
  const key = `${command.team_id}:audit:${command.trigger_id}`;
  const claimed = (await exports.claims.claim(key, at)) || (await exports.claims.move(key, 'failed', 'claimed'));
  if (!claimed) {
    return noticeReply('This export is already on its way: it comes once, as a file in your DM from the app.');
  }
  try {
    await exports.starter.start({ key, user: command.user_id, at, filter, policies });
  } catch (error) {
    await exports.claims.move(key, 'claimed', 'failed').catch(() => false);
    throw error;
  }
  return noticeReply(
    `Preparing the audit export of requests made from ${filter.since} to ${filter.until} ` +
      `(policies ${escapeMrkdwn(policies.join(', '))}). It comes as a CSV file in your DM from the app.`,
  );
}
