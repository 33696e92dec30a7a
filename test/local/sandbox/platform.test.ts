import { isValidSlackRequest } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { createSlackPlatform, type SlackPlatform } from '../../../local/sandbox/platform';
import { type SlackApiStandIn, startSlackApi } from '../../../local/slack-api/server';
import { type ScriptedIngress, startScriptedIngress } from './support/scripted-ingress';

const SECRET = 'test-signing-secret';
let slack: SlackApiStandIn;
let ingress: ScriptedIngress;
let platform: SlackPlatform;
let web: WebClient;

beforeAll(async () => {
  slack = await startSlackApi({ botToken: 'xoxb-test' });
  ingress = await startScriptedIngress();
  web = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
});
afterAll(async () => {
  await ingress.close();
  await slack.close();
});
beforeEach(() => {
  slack.reset();
  ingress.received.length = 0;
  ingress.answer = () => ({});
  platform = createSlackPlatform({
    slack,
    ingressUrl: ingress.url,
    signingSecret: SECRET,
    channels: [{ id: 'C0APPROVALS', name: 'jit-approvals' }],
    ackTimeoutMs: 500,
  });
});

const signedBySlack = (request: ScriptedIngress['received'][number]): boolean =>
  isValidSlackRequest({
    signingSecret: SECRET,
    body: request.rawBody,
    headers: {
      'x-slack-signature': String(request.headers['x-slack-signature']),
      'x-slack-request-timestamp': Number(request.headers['x-slack-request-timestamp']),
    },
  });

const modal = (extra: object = {}) => ({
  type: 'modal' as const,
  callback_id: 'jit_request',
  title: { type: 'plain_text' as const, text: 'Request access' },
  submit: { type: 'plain_text' as const, text: 'Request' },
  blocks: [
    {
      type: 'input',
      block_id: 'why',
      label: { type: 'plain_text', text: 'Why' },
      element: { type: 'plain_text_input', action_id: 'why' },
    },
  ],
  ...extra,
});

async function openModal(user = 'U0ALICE', extra: object = {}): Promise<string> {
  const opened = await web.views.open({ trigger_id: slack.issueTrigger(user), view: modal(extra) as never });
  return opened.view!.id!;
}

describe('slash commands', () => {
  it('are posted signed and form-encoded, with a trigger views.open accepts and a response URL that posts back', async () => {
    ingress.answer = () => ({});
    const outcome = await platform.runCommand('U0ALICE', 'C0APPROVALS', '/jit svm1 vsadmin 2h fix snapmirror');
    expect(outcome).toEqual({ status: 200, shown: 'none' });
    const [request] = ingress.received;
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(signedBySlack(request!)).toBe(true);
    expect(Object.fromEntries(request!.form)).toMatchObject({
      command: '/jit',
      text: 'svm1 vsadmin 2h fix snapmirror',
      user_id: 'U0ALICE',
      user_name: 'alice',
      channel_id: 'C0APPROVALS',
      channel_name: 'jit-approvals',
    });
    await web.views.open({ trigger_id: request!.form.get('trigger_id')!, view: modal() });
    expect(slack.topViewOf('U0ALICE')?.view.callback_id).toBe('jit_request');
    await fetch(request!.form.get('response_url')!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Working on it' }),
    });
    expect(slack.messages).toEqual([
      expect.objectContaining({ channel: 'C0APPROVALS', text: 'Working on it', visibleTo: 'U0ALICE' }),
    ]);
  });

  it('show an immediate answer to the one person, or to the channel when in_channel; plain text too', async () => {
    ingress.answer = () => ({
      body: { text: 'Usage: /jit', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Usage' } }] },
    });
    await platform.runCommand('U0ALICE', 'C0APPROVALS', '/jit help');
    ingress.answer = () => ({ body: { response_type: 'in_channel', text: 'Everyone sees this' } });
    await platform.runCommand('U0ALICE', 'C0APPROVALS', '/jit announce');
    ingress.answer = () => ({ body: 'plain words' });
    await platform.runCommand('U0BOB', slack.dmChannelOf('U0BOB'), '/jit');
    expect(slack.messages.map((m) => [m.channel, m.text, m.visibleTo ?? null, m.blocks.length])).toEqual([
      ['C0APPROVALS', 'Usage: /jit', 'U0ALICE', 1],
      ['C0APPROVALS', 'Everyone sees this', null, 0],
      ['D0BOB', 'plain words', 'U0BOB', 0],
    ]);
    expect(ingress.received[2]!.form.get('channel_name')).toBe('directmessage');
  });

  it("tell the person when the app fails, the way Slack's own notices do", async () => {
    ingress.answer = () => ({ status: 500, body: 'boom' });
    expect(await platform.runCommand('U0ALICE', 'C0APPROVALS', '/jit')).toEqual({ status: 500, shown: 'failed' });
    ingress.answer = () => ({ delayMs: 1500 });
    expect((await platform.runCommand('U0ALICE', 'C0APPROVALS', '/jit')).shown).toBe('failed');
    const gone = createSlackPlatform({
      slack,
      ingressUrl: 'http://127.0.0.1:1/slack/events',
      signingSecret: SECRET,
      channels: [],
    });
    await gone.runCommand('U0ALICE', 'C0APPROVALS', '/jit');
    expect(slack.messages.map((m) => [m.text, m.author, m.visibleTo])).toEqual([
      ['/jit failed with the error "http_service_error"', 'USLACKBOT', 'U0ALICE'],
      ['/jit failed with the error "operation_timeout"', 'USLACKBOT', 'U0ALICE'],
      ['/jit failed with the error "dispatch_failed"', 'USLACKBOT', 'U0ALICE'],
    ]);
    expect(platform.sent.map((s) => s.status)).toEqual([500, null]);
  });

  it('refuse what is not a command and people or channels nobody knows', async () => {
    await expect(platform.runCommand('U0ALICE', 'C0APPROVALS', 'hello')).rejects.toThrow('Type a slash command');
    await expect(platform.runCommand('U0NOBODY', 'C0APPROVALS', '/jit')).rejects.toThrow('Unknown user');
    await expect(platform.runCommand('U0ALICE', 'not a channel', '/jit')).rejects.toThrow('Unknown channel');
    expect(ingress.received).toHaveLength(0);
  });
});

