import { normalizeBlocks } from '../../../local/sandbox/block-kit';
import {
  actionItem,
  actionTs,
  blockActionsInView,
  blockActionsOnMessage,
  interactionBody,
  type PayloadView,
  parseSlashLine,
  slashCommandBody,
  viewClosed,
  viewSubmission,
} from '../../../local/sandbox/payloads';
import { DEFAULT_INSTALL } from '../../../local/sandbox/platform';
import { stateValues } from '../../../local/sandbox/state-values';

const install = DEFAULT_INSTALL;
const alice = { id: 'U0ALICE', name: 'alice' };
const plain = (text: string) => ({ type: 'plain_text', text, emoji: true });

const modalBlocks = normalizeBlocks(
  [
    {
      type: 'input',
      block_id: 'duration',
      label: { type: 'plain_text', text: 'For how long' },
      element: { type: 'plain_text_input', action_id: 'duration' },
    },
    {
      type: 'input',
      block_id: 'svm',
      label: { type: 'plain_text', text: 'SVM' },
      element: {
        type: 'static_select',
        action_id: 'svm',
        placeholder: { type: 'plain_text', text: 'Pick' },
        options: [{ text: { type: 'plain_text', text: 'svm1' }, value: 'svm1' }],
      },
    },
  ],
  'V1',
);
const view: PayloadView = {
  id: 'V1',
  hash: '1700000000.000001',
  rootViewId: 'V1',
  view: {
    type: 'modal',
    callback_id: 'jit_request',
    private_metadata: '{"c":1}',
    title: plain('Request'),
    submit: plain('Request'),
    close: plain('Cancel'),
  },
  rawBlocks: modalBlocks.raw,
};

describe('slash commands', () => {
  it('are the form fields Slack sends, in its order, URL-encoded, with &, < and > escaped in the text', () => {
    const body = slashCommandBody(install, {
      user: alice,
      channel: { id: 'C0APPROVALS', name: 'jit-approvals' },
      command: '/jit',
      text: 'svm1 vsadmin 2h fix <snapmirror> & more',
      responseUrl: 'http://127.0.0.1:9/response/R1',
      triggerId: '1700000000.T1',
    });
    expect(body).toBe(
      'token=sandbox-verification-token&team_id=T0LOCAL&team_domain=local&channel_id=C0APPROVALS&channel_name=jit-approvals' +
        '&user_id=U0ALICE&user_name=alice&command=%2Fjit&text=svm1+vsadmin+2h+fix+%26lt%3Bsnapmirror%26gt%3B+%26amp%3B+more' +
        '&api_app_id=A0JITAPP&is_enterprise_install=false&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fresponse%2FR1&trigger_id=1700000000.T1',
    );
    expect(new URLSearchParams(body).get('text')).toBe('svm1 vsadmin 2h fix &lt;snapmirror&gt; &amp; more');
  });

  it('split what was typed into command and text', () => {
    expect(parseSlashLine('/jit')).toEqual({ command: '/jit', text: '' });
    expect(parseSlashLine('  /JIT   list  ')).toEqual({ command: '/jit', text: 'list' });
    expect(parseSlashLine('/jit svm1 vsadmin 2h fix snapmirror')).toEqual({
      command: '/jit',
      text: 'svm1 vsadmin 2h fix snapmirror',
    });
    expect(parseSlashLine('hello /jit')).toBeUndefined();
    expect(parseSlashLine('//jit')).toBeUndefined();
  });
});

