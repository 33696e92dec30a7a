import { WebClient } from '@slack/web-api';
import { SlackCallError, SlackTransientError } from '../../lambdas/slack/errors';
import { Notifier } from '../../lambdas/slack/notifier';
import { type SlackApiStandIn, startSlackApi } from '../../local/slack-api/server';
import { requestIn } from '../support/requests';

let slack: SlackApiStandIn;
let notifier: Notifier;

beforeAll(async () => {
  slack = await startSlackApi();
  notifier = new Notifier({
    client: new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } }),
    approvalChannel: 'C0APPROVALS',
  });
});
afterAll(() => slack.close());
beforeEach(() => slack.reset());

describe('the notifier', () => {
  it('posts a message once and then updates it in place', async () => {
    const pending = requestIn('PENDING');
    const ref = await notifier.approval(pending);
    expect(ref.channel).toBe('C0APPROVALS');
    const approved = { ...requestIn('APPROVED', pending), slack: { approval: ref } };
    expect(await notifier.approval(approved)).toEqual(ref);
    expect(slack.messages).toHaveLength(1);
    expect(slack.messages[0]).toMatchObject({ ts: ref.ts, edited: 1 });
    expect(slack.messages[0]?.text).toContain('Approved by <@U0BOB>');
  });

  it('updates a message where it is, and never posts a new one when that message is gone', async () => {
    const ref = await notifier.approval(requestIn('PENDING'));
    await notifier.update(ref, { text: 'replaced', blocks: [] });
    expect(slack.messages).toEqual([expect.objectContaining({ ts: ref.ts, text: 'replaced', edited: 1 })]);
    const gone = { channel: 'C0APPROVALS', ts: '1.000009' };
    await expect(notifier.update(gone, { text: 'x', blocks: [] })).rejects.toBeInstanceOf(SlackCallError);
    expect(slack.messages).toHaveLength(1);
  });

  it("opens the requester's DM for their status message", async () => {
    const ref = await notifier.requester(requestIn('PENDING'));
    expect(ref.channel).toBe(slack.dmChannelOf('U0ALICE'));
    expect(slack.callsTo('conversations.open')).toHaveLength(1);
  });

  it('threads an event under the approval message, and only when there is one', async () => {
    const active = requestIn('ACTIVE');
    expect(await notifier.thread(active)).toBe(false);
    const ref = await notifier.approval(active);
    expect(await notifier.thread({ ...active, slack: { approval: ref } })).toBe(true);
    expect(slack.messages.find((m) => m.threadTs === ref.ts)?.text).toContain('Granted');
  });

  it('names a refusal and a failure worth retrying apart', async () => {
    const request = { ...requestIn('PENDING'), slack: { approval: { channel: 'C0APPROVALS', ts: '1.000001' } } };
    const refused = await notifier.approval(request).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SlackCallError);
    expect(refused).toMatchObject({ slackError: 'message_not_found' });
    const unreachable = new Notifier({
      client: new WebClient('xoxb-test', { slackApiUrl: 'http://127.0.0.1:9/api/', retryConfig: { retries: 0 } }),
      approvalChannel: 'C0X',
    });
    await expect(unreachable.requester(requestIn('PENDING'))).rejects.toBeInstanceOf(SlackTransientError);
  });
});