describe('modals', () => {
  it('check required fields in the client, then submit; an empty answer closes the view', async () => {
    const viewId = await openModal();
    expect(await platform.submitView('U0ALICE', viewId, { why: { why: null } })).toEqual({
      outcome: 'errors',
      errors: { why: 'Please complete this required field.' },
      local: true,
    });
    expect(ingress.received).toHaveLength(0);
    expect(await platform.submitView('U0ALICE', viewId, { why: { why: 'fix it' } })).toEqual({ outcome: 'closed' });
    expect(signedBySlack(ingress.received[0]!)).toBe(true);
    expect(ingress.received[0]!.payload).toMatchObject({
      type: 'view_submission',
      view: {
        id: viewId,
        callback_id: 'jit_request',
        state: { values: { why: { why: { type: 'plain_text_input', value: 'fix it' } } } },
      },
    });
    expect(slack.topViewOf('U0ALICE')).toBeUndefined();
  });

  it('show response_action errors, and apply update, push and clear', async () => {
    const viewId = await openModal();
    ingress.answer = () => ({ body: { response_action: 'errors', errors: { why: 'Say more.' } } });
    expect(await platform.submitView('U0ALICE', viewId, { why: { why: 'x' } })).toEqual({
      outcome: 'errors',
      errors: { why: 'Say more.' },
    });
    expect(slack.topViewOf('U0ALICE')?.id).toBe(viewId);
    ingress.answer = () => ({ body: { response_action: 'update', view: modal({ callback_id: 'step_two' }) } });
    expect((await platform.submitView('U0ALICE', viewId, { why: { why: 'x' } })).outcome).toBe('updated');
    expect(slack.topViewOf('U0ALICE')).toMatchObject({ id: viewId, view: { callback_id: 'step_two' } });
    ingress.answer = () => ({ body: { response_action: 'push', view: modal({ callback_id: 'confirm' }) } });
    expect((await platform.submitView('U0ALICE', viewId, { why: { why: 'x' } })).outcome).toBe('pushed');
    const pushed = slack.topViewOf('U0ALICE')!;
    expect(pushed).toMatchObject({ previousViewId: viewId, rootViewId: viewId, view: { callback_id: 'confirm' } });
    ingress.answer = () => ({});
    expect((await platform.submitView('U0ALICE', pushed.id, { why: { why: 'x' } })).outcome).toBe('closed');
    expect(slack.topViewOf('U0ALICE')?.id).toBe(viewId);
    const submitted = ingress.received.at(-1)!.payload!;
    expect(submitted.view).toMatchObject({ previous_view_id: viewId, root_view_id: viewId });
    ingress.answer = () => ({ body: { response_action: 'clear' } });
    expect((await platform.submitView('U0ALICE', viewId, { why: { why: 'x' } })).outcome).toBe('cleared');
    expect(slack.topViewOf('U0ALICE')).toBeUndefined();
  });

  it("say Slack's trouble message when the app fails or answers nonsense", async () => {
    const viewId = await openModal();
    ingress.answer = () => ({ status: 500 });
    expect(await platform.submitView('U0ALICE', viewId, { why: { why: 'x' } })).toEqual({
      outcome: 'failed',
      message: 'We had some trouble connecting. Try again?',
    });
    ingress.answer = () => ({ body: { response_action: 'dance' } });
    expect((await platform.submitView('U0ALICE', viewId, { why: { why: 'x' } })).outcome).toBe('failed');
    expect(slack.topViewOf('U0ALICE')?.id).toBe(viewId);
  });

  it('send view_closed only when the app asked to be notified', async () => {
    const quiet = await openModal();
    await platform.closeView('U0ALICE', quiet, false);
    expect(ingress.received).toHaveLength(0);
    const noisy = await openModal('U0ALICE', { notify_on_close: true });
    await platform.closeView('U0ALICE', noisy, true);
    expect(ingress.received[0]!.payload).toMatchObject({
      type: 'view_closed',
      is_cleared: true,
      view: { id: noisy, notify_on_close: true },
    });
    expect(slack.topViewOf('U0ALICE')).toBeUndefined();
  });

  it('belong to the person who opened them: nobody else can submit or act in them', async () => {
    const viewId = await openModal('U0ALICE');
    await expect(platform.submitView('U0EVE', viewId, {})).rejects.toThrow('No open view');
    await expect(platform.viewAction('U0EVE', viewId, 'why', 'why', {})).rejects.toThrow('No open view');
  });

  it('post block_actions from inside a view with its current state', async () => {
    const viewId = await openModal();
    const outcome = await platform.viewAction('U0ALICE', viewId, 'why', 'why', { why: { why: 'typing' } });
    expect(outcome).toEqual({ status: 200, ok: true });
    expect(ingress.received[0]!.payload).toMatchObject({
      type: 'block_actions',
      container: { type: 'view', view_id: viewId },
      view: { state: { values: { why: { why: { value: 'typing' } } } } },
      actions: [{ type: 'plain_text_input', action_id: 'why', block_id: 'why', value: 'typing' }],
    });
  });
});