describe('interactions', () => {
  it('travel as one payload form field holding the JSON', () => {
    const body = interactionBody({ type: 'block_actions', text: 'a b&c' });
    expect(body.startsWith('payload=%7B%22type%22%3A%22block_actions%22')).toBe(true);
    expect(JSON.parse(new URLSearchParams(body).get('payload')!)).toEqual({ type: 'block_actions', text: 'a b&c' });
    expect(actionTs(1_700_000_000_123)).toBe('1700000000.123000');
  });

  it('block_actions on a message carries the container, channel, message, response_url and the button', () => {
    const message = normalizeBlocks(
      [
        {
          type: 'actions',
          block_id: 'decision',
          elements: [
            {
              type: 'button',
              action_id: 'approve',
              style: 'primary',
              value: 'REQ-1',
              text: { type: 'plain_text', text: 'Approve' },
            },
          ],
        },
      ],
      'C0APPROVALS/1.1',
    );
    const element = message.blocks[0]!.type === 'actions' ? message.blocks[0]!.elements[0]! : undefined;
    if (element?.type !== 'button') throw new Error('no button');
    const payload = blockActionsOnMessage(install, {
      user: alice,
      channel: { id: 'C0APPROVALS', name: 'jit-approvals' },
      message: { ts: '1700000000.000002', text: 'Access request', rawBlocks: message.raw, ephemeral: false },
      action: { blockId: 'decision', element, actionTs: '1700000001.000000' },
      state: {},
      responseUrl: 'http://x/response/R2',
      triggerId: 'T2',
    });
    expect(Object.keys(payload)).toEqual([
      'type',
      'user',
      'api_app_id',
      'token',
      'container',
      'trigger_id',
      'team',
      'enterprise',
      'is_enterprise_install',
      'channel',
      'message',
      'state',
      'response_url',
      'actions',
    ]);
    expect(payload).toEqual({
      type: 'block_actions',
      user: { id: 'U0ALICE', username: 'alice', name: 'alice', team_id: 'T0LOCAL' },
      api_app_id: 'A0JITAPP',
      token: 'sandbox-verification-token',
      container: { type: 'message', message_ts: '1700000000.000002', channel_id: 'C0APPROVALS', is_ephemeral: false },
      trigger_id: 'T2',
      team: { id: 'T0LOCAL', domain: 'local' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: 'C0APPROVALS', name: 'jit-approvals' },
      message: {
        user: 'U0JITBOT',
        type: 'message',
        ts: '1700000000.000002',
        bot_id: 'B0JITBOT',
        app_id: 'A0JITAPP',
        text: 'Access request',
        team: 'T0LOCAL',
        blocks: [
          {
            type: 'actions',
            block_id: 'decision',
            elements: [
              { type: 'button', action_id: 'approve', style: 'primary', value: 'REQ-1', text: plain('Approve') },
            ],
          },
        ],
      },
      state: { values: {} },
      response_url: 'http://x/response/R2',
      actions: [
        {
          action_id: 'approve',
          block_id: 'decision',
          text: plain('Approve'),
          value: 'REQ-1',
          style: 'primary',
          type: 'button',
          action_ts: '1700000001.000000',
        },
      ],
    });
  });

  it('block_actions on an ephemeral message has no message, and a threaded one names its thread', () => {
    const message = normalizeBlocks(
      [{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Cancel' } }] }],
      'D0ALICE/2.2',
    );
    const block = message.blocks[0]!;
    const element = block.type === 'actions' ? block.elements[0] : undefined;
    if (element?.type !== 'button') throw new Error('no button');
    const args = {
      user: alice,
      channel: { id: 'D0ALICE', name: 'directmessage' },
      action: { blockId: block.block_id, element, actionTs: '1.000000' },
      state: {},
      responseUrl: 'http://x/r',
      triggerId: 'T',
    };
    const ephemeral = blockActionsOnMessage(install, {
      ...args,
      message: { ts: '2.2', text: 'x', rawBlocks: message.raw, ephemeral: true },
    });
    expect(ephemeral).not.toHaveProperty('message');
    expect(ephemeral.container).toEqual({
      type: 'message',
      message_ts: '2.2',
      channel_id: 'D0ALICE',
      is_ephemeral: true,
    });
    const threaded = blockActionsOnMessage(install, {
      ...args,
      message: { ts: '2.3', text: 'x', rawBlocks: message.raw, ephemeral: false, threadTs: '2.2' },
    });
    expect(threaded.container).toMatchObject({ thread_ts: '2.2' });
    expect(threaded.message).toMatchObject({ thread_ts: '2.2' });
    // Slack generated the ids the app left out, and sends them back.
    expect((ephemeral.actions as { block_id: string; action_id: string }[])[0]).toMatchObject({
      block_id: block.block_id,
      action_id: element.action_id,
    });
    expect(block.block_id).toMatch(/^[0-9A-Za-z]{5}$/);
  });

  it('view_submission carries the whole view with state.values, as Slack orders it', () => {
    const state = stateValues(modalBlocks.blocks, { duration: { duration: '2h' }, svm: { svm: 'svm1' } });
    const payload = viewSubmission(install, { user: alice, view, state, triggerId: 'T3' });
    expect(Object.keys(payload)).toEqual([
      'type',
      'team',
      'user',
      'api_app_id',
      'token',
      'trigger_id',
      'view',
      'response_urls',
      'is_enterprise_install',
      'enterprise',
    ]);
    expect(Object.keys(payload.view as object)).toEqual([
      'id',
      'team_id',
      'type',
      'blocks',
      'private_metadata',
      'callback_id',
      'state',
      'hash',
      'title',
      'clear_on_close',
      'notify_on_close',
      'close',
      'submit',
      'previous_view_id',
      'root_view_id',
      'app_id',
      'external_id',
      'app_installed_team_id',
      'bot_id',
    ]);
    expect(payload).toMatchObject({
      type: 'view_submission',
      team: { id: 'T0LOCAL', domain: 'local' },
      user: { id: 'U0ALICE', username: 'alice', name: 'alice', team_id: 'T0LOCAL' },
      trigger_id: 'T3',
      response_urls: [],
      view: {
        id: 'V1',
        team_id: 'T0LOCAL',
        type: 'modal',
        private_metadata: '{"c":1}',
        callback_id: 'jit_request',
        hash: '1700000000.000001',
        title: plain('Request'),
        submit: plain('Request'),
        close: plain('Cancel'),
        clear_on_close: false,
        notify_on_close: false,
        previous_view_id: null,
        root_view_id: 'V1',
        app_id: 'A0JITAPP',
        external_id: '',
        app_installed_team_id: 'T0LOCAL',
        bot_id: 'B0JITBOT',
        state: {
          values: {
            duration: { duration: { type: 'plain_text_input', value: '2h' } },
            svm: { svm: { type: 'static_select', selected_option: { text: plain('svm1'), value: 'svm1' } } },
          },
        },
      },
    });
    expect((payload.view as { blocks: unknown[] }).blocks).toEqual(modalBlocks.raw);
  });

  it('block_actions in a view has the view as container, no channel and no response_url', () => {
    const svm = modalBlocks.blocks[1]!;
    if (svm.type !== 'input' || svm.element.type !== 'static_select') throw new Error('no select');
    const payload = blockActionsInView(install, {
      user: alice,
      view: { ...view, previousViewId: 'V0', rootViewId: 'V0' },
      action: { blockId: 'svm', element: svm.element, entry: 'svm1', actionTs: '5.000000' },
      state: stateValues(modalBlocks.blocks, { svm: { svm: 'svm1' } }),
      triggerId: 'T4',
    });
    expect(payload).not.toHaveProperty('channel');
    expect(payload).not.toHaveProperty('response_url');
    expect(payload.container).toEqual({ type: 'view', view_id: 'V1' });
    expect(payload.view).toMatchObject({ previous_view_id: 'V0', root_view_id: 'V0' });
    expect(payload.actions).toEqual([
      {
        type: 'static_select',
        action_id: 'svm',
        block_id: 'svm',
        selected_option: { text: plain('svm1'), value: 'svm1' },
        placeholder: plain('Pick'),
        action_ts: '5.000000',
      },
    ]);
  });

  it('view_closed says whether the whole stack was cleared', () => {
    const payload = viewClosed(install, { user: alice, view, state: {}, isCleared: true });
    expect(payload).toMatchObject({ type: 'view_closed', is_cleared: true, view: { id: 'V1', state: { values: {} } } });
  });

  it('actions of pickers, choices and menus carry what was chosen', () => {
    const blocks = normalizeBlocks(
      [
        {
          type: 'actions',
          block_id: 'a',
          elements: [
            { type: 'datepicker', action_id: 'd', initial_date: '2025-01-01' },
            { type: 'timepicker', action_id: 't' },
            {
              type: 'overflow',
              action_id: 'o',
              options: [{ text: { type: 'plain_text', text: 'Revoke now' }, value: 'revoke' }],
            },
            { type: 'checkboxes', action_id: 'c', options: [{ text: { type: 'mrkdwn', text: '*x*' }, value: 'x' }] },
          ],
        },
      ],
      's',
    );
    const block = blocks.blocks[0]!;
    if (block.type !== 'actions') throw new Error('no actions');
    const [date, time, menu, checks] = block.elements;
    const item = (element: typeof date, entry: string | string[]) =>
      actionItem({ blockId: 'a', element: element as never, entry, actionTs: '1.000000' });
    expect(item(date, '2025-02-03')).toEqual({
      type: 'datepicker',
      action_id: 'd',
      block_id: 'a',
      selected_date: '2025-02-03',
      initial_date: '2025-01-01',
      action_ts: '1.000000',
    });
    expect(item(time, '13:30')).toEqual({
      type: 'timepicker',
      action_id: 't',
      block_id: 'a',
      selected_time: '13:30',
      action_ts: '1.000000',
    });
    expect(item(menu, 'revoke')).toEqual({
      type: 'overflow',
      action_id: 'o',
      block_id: 'a',
      selected_option: { text: plain('Revoke now'), value: 'revoke' },
      action_ts: '1.000000',
    });
    expect(item(checks, ['x'])).toEqual({
      type: 'checkboxes',
      action_id: 'c',
      block_id: 'a',
      selected_options: [{ text: { type: 'mrkdwn', text: '*x*', verbatim: false }, value: 'x' }],
      action_ts: '1.000000',
    });
  });
});
