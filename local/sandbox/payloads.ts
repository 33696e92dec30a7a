/**
 * The requests Slack sends an app, built field for field as Slack builds them: slash commands
 * (form fields), and `block_actions`, `view_submission` and `view_closed` interactions (a `payload`
 * form field holding JSON). Pure: ids, URLs and times come in as arguments.
 * Shapes: https://api.slack.com/interactivity/slash-commands#app_command_handling,
 * https://api.slack.com/reference/interaction-payloads/block-actions,
 * https://api.slack.com/reference/interaction-payloads/views.
 */
import type { ActionElement } from './block-kit';
import { type Entry, elementState, type StateValues } from './state-values';
import { escapeMrkdwn } from './ui/mrkdwn';

/** Who the app is and where it is installed: the fixed parts of every payload. */
export interface AppInstall {
  readonly teamId: string;
  readonly teamDomain: string;
  readonly apiAppId: string;
  readonly botId: string;
  readonly botUserId: string;
  /** The deprecated verification token Slack still sends as `token`. */
  readonly verificationToken: string;
}

/** The person interacting. */
export interface PayloadUser {
  readonly id: string;
  readonly name: string;
}

/** Where it happens; DMs are named `directmessage`, as Slack names them. */
export interface PayloadChannel {
  readonly id: string;
  readonly name: string;
}

/** A stored modal view, as the payloads need it. */
export interface PayloadView {
  readonly id: string;
  readonly hash: string;
  readonly rootViewId: string;
  readonly previousViewId?: string;
  /** The view as the app opened it (title, callback_id, private_metadata…). */
  readonly view: Readonly<Record<string, unknown>>;
  /** Its blocks after Slack's normalisation, as echoed to the app. */
  readonly rawBlocks: readonly Record<string, unknown>[];
}

/** A message as a `block_actions` payload shows it. */
export interface PayloadMessage {
  readonly ts: string;
  readonly text: string;
  readonly rawBlocks: readonly Record<string, unknown>[];
  readonly threadTs?: string;
  readonly ephemeral: boolean;
}

/** The element clicked or changed, and what the person chose (for selects, pickers, inputs). */
export interface PayloadAction {
  readonly blockId: string;
  readonly element: ActionElement;
  readonly entry?: Entry;
  readonly actionTs: string;
}

/** Splits what a person typed (`/jit svm1 vsadmin 2h`) into the command and its text, or undefined if it is not a command. */
export function parseSlashLine(line: string): { command: string; text: string } | undefined {
  const match = /^\s*(\/[^\s/]+)(?:\s+([\s\S]*))?$/.exec(line);
  if (!match?.[1]) return undefined;
  return { command: match[1].toLowerCase(), text: (match[2] ?? '').trim() };
}

/** A slash command's form fields, in the order Slack sends them; `text` is escaped as Slack escapes it. */
export function slashCommandFields(
  install: AppInstall,
  args: {
    user: PayloadUser;
    channel: PayloadChannel;
    command: string;
    text: string;
    responseUrl: string;
    triggerId: string;
  },
): [string, string][] {
  return [
    ['token', install.verificationToken],
    ['team_id', install.teamId],
    ['team_domain', install.teamDomain],
    ['channel_id', args.channel.id],
    ['channel_name', args.channel.name],
    ['user_id', args.user.id],
    ['user_name', args.user.name],
    ['command', args.command],
    // Slack escapes &, < and > in the text it sends apps, as apps escape them in mrkdwn.
    ['text', escapeMrkdwn(args.text)],
    ['api_app_id', install.apiAppId],
    ['is_enterprise_install', 'false'],
    ['response_url', args.responseUrl],
    ['trigger_id', args.triggerId],
  ];
}

/** A slash command's `application/x-www-form-urlencoded` body. */
export function slashCommandBody(...args: Parameters<typeof slashCommandFields>): string {
  return new URLSearchParams(slashCommandFields(...args)).toString();
}

/** An interaction's `application/x-www-form-urlencoded` body: one `payload` field holding the JSON. */
export function interactionBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** `action_ts`: seconds with microseconds, as Slack writes it. */
export function actionTs(nowMs: number): string {
  return `${Math.floor(nowMs / 1000)}.${String((nowMs % 1000) * 1000).padStart(6, '0')}`;
}

const payloadUser = (install: AppInstall, user: PayloadUser) => ({
  id: user.id,
  username: user.name,
  name: user.name,
  team_id: install.teamId,
});
const team = (install: AppInstall) => ({ id: install.teamId, domain: install.teamDomain });
const text = (value: unknown, fallback: unknown = null): unknown => value ?? fallback;

/** The `view` object of view payloads, with its `state`. */
export function viewObject(install: AppInstall, view: PayloadView, state: StateValues): Record<string, unknown> {
  const v = view.view;
  return {
    id: view.id,
    team_id: install.teamId,
    type: text(v.type, 'modal'),
    blocks: view.rawBlocks,
    private_metadata: text(v.private_metadata, ''),
    callback_id: text(v.callback_id, ''),
    state: { values: state },
    hash: view.hash,
    title: v.title,
    clear_on_close: v.clear_on_close === true,
    notify_on_close: v.notify_on_close === true,
    close: text(v.close),
    submit: text(v.submit),
    previous_view_id: view.previousViewId ?? null,
    root_view_id: view.rootViewId,
    app_id: install.apiAppId,
    external_id: text(v.external_id, ''),
    app_installed_team_id: install.teamId,
    bot_id: install.botId,
  };
}

