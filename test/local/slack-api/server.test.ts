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
    await expect(web.usergroups.users.list({ usergroup: 'S0NONE' })).rejects.toMatchObject({
      data: { error: 'no_such_subteam' },
    });
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
    const view = {
      type: 'modal' as const,
      callback_id: 'jit_request',
      title: { type: 'plain_text' as const, text: 'Request' },
      blocks: [],
    };
    const opened = await web.views.open({ trigger_id: trigger, view });
    expect(opened.view?.id).toBeDefined();
    await expect(web.views.open({ trigger_id: trigger, view })).rejects.toMatchObject({
      data: { error: 'expired_trigger_id' },
    });
    await expect(web.views.update({ view_id: opened.view!.id!, hash: 'stale', view })).rejects.toMatchObject({
      data: { error: 'hash_conflict' },
    });
    await web.views.update({
      view_id: opened.view!.id!,
      hash: opened.view!.hash!,
      view: { ...view, callback_id: 'changed' },
    });
    expect(slack.views.get(opened.view!.id!)?.view.callback_id).toBe('changed');
    expect(slack.views.get(opened.view!.id!)?.user).toBe('U0ALICE');
  });

  it('keeps ephemeral messages to the one user, and records response_url posts', async () => {
    await web.chat.postEphemeral({ channel: 'C0APPROVALS', user: 'U0EVE', text: 'not an approver' });
    expect(slack.messages[0]).toMatchObject({ visibleTo: 'U0EVE', text: 'not an approver' });
    const url = slack.issueResponseUrl();
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'done' }),
    });
    expect(slack.responses).toEqual([{ id: url.split('/').pop(), body: { text: 'done' } }]);
  });
});

describe('Slack Web API stand-in, as the platform the sandbox drives', () => {
  const modal = (callback: string) => ({
    type: 'modal' as const,
    callback_id: callback,
    title: { type: 'plain_text' as const, text: callback },
    blocks: [],
  });

  it('stacks pushed views onto the open modal, at most three, and closes one or the whole stack', async () => {
    const root = await web.views.open({ trigger_id: slack.issueTrigger('U0ALICE'), view: modal('one') });
    const second = await web.views.push({ trigger_id: slack.issueTrigger('U0ALICE'), view: modal('two') });
    expect(second.view).toMatchObject({ root_view_id: root.view!.id, previous_view_id: root.view!.id });
    const third = slack.pushView(second.view!.id!, modal('three'));
    expect(third).toMatchObject({ rootViewId: root.view!.id, previousViewId: second.view!.id, user: 'U0ALICE' });
    await expect(
      web.views.push({ trigger_id: slack.issueTrigger('U0ALICE'), view: modal('four') }),
    ).rejects.toMatchObject({
      data: { error: 'push_limit_reached' },
    });
    expect(slack.topViewOf('U0ALICE')?.view.callback_id).toBe('three');
    expect(slack.closeView(third.id).map((v) => v.view.callback_id)).toEqual(['three']);
    expect(slack.topViewOf('U0ALICE')?.view.callback_id).toBe('two');
    const updated = slack.updateView(second.view!.id!, modal('two-b'));
    expect(updated.hash).not.toBe(second.view!.hash);
    expect(slack.closeView(root.view!.id!, { stack: true }).map((v) => v.view.callback_id)).toEqual(['two-b', 'one']);
    expect(slack.topViewOf('U0ALICE')).toBeUndefined();
    expect(slack.topViewOf('U0BOB')).toBeUndefined();
  });

  it('shows response URL posts where Slack would: ephemeral, in channel, replacing or deleting the original', async () => {
    const original = await web.chat.postMessage({ channel: 'C0APPROVALS', text: 'approve?', blocks: [] });
    const post = (url: string, body: object) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const onMessage = { user: 'U0BOB', channel: 'C0APPROVALS', messageTs: original.ts! };
    await post(slack.issueResponseUrl(onMessage), { text: 'only you see this' });
    await post(slack.issueResponseUrl(onMessage), { text: 'everyone sees this', response_type: 'in_channel' });
    await post(slack.issueResponseUrl(onMessage), { text: 'approved', replace_original: true });
    expect(slack.messages.map((m) => [m.text, m.visibleTo ?? null, m.edited])).toEqual([
      ['approved', null, 1],
      ['only you see this', 'U0BOB', 0],
      ['everyone sees this', null, 0],
    ]);
    await post(slack.issueResponseUrl(onMessage), { delete_original: 'true' });
    expect(slack.messages.map((m) => m.text)).toEqual(['only you see this', 'everyone sees this']);
    await post(slack.issueResponseUrl(), { text: 'no context: recorded only' });
    expect(slack.messages).toHaveLength(2);
    expect(slack.responses).toHaveLength(5);
  });

  it('adds the messages Slack itself shows and knows its directory', () => {
    const notice = slack.addMessage({
      channel: 'C0APPROVALS',
      text: '/jit failed',
      blocks: [],
      visibleTo: 'U0EVE',
      author: 'USLACKBOT',
    });
    expect(slack.messages).toEqual([notice]);
    expect(notice.ts).toMatch(/^\d+\.\d{6}$/);
    expect(slack.directory.users.map((u) => u.name)).toContain('erin');
  });
});
