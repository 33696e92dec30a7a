/**
 * The Slack platform, emulated: what Slack does between a person's click and the app. It builds
 * each request exactly as Slack would, signs it, posts it to the app's endpoint, and applies the
 * answer the way the Slack client does (a slash command's immediate reply, a modal's
 * `response_action`, errors under their blocks). Modals and messages live in the Slack Web API
 * stand-in, so what the app does through the Web API and what the person does here meet there.
 */
import { z } from 'zod';
import type { SlackApiStandIn, StoredHome, StoredMessage, StoredView } from '../slack-api/server';
import { isRecord, type NormalizedBlocks, normalizeBlocks, normalizeText } from './block-kit';
import { IngressError, SandboxRequestError } from './errors';
import {
  type AppInstall,
  actionTs,
  appHomeOpenedBody,
  blockActionsInView,
  blockActionsOnMessage,
  interactionBody,
  type PayloadChannel,
  type PayloadUser,
  type PayloadView,
  parseSlashLine,
  slashCommandBody,
  viewClosed,
  viewSubmission,
} from './payloads';
import { signSlackRequest } from './signature';
import { clientSideErrors, type Entries, findElement, stateValues } from './state-values';

/** A channel the sandbox shows by name. */
export interface SandboxChannel {
  readonly id: string;
  readonly name: string;
}

/** How the platform reaches the app and who the app is. */
export interface PlatformOptions {
  readonly slack: SlackApiStandIn;
  /** The app's Slack endpoint, e.g. `http://127.0.0.1:3000/slack/events`. */
  readonly ingressUrl: string;
  readonly signingSecret: string;
  readonly channels: readonly SandboxChannel[];
  /** Overrides of the app's identity (team, app id, bot ids, verification token). */
  readonly install?: Partial<AppInstall>;
  /** How long Slack waits for an acknowledgement; default 3000 ms, as Slack. */
  readonly ackTimeoutMs?: number;
}

/** One request the platform sent the app, for the page's request log. */
export interface SentRequest {
  readonly at: number;
  readonly kind: string;
  readonly user: string;
  readonly status: number | null;
  /** The decoded payload (form fields for a slash command). */
  readonly payload: unknown;
  /** The app's answer body, or the error. */
  readonly answer: string;
}

/** What happened after a slash command. */
export interface CommandOutcome {
  readonly status: number | null;
  /** `none`: empty ack; `message`: the reply is shown; `failed`: Slack's error notice is shown. */
  readonly shown: 'none' | 'message' | 'failed';
}

/** What happened to a modal after a submission. */
export interface SubmitOutcome {
  readonly outcome: 'closed' | 'errors' | 'updated' | 'pushed' | 'cleared' | 'failed';
  /** Messages under blocks, by block id (for `errors`). */
  readonly errors?: Record<string, string>;
  /** A message for the whole modal (for `failed`). */
  readonly message?: string;
  /** True when the Slack client itself refused to send it (a required field is empty). */
  readonly local?: boolean;
}

/** What happened after a click or a choice. */
export interface ActionOutcome {
  readonly status: number | null;
  readonly ok: boolean;
  readonly message?: string;
}

/** The platform's operations, one per thing a person can do in Slack. */
export interface SlackPlatform {
  readonly install: AppInstall;
  /** Requests sent to the app, newest last (at most 200). */
  readonly sent: readonly SentRequest[];
  runCommand(userId: string, channelId: string, line: string): Promise<CommandOutcome>;
  messageAction(
    userId: string,
    channelId: string,
    ts: string,
    blockId: string,
    actionId: string,
    entries: Entries,
  ): Promise<ActionOutcome>;
  viewAction(
    userId: string,
    viewId: string,
    blockId: string,
    actionId: string,
    entries: Entries,
  ): Promise<ActionOutcome>;
  submitView(userId: string, viewId: string, entries: Entries): Promise<SubmitOutcome>;
  closeView(userId: string, viewId: string, all: boolean): Promise<void>;
  /** The person opens the app's Home tab: Slack sends `app_home_opened` (the app publishes what it shows). */
  openHome(userId: string): Promise<ActionOutcome>;
  /** A click or choice on the person's Home tab. */
  homeAction(userId: string, blockId: string, actionId: string, entries: Entries): Promise<ActionOutcome>;
  channelOf(channelId: string): PayloadChannel;
}

/** The app identity the stand-in reports from auth.test. */
export const DEFAULT_INSTALL: AppInstall = {
  teamId: 'T0LOCAL',
  teamDomain: 'local',
  apiAppId: 'A0JITAPP',
  botId: 'B0JITBOT',
  botUserId: 'U0JITBOT',
  verificationToken: 'sandbox-verification-token',
};