/** One entry of `actions`: the element, what was chosen, and when. */
export function actionItem(action: PayloadAction): Record<string, unknown> {
  const { element, blockId, actionTs: ts } = action;
  if (element.type === 'button') {
    return {
      action_id: element.action_id,
      block_id: blockId,
      text: element.text,
      ...(element.value !== undefined ? { value: element.value } : {}),
      ...(element.style ? { style: element.style } : {}),
      ...(element.url ? { url: element.url } : {}),
      type: 'button',
      action_ts: ts,
    };
  }
  if (element.type === 'overflow') {
    const picked = element.options.find((o) => o.value === action.entry) ?? null;
    return {
      type: 'overflow',
      action_id: element.action_id,
      block_id: blockId,
      selected_option: picked,
      action_ts: ts,
    };
  }
  const { type, ...chosen } = elementState(element, action.entry ?? null);
  const extra: Record<string, unknown> = {};
  if ('placeholder' in element && element.placeholder) extra.placeholder = element.placeholder;
  if (element.type === 'datepicker' && element.initial_date) extra.initial_date = element.initial_date;
  if (element.type === 'timepicker' && element.initial_time) extra.initial_time = element.initial_time;
  return { type, action_id: element.action_id, block_id: blockId, ...chosen, ...extra, action_ts: ts };
}

/** `block_actions` for a click or choice on a message (no `message` for an ephemeral one, as Slack does). */
export function blockActionsOnMessage(
  install: AppInstall,
  args: {
    user: PayloadUser;
    channel: PayloadChannel;
    message: PayloadMessage;
    action: PayloadAction;
    state: StateValues;
    responseUrl: string;
    triggerId: string;
  },
): Record<string, unknown> {
  const { message } = args;
  return {
    type: 'block_actions',
    user: payloadUser(install, args.user),
    api_app_id: install.apiAppId,
    token: install.verificationToken,
    container: {
      type: 'message',
      message_ts: message.ts,
      channel_id: args.channel.id,
      is_ephemeral: message.ephemeral,
      ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
    },
    trigger_id: args.triggerId,
    team: team(install),
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: args.channel.id, name: args.channel.name },
    ...(message.ephemeral
      ? {}
      : {
          message: {
            user: install.botUserId,
            type: 'message',
            ts: message.ts,
            bot_id: install.botId,
            app_id: install.apiAppId,
            text: message.text,
            team: install.teamId,
            blocks: message.rawBlocks,
            ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
          },
        }),
    state: { values: args.state },
    response_url: args.responseUrl,
    actions: [actionItem(args.action)],
  };
}

/** `block_actions` for a click or choice inside a modal: the container is the view, which comes whole with its state. */
export function blockActionsInView(
  install: AppInstall,
  args: { user: PayloadUser; view: PayloadView; action: PayloadAction; state: StateValues; triggerId: string },
): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: payloadUser(install, args.user),
    api_app_id: install.apiAppId,
    token: install.verificationToken,
    container: { type: 'view', view_id: args.view.id },
    trigger_id: args.triggerId,
    team: team(install),
    enterprise: null,
    is_enterprise_install: false,
    view: viewObject(install, args.view, args.state),
    actions: [actionItem(args.action)],
  };
}

/** `view_submission`: the submitted view with everything entered in `state.values`. */
export function viewSubmission(
  install: AppInstall,
  args: { user: PayloadUser; view: PayloadView; state: StateValues; triggerId: string },
): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: team(install),
    user: payloadUser(install, args.user),
    api_app_id: install.apiAppId,
    token: install.verificationToken,
    trigger_id: args.triggerId,
    view: viewObject(install, args.view, args.state),
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** `view_closed`: sent only for views opened with `notify_on_close`; `is_cleared` when the whole stack closed. */
export function viewClosed(
  install: AppInstall,
  args: { user: PayloadUser; view: PayloadView; state: StateValues; isCleared: boolean },
): Record<string, unknown> {
  return {
    type: 'view_closed',
    team: team(install),
    user: payloadUser(install, args.user),
    api_app_id: install.apiAppId,
    token: install.verificationToken,
    view: viewObject(install, args.view, args.state),
    is_cleared: args.isCleared,
    is_enterprise_install: false,
    enterprise: null,
  };
}

/**
 * The Events API `event_callback` for `app_home_opened` (JSON, not form-encoded), with the Home view
 * the person sees when one was published before.
 * https://api.slack.com/events/app_home_opened
 */
export function appHomeOpenedBody(
  install: AppInstall,
  args: {
    user: string;
    channel: string;
    tab: 'home' | 'messages';
    eventId: string;
    nowMs: number;
    view?: { readonly id: string; readonly hash: string; readonly blocks: readonly unknown[] };
  },
): string {
  const eventTs = actionTs(args.nowMs);
  return JSON.stringify({
    token: install.verificationToken,
    team_id: install.teamId,
    api_app_id: install.apiAppId,
    event: {
      type: 'app_home_opened',
      user: args.user,
      channel: args.channel,
      tab: args.tab,
      event_ts: eventTs,
      ...(args.view
        ? {
            view: {
              id: args.view.id,
              team_id: install.teamId,
              type: 'home',
              blocks: args.view.blocks,
              private_metadata: '',
              callback_id: '',
              state: { values: {} },
              hash: args.view.hash,
              clear_on_close: false,
              notify_on_close: false,
              root_view_id: args.view.id,
              app_id: install.apiAppId,
              external_id: '',
              app_installed_team_id: install.teamId,
              bot_id: install.botId,
            },
          }
        : {}),
    },
    type: 'event_callback',
    event_id: args.eventId,
    event_time: Math.floor(args.nowMs / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: install.teamId,
        user_id: install.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${args.eventId}`,
  });
}
