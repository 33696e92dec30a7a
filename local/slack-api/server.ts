/**
 * A Slack Web API stand-in on loopback: the methods the product calls, answered the way Slack
 * answers them (HTTP 200 with `ok: false` and an error code on failure), with every call and every
 * message kept for tests and for the local Slack sandbox page.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { blockKitProblems, type Surface } from './block-limits';
import { EXAMPLE_DIRECTORY, type SlackDirectory, type SlackUser } from './directory';
import { fileUploads, type StoredFile } from './files';

/** One Web API call as the stand-in received it (arguments decoded, JSON fields parsed). */
export interface RecordedCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
  readonly at: number;
}

/** A message in a channel or DM, with its thread replies' parent if any. */
export interface StoredMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text: string;
  blocks: unknown[];
  /** Set for ephemeral messages: only this user sees it. */
  visibleTo?: string;
  /** Who posted it when that is not the app's bot user, e.g. `USLACKBOT` for Slack's own notices. */
  author?: string;
  edited: number;
  /** Files shared with it (files.completeUploadExternal). */
  files?: { id: string; name: string; title: string }[];
}

/** A message Slack itself adds (a slash command's immediate answer, a notice); ts and edits are assigned. */
export type NewMessage = Omit<StoredMessage, 'ts' | 'edited'>;

/** Where an interaction happened, so posts to its response URL land where Slack would put them. */
export interface ResponseUrlContext {
  /** The user who interacted: ephemeral answers are shown to them only. */
  readonly user: string;
  /** The channel the command was typed in or the message lives in. */
  readonly channel: string;
  /** The message whose button was clicked: `replace_original` / `delete_original` act on it. */
  readonly messageTs?: string;
}

/** A modal that was opened. */
export interface StoredView {
  id: string;
  user: string | undefined;
  view: Record<string, unknown>;
  hash: string;
  closed: boolean;
  /** The first view of the modal's stack (its own id for a view that views.open opened). */
  rootViewId: string;
  /** The view this one was pushed onto. */
  previousViewId?: string;
}

/** A person's Home tab, as the app last published it. */
export interface StoredHome {
  readonly user: string;
  readonly id: string;
  view: Record<string, unknown>;
  hash: string;
  /** How many times it was published. */
  published: number;
}

/** A running Slack stand-in. */
export interface SlackApiStandIn {
  /** Base URL for `SLACK_API_URL` / WebClient's `slackApiUrl` (ends with `/api/`). */
  readonly url: string;
  /** Base URL under which `response_url`s are served (`<base><id>`). */
  readonly responseUrlBase: string;
  /** Every call, oldest first. */
  readonly calls: RecordedCall[];
  /** Every message, including ephemeral ones and thread replies, oldest first. */
  readonly messages: StoredMessage[];
  /** Modals by view id. */
  readonly views: Map<string, StoredView>;
  /** Home tabs by user id (views.publish). */
  readonly homes: Map<string, StoredHome>;
  /** Files uploaded with files.getUploadURLExternal, by id (shared once completed). */
  readonly files: Map<string, StoredFile>;
  /** Bodies posted to response URLs, oldest first. */
  readonly responses: { id: string; body: Record<string, unknown> }[];
  /** Emits `change` after anything changed (for pages that watch). */
  readonly events: EventEmitter;
  /** The DM channel id of a user (as conversations.open would answer). */
  dmChannelOf(userId: string): string;
  /** Makes a trigger id that views.open accepts once, as Slack hands one out with each interaction. */
  issueTrigger(userId: string): string;
  /** Makes a response URL for an interaction; with a context, posts to it show up as messages the way Slack shows them. */
  issueResponseUrl(context?: ResponseUrlContext): string;
  /** The people and user groups the stand-in knows (its own copy: changing it changes what Slack answers). */
  readonly directory: SlackDirectory;
  /** Adds a user, or replaces the one with the same id (deactivates them, makes them a guest...). */
  setUser(user: SlackUser): void;
  /** Sets a user group's members; `undefined` deletes it (usergroups.users.list answers `no_such_subteam`). */
  setUsergroup(id: string, members: readonly string[] | undefined): void;
  /** Adds a message that Slack itself shows (not posted through the Web API). */
  addMessage(message: NewMessage): StoredMessage;
  /** The modal view a user sees: the top of their open stack. */
  topViewOf(userId: string): StoredView | undefined;
  /** Replaces a view's content (a `response_action: update`); a new hash, like views.update. */
  updateView(viewId: string, view: Record<string, unknown>): StoredView;
  /** Pushes a view onto the stack that holds `viewId` (a `response_action: push`). */
  pushView(viewId: string, view: Record<string, unknown>): StoredView;
  /** Closes one view, or with `stack` every view of its modal; answers the views closed, top first. */
  closeView(viewId: string, options?: { stack?: boolean }): StoredView[];
  /** Calls of one method. */
  callsTo(method: string): RecordedCall[];
  /** Accepts only this bot token from now on (regenerated in the app's settings); others get `invalid_auth`. */
  setBotToken(token: string): void;
  /** Fault injection: Web API calls a chooser picks are answered `fatal_error` and change nothing. */
  readonly faults: SlackFaults;
  /** Forgets all calls, messages, views and responses. */
  reset(): void;
  close(): Promise<void>;
}