/** Slack's user id for its own notices. */
export const SLACKBOT = 'USLACKBOT';

// What an app may answer a slash command with.
const COMMAND_ANSWER = z.looseObject({
  text: z.string().optional(),
  blocks: z.array(z.unknown()).optional(),
  response_type: z.enum(['ephemeral', 'in_channel']).optional(),
});

// What an app may answer a view submission with (https://api.slack.com/surfaces/modals#interactions).
const SUBMISSION_ANSWER = z.discriminatedUnion('response_action', [
  z.object({ response_action: z.literal('errors'), errors: z.record(z.string(), z.string()) }),
  z.object({ response_action: z.literal('update'), view: z.record(z.string(), z.unknown()) }),
  z.object({ response_action: z.literal('push'), view: z.record(z.string(), z.unknown()) }),
  z.object({ response_action: z.literal('clear') }),
]);

const TROUBLE = 'We had some trouble connecting. Try again?';

/** A message's blocks as Slack stores them (ids generated from the message's place). */
export function messageSurface(message: StoredMessage): NormalizedBlocks {
  return normalizeBlocks(message.blocks, `${message.channel}/${message.ts}`);
}

/** A published Home tab's blocks as Slack stores them (ids generated from the view id). */
export function homeSurface(home: StoredHome): NormalizedBlocks {
  return normalizeBlocks(home.view.blocks, home.id);
}

/** A view's blocks as Slack stores them (ids generated from the view id). */
export function viewSurface(stored: StoredView): NormalizedBlocks {
  return normalizeBlocks(stored.view.blocks, stored.id);
}

/** The stored view as payloads carry it: normalised blocks and text objects. */
export function payloadView(stored: StoredView, surface: NormalizedBlocks): PayloadView {
  return {
    id: stored.id,
    hash: stored.hash,
    rootViewId: stored.rootViewId,
    ...(stored.previousViewId ? { previousViewId: stored.previousViewId } : {}),
    view: normalizeText(stored.view),
    rawBlocks: surface.raw,
  };
}

