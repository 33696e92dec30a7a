import {
  formErrorsReply,
  helpReply,
  listReply,
  submittedReply,
  usageReply,
} from '../../../lambdas/slack/blocks/command-replies';
import { pendingRequest, requestIn } from '../../support/requests';

describe('command replies', () => {
  it('help names every form of the command and the approval channel', () => {
    const { text, blocks } = helpReply('C0APPROVALS');
    const parts = ['`/jit`', '`/jit list`', '`/jit help`', '`/jit audit since 30d`', '/jit cluster1/svm1 vsadmin 2h'];
    for (const part of [...parts, '<#C0APPROVALS>']) expect(text).toContain(part);
    expect(blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text } }]);
  });

  it('lists requests with status, progress and end, escaped, ten lines per section', () => {
    const requests = [
      requestIn('ACTIVE'),
      { ...pendingRequest({ approvalsRequired: 2, role: 'v<a>' }) },
      ...Array.from({ length: 10 }, () => requestIn('DENIED')),
    ];
    const { text, blocks } = listReply(requests);
    expect(blocks).toHaveLength(4);
    const first = JSON.stringify(blocks[1]);
    // The window granted, start and end, as the DM and the approval message show it.
    expect(first).toContain(
      '*ACTIVE*: vsadmin on cluster1/svm1 for 1 hour, from <!date^1795341720^{date_short_pretty} {time}|2026-11-22 10:02:00 UTC> to <!date^1795345320^',
    );
    expect(first).toContain('(0 of 2): v&lt;a&gt; on cluster1/svm1 for 1 hour from approval, asked');
    expect(first).toContain('*PENDING* (0 of 2): v&lt;a&gt; on cluster1/svm1');
    expect(text).toMatch(/^Your requests: JIT|^Your requests: 2026/);
    expect(listReply([]).text).toContain('You have no requests yet');
  });

  it('offers "Request again" for the five newest ended requests, one action id each', () => {
    const ended = Array.from({ length: 7 }, () => requestIn('DENIED'));
    const { blocks } = listReply([requestIn('ACTIVE'), ...ended]);
    const again = blocks.at(-1);
    expect(again?.type).toBe('actions');
    const elements = again?.type === 'actions' ? again.elements : [];
    expect(elements.map((e) => ('action_id' in e ? e.action_id : ''))).toEqual(
      [0, 1, 2, 3, 4].map((i) => `jit_request_again@${i}`),
    );
    expect(elements.map((e) => ('value' in e ? e.value : ''))).toEqual(ended.slice(0, 5).map((r) => r.id));
    expect(listReply([requestIn('ACTIVE')]).blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('confirms a submitted request, or says it was already submitted', () => {
    const request = pendingRequest();
    expect(submittedReply(request, 'C0APPROVALS', false).text).toMatch(
      /^Submitted: request `[^`]+` for \*vsadmin\* on \*cluster1\/svm1\* for \*1 hour\* as `alice`/,
    );
    expect(submittedReply(request, 'C0APPROVALS', true).text).toMatch(/^Already submitted/);
  });

  it('lists form errors in form order, escaped', () => {
    const { text } = formErrorsReply({ justification: 'too short', duration: '"<!here>" is not a duration' });
    expect(text).toBe(
      'Nothing was submitted:\n• *duration*: "&lt;!here&gt;" is not a duration\n• *justification*: too short\nSee `/jit help`.',
    );
    expect(usageReply().text).toContain('That is not a request I understand');
  });
});
