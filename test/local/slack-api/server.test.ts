import { WebClient } from '@slack/web-api';
import { type SlackApiStandIn, startSlackApi } from '../../../local/slack-api/server';

let slack: SlackApiStandIn;
let web: WebClient;

beforeAll(async () => {
  slack = await startSlackApi({ botToken: 'xoxb-test' });
  web = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
});
afterAll(() => slack.close());
beforeEach(() => slack.reset());

describe('Slack Web API stand-in, through @slack/web-api', () => {
  it('posts, threads and updates messages, DMs by user id included', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }];
    const posted = await web.chat.postMessage({ channel: 'C0APPROVALS', text: 'hello', blocks });
    expect(posted.ok).toBe(true);
    const reply = await web.chat.postMessage({ channel: 'C0APPROVALS', text: 'granted', thread_ts: posted.ts! });
    const dm = await web.chat.postMessage({ channel: 'U0ALICE', text: 'your request' });
    expect(dm.channel).toBe(slack.dmChannelOf('U0ALICE'));
    await web.chat.update({ channel: 'C0APPROVALS', ts: posted.ts!, text: 'decided', blocks: [] });
    expect(slack.messages.map((m) => [m.channel, m.text, m.threadTs ?? null, m.edited])).toEqual([
      ['C0APPROVALS', 'decided', null, 1],
      ['C0APPROVALS', 'granted', posted.ts, 0],
      ['D0ALICE', 'your request', null, 0],
    ]);
    expect(reply.ts).not.toBe(posted.ts);
    expect(slack.callsTo('chat.postMessage')[0]?.args.blocks).toEqual(blocks);
  });

  it('answers errors as Slack does', async () => {
    await expect(web.chat.update({ channel: 'C0APPROVALS', ts: '1.000001', text: 'x' })).rejects.toMatchObject({
      data: { ok: false, error: 'message_not_found' },
    });
    await expect(web.users.info({ user: 'U0NOBODY' })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
    await expect(web.usergroups.users.list({ usergroup: 'S0NONE' })).rejects.toMatchObject({ data: { error: 'no_such_subteam' } });
    const wrong = new WebClient('xoxb-wrong', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    await expect(wrong.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
  });

  it('knows the example workspace', async () => {
    const info = await web.users.info({ user: 'U0ALICE' });
    expect(info.user).toMatchObject({ name: 'alice', tz: 'Europe/Paris', profile: { email: 'alice@example.com' } });
    expect((await web.usergroups.users.list({ usergroup: 'S0STORAGE' })).users).toEqual(['U0ERIN']);
    expect((await web.conversations.open({ users: 'U0BOB' })).channel?.id).toBe('D0BOB');
  });

  it('opens a modal once per trigger and updates it by id with the hash', async () => {
    const trigger = slack.issueTrigger('U0ALICE');
    const view = { type: 'modal' as const, callback_id: 'jit_request', title: { type: 'plain_text' as const, text: 'Request' }, blocks: [] };
    const opened = await web.views.open({ trigger_id: trigger, view });
    expect(opened.view?.id).toBeDefined();
    await expect(web.views.open({ trigger_id: trigger, view })).rejects.toMatchObject({ data: { error: 'expired_trigger_id' } });
    await expect(web.views.update({ view_id: opened.view!.id!, hash: 'stale', view })).rejects.toMatchObject({
      data: { error: 'hash_conflict' },
    });
    await web.views.update({ view_id: opened.view!.id!, hash: opened.view!.hash!, view: { ...view, callback_id: 'changed' } });
    expect(slack.views.get(opened.view!.id!)?.view.callback_id).toBe('changed');
    expect(slack.views.get(opened.view!.id!)?.user).toBe('U0ALICE');
  });

  it('keeps ephemeral messages to the one user, and records response_url posts', async () => {
    await web.chat.postEphemeral({ channel: 'C0APPROVALS', user: 'U0EVE', text: 'not an approver' });
    expect(slack.messages[0]).toMatchObject({ visibleTo: 'U0EVE', text: 'not an approver' });
    const url = slack.issueResponseUrl();
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'done' }) });
    expect(slack.responses).toEqual([{ id: url.split('/').pop(), body: { text: 'done' } }]);
  });
});