/** Creates the platform over a running Slack stand-in. */
export function createSlackPlatform(options: PlatformOptions): SlackPlatform {
  const { slack } = options;
  const install: AppInstall = { ...DEFAULT_INSTALL, ...options.install };
  // Wall-clock time even when the local stack runs time faster: the app checks signatures against its own clock.
  const now = Date.now;
  const ackTimeoutMs = options.ackTimeoutMs ?? 3000;
  const sent: SentRequest[] = [];

  const userOf = (userId: string): PayloadUser => {
    const found = slack.directory.users.find((u) => u.id === userId);
    if (!found) throw new SandboxRequestError(`Unknown user ${userId}.`);
    return { id: found.id, name: found.name };
  };
  const channelOf = (channelId: string): PayloadChannel => {
    const known = options.channels.find((c) => c.id === channelId);
    if (known) return { id: known.id, name: known.name };
    if (channelId.startsWith('D')) return { id: channelId, name: 'directmessage' };
    if (/^[CG][A-Z0-9]+$/.test(channelId)) return { id: channelId, name: channelId.toLowerCase() };
    throw new SandboxRequestError(`Unknown channel ${channelId}.`);
  };
  const openViewOf = (userId: string, viewId: string): StoredView => {
    const stored = slack.views.get(viewId);
    if (!stored || stored.closed || stored.user !== userId)
      throw new SandboxRequestError(`No open view ${viewId} for ${userId}.`);
    return stored;
  };

  async function post(
    kind: string,
    userId: string,
    body: string,
    payload: unknown,
    contentType = 'application/x-www-form-urlencoded',
  ): Promise<{ status: number; text: string }> {
    const record = (status: number | null, answer: string): void => {
      sent.push({ at: now(), kind, user: userId, status, payload, answer });
      if (sent.length > 200) sent.shift();
    };
    let status: number;
    let text: string;
    const deadline = AbortSignal.timeout(ackTimeoutMs);
    try {
      const response = await fetch(options.ingressUrl, {
        method: 'POST',
        headers: {
          'content-type': contentType,
          'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
          ...signSlackRequest(options.signingSecret, body, now()),
        },
        body,
        signal: deadline,
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      const failure = deadline.aborted
        ? new IngressError('operation_timeout', `The app did not answer within ${ackTimeoutMs} ms.`, { cause: error })
        : new IngressError('dispatch_failed', `The app could not be reached at ${options.ingressUrl}.`, {
            cause: error,
          });
      record(null, failure.message);
      throw failure;
    }
    record(status, text);
    return { status, text };
  }

  async function runCommand(userId: string, channelId: string, line: string): Promise<CommandOutcome> {
    const user = userOf(userId);
    const channel = channelOf(channelId);
    const parsed = parseSlashLine(line);
    if (!parsed) throw new SandboxRequestError('Type a slash command, e.g. /jit help.');
    const notice = (error: string): CommandOutcome => {
      slack.addMessage({
        channel: channel.id,
        text: `${parsed.command} failed with the error "${error}"`,
        blocks: [],
        visibleTo: user.id,
        author: SLACKBOT,
      });
      return { status: null, shown: 'failed' };
    };
    const fields = {
      user,
      channel,
      ...parsed,
      responseUrl: slack.issueResponseUrl({ user: user.id, channel: channel.id }),
      triggerId: slack.issueTrigger(user.id),
    };
    const body = slashCommandBody(install, fields);
    let answer: { status: number; text: string };
    try {
      answer = await post('slash_command', user.id, body, Object.fromEntries(new URLSearchParams(body)));
    } catch (error) {
      if (error instanceof IngressError) return notice(error.code);
      throw error;
    }
    if (answer.status !== 200) return { ...notice('http_service_error'), status: answer.status };
    if (answer.text.trim() === '') return { status: 200, shown: 'none' };
    const json = parseJson(answer.text);
    const reply = json === undefined ? { text: answer.text } : COMMAND_ANSWER.safeParse(json).data;
    if (!reply || (reply.text === undefined && reply.blocks === undefined))
      return { ...notice('invalid_response'), status: 200 };
    slack.addMessage({
      channel: channel.id,
      text: reply.text ?? '',
      blocks: reply.blocks ?? [],
      ...('response_type' in reply && reply.response_type === 'in_channel' ? {} : { visibleTo: user.id }),
    });
    return { status: 200, shown: 'message' };
  }

  async function messageAction(
    userId: string,
    channelId: string,
    ts: string,
    blockId: string,
    actionId: string,
    entries: Entries,
  ): Promise<ActionOutcome> {
    const user = userOf(userId);
    const channel = channelOf(channelId);
    const message = slack.messages.find(
      (m) => m.channel === channel.id && m.ts === ts && (!m.visibleTo || m.visibleTo === user.id),
    );
    if (!message) throw new SandboxRequestError(`No message ${ts} in ${channel.id}.`);
    const surface = messageSurface(message);
    const element = findElement(surface.blocks, blockId, actionId);
    if (!element) throw new SandboxRequestError(`No element ${blockId}/${actionId} on that message.`);
    const ephemeral = message.visibleTo !== undefined;
    const payload = blockActionsOnMessage(install, {
      user,
      channel,
      message: {
        ts: message.ts,
        text: message.text,
        rawBlocks: surface.raw,
        ephemeral,
        ...(message.threadTs ? { threadTs: message.threadTs } : {}),
      },
      action: { blockId, element, entry: entries[blockId]?.[actionId] ?? null, actionTs: actionTs(now()) },
      state: stateValues(surface.blocks, entries),
      responseUrl: slack.issueResponseUrl({ user: user.id, channel: channel.id, messageTs: message.ts }),
      triggerId: slack.issueTrigger(user.id),
    });
    return acknowledge(await postInteraction('block_actions', user.id, payload));
  }

  async function viewAction(
    userId: string,
    viewId: string,
    blockId: string,
    actionId: string,
    entries: Entries,
  ): Promise<ActionOutcome> {
    const user = userOf(userId);
    const stored = openViewOf(user.id, viewId);
    const surface = viewSurface(stored);
    const element = findElement(surface.blocks, blockId, actionId);
    if (!element) throw new SandboxRequestError(`No element ${blockId}/${actionId} in that view.`);
    const payload = blockActionsInView(install, {
      user,
      view: payloadView(stored, surface),
      action: { blockId, element, entry: entries[blockId]?.[actionId] ?? null, actionTs: actionTs(now()) },
      state: stateValues(surface.blocks, entries),
      triggerId: slack.issueTrigger(user.id),
    });
    return acknowledge(await postInteraction('block_actions', user.id, payload));
  }

  async function submitView(userId: string, viewId: string, entries: Entries): Promise<SubmitOutcome> {
    const user = userOf(userId);
    const stored = openViewOf(user.id, viewId);
    const surface = viewSurface(stored);
    const local = clientSideErrors(surface.blocks, entries);
    if (Object.keys(local).length > 0) return { outcome: 'errors', errors: local, local: true };
    const payload = viewSubmission(install, {
      user,
      view: payloadView(stored, surface),
      state: stateValues(surface.blocks, entries),
      triggerId: slack.issueTrigger(user.id),
    });
    const answer = await postInteraction('view_submission', user.id, payload);
    if (answer?.status !== 200) return { outcome: 'failed', message: TROUBLE };
    if (answer.text.trim() === '') {
      slack.closeView(stored.id);
      return { outcome: 'closed' };
    }
    const parsed = SUBMISSION_ANSWER.safeParse(parseJson(answer.text));
    if (!parsed.success) return { outcome: 'failed', message: TROUBLE };
    switch (parsed.data.response_action) {
      case 'errors':
        return { outcome: 'errors', errors: parsed.data.errors };
      case 'update':
        slack.updateView(stored.id, parsed.data.view);
        return { outcome: 'updated' };
      case 'push':
        slack.pushView(stored.id, parsed.data.view);
        return { outcome: 'pushed' };
      case 'clear':
        slack.closeView(stored.id, { stack: true });
        return { outcome: 'cleared' };
    }
  }

  async function closeView(userId: string, viewId: string, all: boolean): Promise<void> {
    const user = userOf(userId);
    const stored = openViewOf(user.id, viewId);
    const surface = viewSurface(stored);
    slack.closeView(stored.id, { stack: all });
    if (stored.view.notify_on_close !== true) return;
    const payload = viewClosed(install, {
      user,
      view: payloadView(stored, surface),
      state: stateValues(surface.blocks, {}),
      isCleared: all,
    });
    await postInteraction('view_closed', user.id, payload);
  }

  let events = 0;
  async function openHome(userId: string): Promise<ActionOutcome> {
    const user = userOf(userId);
    const home = slack.homes.get(user.id);
    const body = appHomeOpenedBody(install, {
      user: user.id,
      channel: slack.dmChannelOf(user.id),
      tab: 'home',
      eventId: `Ev${now().toString(36).toUpperCase()}${++events}`,
      nowMs: now(),
      ...(home ? { view: { id: home.id, hash: home.hash, blocks: homeSurface(home).raw } } : {}),
    });
    // Slack retries an event that was not answered; the page opens the tab again instead.
    const answer = await post('event_callback', user.id, body, JSON.parse(body), 'application/json').catch(
      (error: unknown) => {
        if (error instanceof IngressError) return undefined;
        throw error;
      },
    );
    return acknowledge(answer);
  }

  async function homeAction(
    userId: string,
    blockId: string,
    actionId: string,
    entries: Entries,
  ): Promise<ActionOutcome> {
    const user = userOf(userId);
    const home = slack.homes.get(user.id);
    if (!home) throw new SandboxRequestError(`No Home tab published for ${user.id}.`);
    const surface = homeSurface(home);
    const element = findElement(surface.blocks, blockId, actionId);
    if (!element) throw new SandboxRequestError(`No element ${blockId}/${actionId} on the Home tab.`);
    const view: PayloadView = {
      id: home.id,
      hash: home.hash,
      rootViewId: home.id,
      view: normalizeText(home.view),
      rawBlocks: surface.raw,
    };
    const payload = blockActionsInView(install, {
      user,
      view,
      action: { blockId, element, entry: entries[blockId]?.[actionId] ?? null, actionTs: actionTs(now()) },
      state: stateValues(surface.blocks, entries),
      triggerId: slack.issueTrigger(user.id),
    });
    return acknowledge(await postInteraction('block_actions', user.id, payload));
  }

  // Interactions whose endpoint failed are answered by Slack's client with a notice, not an exception.
  async function postInteraction(
    kind: string,
    userId: string,
    payload: Record<string, unknown>,
  ): Promise<{ status: number; text: string } | undefined> {
    try {
      return await post(kind, userId, interactionBody(payload), payload);
    } catch (error) {
      if (error instanceof IngressError) return undefined;
      throw error;
    }
  }

  return {
    install,
    sent,
    runCommand,
    messageAction,
    viewAction,
    submitView,
    closeView,
    openHome,
    homeAction,
    channelOf,
  };
}

function acknowledge(answer: { status: number; text: string } | undefined): ActionOutcome {
  if (!answer) return { status: null, ok: false, message: 'The app could not be reached.' };
  if (answer.status !== 200)
    return { status: answer.status, ok: false, message: `The app answered HTTP ${answer.status}.` };
  return { status: 200, ok: true };
}

function parseJson(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