/** Which Web API calls fail (chaos tests set a seeded chooser), and how many did. */
export interface SlackFaults {
  chooser: ((method: string) => boolean) | undefined;
  /** Web API calls answered HTTP 429 with `Retry-After` the seconds it returns, as Slack limits a rate; nothing changes. */
  rateLimited: ((method: string) => number | undefined) | undefined;
  readonly injected: Map<string, number>;
}

/** Options of the stand-in. */
export interface SlackApiOptions {
  readonly port?: number;
  readonly host?: string;
  /** The bot token it accepts; any `xoxb-` token when absent. */
  readonly botToken?: string;
  readonly directory?: SlackDirectory;
  /** Runs as each Web API or response URL call arrives (`chat.postMessage`, `response_url`), before it is served. */
  readonly beforeCall?: (operation: string) => Promise<void> | void;
}

const BOT_USER = 'U0JITBOT';
const JSON_FIELDS = ['blocks', 'attachments', 'view', 'metadata'];
/** Views one modal may stack (views.push answers push_limit_reached beyond). */
const MAX_STACK = 3;

// What an app may post to a response URL (https://api.slack.com/interactivity/handling#message_responses).
const FLAG = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const RESPONSE_BODY = z.object({
  text: z.string().optional(),
  blocks: z.array(z.unknown()).optional(),
  response_type: z.enum(['ephemeral', 'in_channel']).optional(),
  replace_original: FLAG.optional(),
  delete_original: FLAG.optional(),
  thread_ts: z.string().optional(),
});
type ResponseBody = z.infer<typeof RESPONSE_BODY>;

