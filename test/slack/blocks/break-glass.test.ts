import type { AccessRequest } from '../../../lambdas/domain/request';
import { transition } from '../../../lambdas/domain/transitions';
import { approvalMessage, statusLine } from '../../../lambdas/slack/blocks/approval-message';
import { flagModal, reviewEscalation, reviewNotice } from '../../../lambdas/slack/blocks/break-glass';
import { requesterMessage } from '../../../lambdas/slack/blocks/request-messages';
import { checkBlockKit } from '../../notifications/block-kit-limits';
import { at, pendingRequest } from '../../support/requests';

const REASON = 'INC-7: <!channel> the exports are *down*';
const asked = (): AccessRequest =>
  pendingRequest({ durationSeconds: 3600, breakGlass: { reason: REASON, mention: '<!subteam^S0ONCALL>' } });
const used = () =>
  transition(asked(), { type: 'BREAK_GLASS', by: 'U0ALICE', at: at(1), reviewDueAt: at(241), reason: 'x' }).next;
const live = () => transition(used(), { type: 'GRANTED', at: at(2), window: { start: at(2), end: at(62) } }).next;
const json = (x: unknown) => JSON.stringify(x);

describe('the break-glass announcement', () => {
  it('mentions in the notified text, escapes the reason, and offers nobody Approve or Deny', () => {
    const pending = approvalMessage(asked());
    expect(pending.text).toMatch(/^<!subteam\^S0ONCALL> BREAK-GLASS \(no approval\): JIT request/);
    expect(json(pending.blocks)).toContain('&lt;!channel&gt; the exports are *down*');
    expect(json(pending.blocks)).not.toContain('"jit_approve"');
    expect(json(pending.blocks)).not.toContain('"jit_deny"');
    expect(json(pending.blocks)).toContain('"jit_cancel"');
    expect(checkBlockKit({ ...pending })).toEqual([]);
  });

  it('once granted: the status says it was granted without approval, with Revoke and the review buttons', () => {
    const message = approvalMessage(live());
    expect(statusLine(live())).toMatch(/Break-glass: granted to <@U0ALICE> by themselves, without approval/);
    expect(json(message.blocks)).toContain('"jit_revoke"');
    expect(json(message.blocks)).toContain('"jit_break_glass_acknowledge"');
    expect(json(message.blocks)).toContain('"jit_break_glass_flag"');
    expect(checkBlockKit({ ...message })).toEqual([]);
  });

  it('once reviewed: who and how, the note escaped, no more review buttons; ended, still marked', () => {
    const reviewed = transition(live(), {
      type: 'BREAK_GLASS_REVIEWED',
      by: 'U0BOB',
      at: at(30),
      outcome: 'flagged',
      note: 'no <!here> incident',
    }).next;
    const blocks = json(approvalMessage(reviewed).blocks);
    expect(blocks).toContain('Flagged by <@U0BOB>');
    expect(blocks).toContain('no &lt;!here&gt; incident');
    expect(blocks).not.toContain('jit_break_glass_acknowledge');
    const ended = transition(reviewed, { type: 'REVOKED', at: at(62), alreadyGone: false }).next;
    expect(statusLine(ended)).toMatch(/^:rotating_light: Break-glass · :lock: Ended/);
    expect(json(requesterMessage(ended).blocks)).toContain('Break-glass');
    const review = reviewed.breakGlass?.review;
    if (!review) throw new Error('no review');
    expect(reviewNotice(reviewed, review).text).toContain('was :warning: flagged by <@U0BOB>');
  });

  it('the Flag modal and the escalation stay within Block Kit and escape what people typed', () => {
    const modal = flagModal(live(), { requestId: live().id });
    expect(checkBlockKit({ view: modal })).toEqual([]);
    const escalation = reviewEscalation(live(), '<!here>', 'https://slack.example/archives/C/p1');
    expect(escalation.text).toMatch(/^<!here> :rotating_light: Break-glass `.+` by <@U0ALICE>/);
    expect(escalation.text).toContain('has not been reviewed');
  });
});