describe('message buttons', () => {
  const decision = [
    {
      type: 'actions',
      block_id: 'decision',
      elements: [
        {
          type: 'button',
          action_id: 'approve',
          value: 'REQ-1',
          style: 'primary',
          text: { type: 'plain_text', text: 'Approve' },
        },
      ],
    },
  ];

  it('post block_actions whose response_url replaces the message in place', async () => {
    const posted = await web.chat.postMessage({ channel: 'C0APPROVALS', text: 'Approve?', blocks: decision });
    ingress.answer = async (request) => {
      await fetch(String(request.payload!.response_url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ replace_original: true, text: 'Approved by <@U0BOB>' }),
      });
      return {};
    };
    expect(await platform.messageAction('U0BOB', 'C0APPROVALS', posted.ts!, 'decision', 'approve', {})).toEqual({
      status: 200,
      ok: true,
    });
    expect(signedBySlack(ingress.received[0]!)).toBe(true);
    expect(ingress.received[0]!.payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0BOB', username: 'bob' },
      container: { type: 'message', message_ts: posted.ts, channel_id: 'C0APPROVALS', is_ephemeral: false },
      channel: { id: 'C0APPROVALS', name: 'jit-approvals' },
      message: { ts: posted.ts, text: 'Approve?' },
      actions: [{ action_id: 'approve', block_id: 'decision', value: 'REQ-1', style: 'primary', type: 'button' }],
    });
    expect(slack.messages).toEqual([
      expect.objectContaining({ ts: posted.ts, text: 'Approved by <@U0BOB>', blocks: [], edited: 1 }),
    ]);
  });

  it("report a failing app, and keep other people's ephemeral messages out of reach", async () => {
    const posted = await web.chat.postMessage({ channel: 'C0APPROVALS', text: 'Approve?', blocks: decision });
    ingress.answer = () => ({ status: 503 });
    expect(await platform.messageAction('U0BOB', 'C0APPROVALS', posted.ts!, 'decision', 'approve', {})).toEqual({
      status: 503,
      ok: false,
      message: 'The app answered HTTP 503.',
    });
    await web.chat.postEphemeral({ channel: 'C0APPROVALS', user: 'U0ALICE', text: 'Only Alice', blocks: decision });
    const ephemeral = slack.messages.at(-1)!;
    await expect(
      platform.messageAction('U0EVE', 'C0APPROVALS', ephemeral.ts, 'decision', 'approve', {}),
    ).rejects.toThrow('No message');
    ingress.answer = () => ({});
    await platform.messageAction('U0ALICE', 'C0APPROVALS', ephemeral.ts, 'decision', 'approve', {});
    expect(ingress.received.at(-1)!.payload).toMatchObject({ container: { is_ephemeral: true } });
    expect(ingress.received.at(-1)!.payload).not.toHaveProperty('message');
    await expect(platform.messageAction('U0BOB', 'C0APPROVALS', posted.ts!, 'decision', 'nope', {})).rejects.toThrow(
      'No element',
    );
  });
});