/** Starts the stand-in on loopback (port 0 = any free port). */
export async function startSlackApi(options: SlackApiOptions = {}): Promise<SlackApiStandIn> {
  const given = options.directory ?? EXAMPLE_DIRECTORY;
  const users: SlackUser[] = [...given.users];
  const usergroups: Record<string, readonly string[]> = { ...given.usergroups };
  const directory: SlackDirectory = { users, usergroups };
  let acceptedToken = options.botToken;
  const calls: RecordedCall[] = [];
  const messages: StoredMessage[] = [];
  const views = new Map<string, StoredView>();
  const homes = new Map<string, StoredHome>();
  const responses: { id: string; body: Record<string, unknown> }[] = [];
  const triggers = new Map<string, string>();
  const events = new EventEmitter();
  let clock = 0;
  const nextTs = (): string => {
    clock += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(clock).padStart(6, '0')}`;
  };
  let serial = 0;
  const nextId = (prefix: string): string => `${prefix}${(++serial).toString(36).toUpperCase().padStart(8, '0')}`;
  const dmChannelOf = (userId: string): string => `D${userId.slice(1)}`;
  const resolveChannel = (channel: string): string => (/^[UW]/.test(channel) ? dmChannelOf(channel) : channel);
  const user = (id: unknown) => directory.users.find((u) => u.id === id);
  let base = '';
  const uploads = fileUploads({
    nextId,
    uploadUrlOf: (id) => `${base}/upload/${id}`,
    knownChannel: (channel) =>
      /^[CG][A-Z0-9]{2,}$/.test(channel) || directory.users.some((u) => dmChannelOf(u.id) === channel),
    share: (channel, text, file) =>
      addMessage({ channel, text, blocks: [], files: [{ id: file.id, name: file.filename, title: file.title ?? '' }] }),
  });

  type Answer = Record<string, unknown>;
  const fail = (error: string): Answer => ({ ok: false, error });
  /** Slack's refusal of blocks over Block Kit's limits on `surface`, or undefined when they are within them. */
  const overLimits = (blocks: unknown, surface: Surface): Answer | undefined => {
    if (blocks === undefined) return undefined;
    const problems = blockKitProblems(blocks, surface);
    return problems.length > 0 ? { ...fail('invalid_blocks'), response_metadata: { messages: problems } } : undefined;
  };
  /** The same for a view: its blocks, on a modal. */
  const viewOverLimits = (view: unknown): Answer | undefined =>
    typeof view === 'object' && view !== null ? overLimits((view as { blocks?: unknown }).blocks, 'modal') : undefined;

  const topViewOf = (userId: string): StoredView | undefined =>
    [...views.values()].filter((v) => v.user === userId && !v.closed).pop();
  const stackOf = (rootViewId: string): StoredView[] =>
    [...views.values()].filter((v) => v.rootViewId === rootViewId && !v.closed);
  const viewAnswer = (stored: StoredView): Answer => ({
    ...stored.view,
    id: stored.id,
    hash: stored.hash,
    root_view_id: stored.rootViewId,
    previous_view_id: stored.previousViewId ?? null,
    state: { values: {} },
  });
  const storeView = (userId: string | undefined, view: Record<string, unknown>, onto?: StoredView): StoredView => {
    const id = nextId('V');
    const stored: StoredView = {
      id,
      user: userId,
      view,
      hash: nextTs(),
      closed: false,
      rootViewId: onto?.rootViewId ?? id,
      ...(onto ? { previousViewId: onto.id } : {}),
    };
    views.set(id, stored);
    return stored;
  };
  const replaceView = (target: StoredView, view: Record<string, unknown>): void => {
    target.view = view;
    target.hash = nextTs();
  };
  // views.push stacks onto the modal the trigger's user has open; Slack allows three views per stack.
  const openFromTrigger = (args: Record<string, unknown>, push: boolean): Answer => {
    const trigger = String(args.trigger_id ?? '');
    if (!triggers.has(trigger)) return fail(trigger ? 'expired_trigger_id' : 'invalid_arguments');
    if (typeof args.view !== 'object' || args.view === null) return fail('invalid_arguments');
    const over = viewOverLimits(args.view);
    if (over) return over;
    const userId = triggers.get(trigger);
    const onto = push && userId ? topViewOf(userId) : undefined;
    if (onto && stackOf(onto.rootViewId).length >= MAX_STACK) return fail('push_limit_reached');
    triggers.delete(trigger);
    return { ok: true, view: viewAnswer(storeView(userId, args.view as Record<string, unknown>, onto)) };
  };
  const responseContexts = new Map<string, ResponseUrlContext>();
  const addMessage = (message: NewMessage): StoredMessage => {
    const stored: StoredMessage = { ...message, ts: nextTs(), edited: 0 };
    messages.push(stored);
    return stored;
  };
  // What Slack does with a post to a response URL: replace or delete the original, or add a message.
  const applyResponse = (context: ResponseUrlContext, body: ResponseBody): void => {
    const index = context.messageTs
      ? messages.findIndex((m) => m.channel === context.channel && m.ts === context.messageTs)
      : -1;
    const original = index >= 0 ? messages[index] : undefined;
    if (body.delete_original && original) {
      messages.splice(index, 1);
      return;
    }
    if (body.replace_original && original) {
      original.text = body.text ?? '';
      original.blocks = body.blocks ?? [];
      original.edited += 1;
      return;
    }
    if (body.text === undefined && body.blocks === undefined) return;
    addMessage({
      channel: context.channel,
      text: body.text ?? '',
      blocks: body.blocks ?? [],
      ...(body.thread_ts ? { threadTs: body.thread_ts } : {}),
      ...(body.response_type === 'in_channel' ? {} : { visibleTo: context.user }),
    });
  };

  const methods: Record<string, (args: Record<string, unknown>) => Answer> = {
    ...uploads.methods,
    'auth.test': () => ({
      ok: true,
      url: 'http://localhost/',
      team: 'Local',
      team_id: 'T0LOCAL',
      user: 'jit',
      user_id: BOT_USER,
      bot_id: 'B0JITBOT',
    }),
    'chat.postMessage': (args) => {
      const channel = resolveChannel(String(args.channel ?? ''));
      if (!channel) return fail('channel_not_found');
      if (!args.text && !args.blocks) return fail('no_text');
      const over = overLimits(args.blocks, 'message');
      if (over) return over;
      const message: StoredMessage = {
        channel,
        ts: nextTs(),
        text: String(args.text ?? ''),
        blocks: Array.isArray(args.blocks) ? args.blocks : [],
        edited: 0,
        ...(typeof args.thread_ts === 'string' ? { threadTs: args.thread_ts } : {}),
      };
      if (message.threadTs && !messages.some((m) => m.channel === channel && m.ts === message.threadTs))
        return fail('thread_not_found');
      messages.push(message);
      return {
        ok: true,
        channel,
        ts: message.ts,
        message: { type: 'message', user: BOT_USER, text: message.text, ts: message.ts, blocks: message.blocks },
      };
    },
    'chat.update': (args) => {
      const channel = resolveChannel(String(args.channel ?? ''));
      const message = messages.find((m) => m.channel === channel && m.ts === args.ts && !m.visibleTo);
      if (!message) return fail('message_not_found');
      const over = overLimits(args.blocks, 'message');
      if (over) return over;
      if (args.text !== undefined) message.text = String(args.text);
      if (Array.isArray(args.blocks)) message.blocks = args.blocks;
      message.edited += 1;
      return { ok: true, channel, ts: message.ts, text: message.text };
    },
    'chat.postEphemeral': (args) => {
      const channel = resolveChannel(String(args.channel ?? ''));
      if (!user(args.user)) return fail('user_not_in_channel');
      const over = overLimits(args.blocks, 'message');
      if (over) return over;
      const ts = nextTs();
      messages.push({
        channel,
        ts,
        text: String(args.text ?? ''),
        blocks: Array.isArray(args.blocks) ? args.blocks : [],
        visibleTo: String(args.user),
        edited: 0,
        ...(typeof args.thread_ts === 'string' ? { threadTs: args.thread_ts } : {}),
      });
      return { ok: true, message_ts: ts };
    },
    'chat.getPermalink': (args) => ({
      ok: true,
      channel: args.channel,
      permalink: `http://localhost/archives/${String(args.channel)}/p${String(args.message_ts).replace('.', '')}`,
    }),
    'conversations.open': (args) => {
      const first = String(args.users ?? '').split(',')[0] ?? '';
      if (!user(first)) return fail('user_not_found');
      return { ok: true, channel: { id: dmChannelOf(first) } };
    },
    'users.info': (args) => {
      const found = user(args.user);
      if (!found) return fail('user_not_found');
      return {
        ok: true,
        user: {
          id: found.id,
          name: found.name,
          real_name: found.realName,
          tz: found.tz,
          is_bot: false,
          deleted: found.deleted === true,
          is_restricted: found.guest !== undefined,
          is_ultra_restricted: found.guest === 'single-channel',
          is_email_confirmed: found.emailConfirmed !== false,
          profile: { email: found.email, real_name: found.realName, display_name: found.name },
        },
      };
    },
    'usergroups.users.list': (args) => {
      const members = directory.usergroups[String(args.usergroup)];
      return members ? { ok: true, users: [...members] } : fail('no_such_subteam');
    },
    'views.open': (args) => openFromTrigger(args, false),
    'views.update': (args) => {
      // By view_id when given, else by external_id (an absent one matches no view: every view lacks one).
      const target = [...views.values()].find((v) =>
        args.view_id !== undefined
          ? v.id === args.view_id
          : v.view.external_id === args.external_id && !!args.external_id,
      );
      if (!target) return fail('not_found');
      if (args.hash !== undefined && args.hash !== target.hash) return fail('hash_conflict');
      if (typeof args.view !== 'object' || args.view === null) return fail('invalid_arguments');
      const over = viewOverLimits(args.view);
      if (over) return over;
      replaceView(target, args.view as Record<string, unknown>);
      return { ok: true, view: viewAnswer(target) };
    },
    'views.push': (args) => openFromTrigger(args, true),
    // Slack keeps one Home view per user; a `hash` that is not the current one is refused, as views.update does.
    'views.publish': (args) => {
      const userId = String(args.user_id ?? '');
      if (!user(userId)) return fail('user_not_found');
      const view = args.view;
      if (typeof view !== 'object' || view === null || Array.isArray(view)) return fail('invalid_arguments');
      const home = view as Record<string, unknown>;
      if (home.type !== 'home') return fail('invalid_arguments');
      const problems = blockKitProblems(home.blocks ?? [], 'home');
      if (problems.length > 0) return { ...fail('invalid_blocks'), response_metadata: { messages: problems } };
      const current = homes.get(userId);
      if (args.hash !== undefined && args.hash !== current?.hash) return fail('hash_conflict');
      const stored: StoredHome = current ?? { user: userId, id: nextId('V'), view: home, hash: '', published: 0 };
      stored.view = home;
      stored.hash = nextTs();
      stored.published += 1;
      homes.set(userId, stored);
      return {
        ok: true,
        view: { ...home, id: stored.id, hash: stored.hash, root_view_id: stored.id, state: { values: {} } },
      };
    },
  };

  const faults: SlackFaults = { chooser: undefined, rateLimited: undefined, injected: new Map() };
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => send(res, 500, { ok: false, error: 'internal_error' }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readRaw(req);
    const body = raw.toString('utf8');
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (req.method === 'POST' && path.startsWith('/upload/')) {
      await options.beforeCall?.('upload_url');
      const uploaded = uploads.upload(path.slice('/upload/'.length), req.headers['content-type'] ?? '', raw);
      res.writeHead(uploaded.status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(uploaded.text);
      events.emit('change');
      return;
    }
    if (req.method === 'POST' && path.startsWith('/response/')) {
      await options.beforeCall?.('response_url');
      const id = path.slice('/response/'.length);
      const parsed = parseJsonObject(body);
      responses.push({ id, body: parsed });
      const context = responseContexts.get(id);
      const answer = RESPONSE_BODY.safeParse(parsed);
      if (context && answer.success) applyResponse(context, answer.data);
      events.emit('change');
      return send(res, 200, { ok: true });
    }
    if (req.method !== 'POST' || !path.startsWith('/api/'))
      return send(res, 404, { ok: false, error: 'unknown_method' });
    const method = path.slice('/api/'.length);
    await options.beforeCall?.(method);
    const args = decodeArgs(req.headers['content-type'] ?? '', body);
    const token = bearer(req.headers.authorization) ?? (typeof args.token === 'string' ? args.token : undefined);
    delete args.token;
    calls.push({ method, args, at: Date.now() });
    const impl = methods[method];
    if (!impl) return send(res, 200, fail('unknown_method'));
    if (!token) return send(res, 200, fail('not_authed'));
    const accepted = acceptedToken ? token === acceptedToken : token.startsWith('xoxb-');
    if (!accepted) return send(res, 200, fail('invalid_auth'));
    const retryAfter = faults.rateLimited?.(method);
    if (retryAfter !== undefined) {
      res.writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(retryAfter) });
      res.end(JSON.stringify(fail('ratelimited')));
      return;
    }
    if (faults.chooser?.(method)) {
      faults.injected.set(method, (faults.injected.get(method) ?? 0) + 1);
      return send(res, 200, fail('fatal_error'));
    }
    const answer = impl(args);
    events.emit('change');
    return send(res, 200, answer);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  base = `http://${options.host ?? '127.0.0.1'}:${port}`;

  return {
    faults,
    url: `${base}/api/`,
    responseUrlBase: `${base}/response/`,
    calls,
    messages,
    views,
    homes,
    files: uploads.files,
    responses,
    events,
    dmChannelOf,
    issueTrigger(userId) {
      const id = `${Date.now()}.${nextId('T')}`;
      triggers.set(id, userId);
      return id;
    },
    issueResponseUrl(context) {
      const id = nextId('R');
      if (context) responseContexts.set(id, context);
      return `${base}/response/${id}`;
    },
    directory,
    setBotToken(token) {
      acceptedToken = token;
    },
    setUser(user) {
      const at = users.findIndex((u) => u.id === user.id);
      if (at >= 0) users[at] = user;
      else users.push(user);
      events.emit('change');
    },
    setUsergroup(id, members) {
      if (members === undefined) delete usergroups[id];
      else usergroups[id] = [...members];
      events.emit('change');
    },
    addMessage(message) {
      const stored = addMessage(message);
      events.emit('change');
      return stored;
    },
    topViewOf,
    updateView(viewId, view) {
      const target = views.get(viewId);
      if (!target || target.closed) throw new Error(`No open view ${viewId}`);
      replaceView(target, view);
      events.emit('change');
      return target;
    },
    pushView(viewId, view) {
      const onto = views.get(viewId);
      if (!onto || onto.closed) throw new Error(`No open view ${viewId}`);
      const pushed = storeView(onto.user, view, onto);
      events.emit('change');
      return pushed;
    },
    closeView(viewId, closeOptions = {}) {
      const target = views.get(viewId);
      if (!target || target.closed) return [];
      const closing = closeOptions.stack ? stackOf(target.rootViewId).reverse() : [target];
      for (const v of closing) v.closed = true;
      events.emit('change');
      return closing;
    },
    callsTo: (method) => calls.filter((c) => c.method === method),
    reset() {
      calls.length = 0;
      messages.length = 0;
      responses.length = 0;
      views.clear();
      homes.clear();
      uploads.files.clear();
      triggers.clear();
      responseContexts.clear();
      events.emit('change');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  return match?.[1];
}

function decodeArgs(contentType: string, body: string): Record<string, unknown> {
  const args: Record<string, unknown> = contentType.includes('application/json')
    ? parseJsonObject(body)
    : Object.fromEntries(new URLSearchParams(body));
  for (const field of JSON_FIELDS) {
    const value = args[field];
    if (typeof value === 'string') {
      try {
        args[field] = JSON.parse(value);
      } catch {
        // Slack answers invalid_arguments for unparseable JSON fields; keep the raw text for the record.
      }
    }
  }
  return args;
}

function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {};
  } catch {
    return {};
  }
}

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
