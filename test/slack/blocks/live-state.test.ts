import { approvalMessage } from '../../../lambdas/slack/blocks/approval-message';
import { liveStateLine } from '../../../lambdas/slack/blocks/live-state';
import { at, requestIn } from '../../support/requests';

describe('liveStateLine', () => {
  const active = requestIn('ACTIVE');

  it('says what each jit_state means for the requester, and since when', () => {
    const line = (state: 'preactive' | 'idle' | 'active' | 'unknown') =>
      liveStateLine({ ...active, live: { state, since: at(3) } });
    expect(line('preactive')).toMatch(
      /^ONTAP: :calendar: scheduled, not open yet \(`preactive`\), seen since <!date\^/,
    );
    expect(line('idle')).toContain('ready to elevate, nobody elevated (`idle`)');
    expect(line('active')).toContain('elevated now (`active`)');
    expect(line('unknown')).toContain('in a state this version does not know');
  });

  it('says when the state shown is only the last known one', () => {
    const line = liveStateLine({ ...active, live: { state: 'active', since: at(3), unreadSince: at(9) } });
    expect(line).toMatch(/elevated now \(`active`\), seen since .*; last known: the cluster could not be read since/);
  });

  it('shows nothing before a read, nor once the grant has ended', () => {
    expect(liveStateLine(active)).toBeUndefined();
    const ended = { ...requestIn('REVOKED'), live: { state: 'idle' as const, since: at(3) } };
    expect(liveStateLine(ended)).toBeUndefined();
    expect(JSON.stringify(approvalMessage(ended).blocks)).not.toContain('ONTAP:');
  });

  it('is on the approval message of a live grant, under its status', () => {
    const message = approvalMessage({ ...active, live: { state: 'idle', since: at(3) } });
    const texts = message.blocks.map((b) => JSON.stringify(b));
    const status = texts.findIndex((t) => t.includes('Granted until'));
    expect(texts[status + 1]).toContain('(`idle`)');
  });
});
