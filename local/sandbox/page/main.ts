/**
 * The sandbox page: keeps who you are and where you look, reads the snapshot when the server says
 * something changed (server-sent events), draws it with the pure renderers, and turns what you do
 * (a slash command, a click, a submitted modal) into calls the server makes to the app as Slack.
 */
import type { ActionElement, ConfirmObject } from '../block-kit';
import type { PanelTable, Snapshot, SnapshotMessage, SnapshotRequest } from '../protocol';
import type { Entries, Entry } from '../state-values';
import type { ActionRef } from '../ui/render-blocks';
import { renderText } from '../ui/render-blocks';
import { namesOf, renderHome, renderMessage, renderModal, renderPanel, renderRequestLog, renderSidebar, repliesOf, topLevel } from '../ui/render-app';
import { h, isSafeUrl } from '../ui/vnode';
import { byId, mount } from './dom';

interface PageState {
  user: string;
  channel: string;
  snapshot?: Snapshot;
  thread?: string;
  selected?: { channel: string; ts: string; text: string };
  modalKey: string;
  modalErrors: Record<string, string>;
  modalMessage?: string;
  busy: boolean;
  /** The Home tab is being opened (app_home_opened sent, the app publishing). */
  openingHome: boolean;
}

const params = new URLSearchParams(location.search);
const state: PageState = {
  user: params.get('as') ?? localStorage.getItem('sandbox.user') ?? '',
  channel: params.get('channel') ?? localStorage.getItem('sandbox.channel') ?? '',
  modalKey: '',
  modalErrors: {},
  busy: false,
  openingHome: false,
};

const time = (ts: string | number): string =>
  new Date(typeof ts === 'number' ? ts : Number(ts) * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: typeof ts === 'number' ? '2-digit' : undefined });

/** A failed call to the sandbox server, with its HTTP status. */
class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

async function api<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`api/${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const data: unknown = await response.json();
  if (!response.ok) throw new ApiError(response.status, typeof data === 'object' && data && 'error' in data ? String(data.error) : `HTTP ${response.status}`);
  return data as T;
}

let toastTimer: number | undefined;
function toast(text: string): void {
  const el = byId('toast');
  el.textContent = text;
  el.hidden = false;
  window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => (el.hidden = true), 5000);
}

// ---- reading and drawing -------------------------------------------------------------------

let refreshing: Promise<void> | undefined;
let again = false;
function refresh(): Promise<void> {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    try {
      do {
        again = false;
        await load();
      } while (again);
    } catch (error) {
      byId('connection').textContent = `cannot read the sandbox: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

async function load(): Promise<void> {
  let snapshot: Snapshot;
  try {
    snapshot = await api<Snapshot>(`state?user=${encodeURIComponent(state.user)}`);
  } catch (error) {
    // A person the directory no longer has (a stale link or local storage): fall back to the default one.
    if (error instanceof ApiError && error.status === 400 && state.user) {
      state.user = '';
      localStorage.removeItem('sandbox.user');
      return load();
    }
    throw error;
  }
  state.user = snapshot.me.id;
  if (!snapshot.channels.some((c) => c.id === state.channel)) {
    // Someone else's DM with the app: look at the new person's DM with it instead.
    const wasAppDm = state.snapshot?.channels.find((c) => c.id === state.channel)?.kind === 'app';
    state.channel = (wasAppDm ? snapshot.channels.find((c) => c.kind === 'app') : undefined)?.id ?? snapshot.channels[0]?.id ?? '';
  }
  state.snapshot = snapshot;
  draw();
  document.body.dataset.version = String(snapshot.version);
}

function draw(): void {
  const snapshot = state.snapshot;
  if (!snapshot) return;
  // Redrawing replaces elements: give focus back to the element with the same id, for keyboard users.
  const focused = document.activeElement?.id;
  paint(snapshot);
  if (focused && document.activeElement?.id !== focused) document.getElementById(focused)?.focus();
}

function paint(snapshot: Snapshot): void {
  document.body.dataset.user = snapshot.me.id;
  mount(
    byId('sidebar'),
    renderSidebar(snapshot, state.channel, {
      user: (event: Event) => switchUser((event.target as HTMLSelectElement).value),
      channel: (id) => {
        state.channel = id;
        state.thread = undefined;
        localStorage.setItem('sandbox.channel', id);
        draw();
        if (isHome(id)) void openHome();
      },
    }),
  );
  const channel = snapshot.channels.find((c) => c.id === state.channel);
  byId('channel-name').textContent = channel ? (channel.kind === 'channel' ? `# ${channel.name}` : channel.name) : '';
  byId('channel-topic').textContent =
    channel?.kind === 'app'
      ? `Your direct messages with ${snapshot.appName}`
      : channel?.kind === 'home'
        ? `${snapshot.appName}'s Home tab, as the app published it for ${snapshot.me.realName}`
        : `Acting as ${snapshot.me.realName} (@${snapshot.me.name})`;
  // Slack's Home tab has no composer: it is the app's page, not a conversation.
  byId('composer').hidden = channel?.kind === 'home';
  byId<HTMLInputElement>('composer-input').placeholder = `Type a slash command in ${channel?.kind === 'channel' ? `#${channel.name}` : snapshot.appName}, e.g. /jit help`;

  const scale = byId('time-scale');
  scale.hidden = snapshot.timeScale === null;
  scale.textContent = snapshot.timeScale === null ? '' : `⏱ Time runs ${snapshot.timeScale}× faster`;
  scale.title = snapshot.timeScale === null ? '' : `Durations and timeouts pass ${snapshot.timeScale} times faster than the wall clock.`;

  mount(
    byId('hints'),
    snapshot.commandHints.map((hint) =>
      h('button', { type: 'button', class: 'hint', onclick: () => fillComposer(hint) }, hint),
    ),
  );

  drawClusterShell(snapshot);

  const list = byId('messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const messages = topLevel(snapshot.messages, state.channel);
  if (channel?.kind === 'home') {
    mount(list, [renderHome(snapshot, { onAction: (ref) => void homeAction(ref), opening: state.openingHome })]);
  } else {
    mount(
      list,
      messages.length === 0
        ? [h('p', { class: 'empty' }, 'No messages here yet.')]
        : messages.map((m) => renderMessage(m, messageContext(m, snapshot))),
    );
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  drawThread(snapshot);
  drawModal(snapshot);
}

function messageContext(m: SnapshotMessage, snapshot: Snapshot): Parameters<typeof renderMessage>[1] {
  return {
    names: namesOf(snapshot),
    users: snapshot.users,
    time,
    selected: state.selected?.ts === m.ts && state.selected.channel === m.channel,
    replies: repliesOf(snapshot.messages, m).length,
    onAction: (message, ref) => void messageAction(message, ref),
    onSelect: (message) => {
      state.selected = state.selected?.ts === message.ts ? undefined : { channel: message.channel, ts: message.ts, text: message.text };
      draw();
      void refreshPanels();
    },
    onThread: (message) => {
      state.thread = message.ts;
      draw();
    },
  };
}

function drawThread(snapshot: Snapshot): void {
  const pane = byId('thread');
  const parent = snapshot.messages.find((m) => m.ts === state.thread && m.channel === state.channel);
  if (!parent) {
    pane.hidden = true;
    pane.replaceChildren();
    return;
  }
  pane.hidden = false;
  const replies = repliesOf(snapshot.messages, parent);
  mount(pane, [
    h(
      'header',
      { class: 'thread-header' },
      h('h2', null, 'Thread'),
      h('button', { type: 'button', class: 'modal-x', 'aria-label': 'Close thread', onclick: () => ((state.thread = undefined), draw()) }, '✕'),
    ),
    renderMessage(parent, { ...messageContext(parent, snapshot), onThread: undefined }),
    h('p', { class: 'thread-count' }, `${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}`),
    ...replies.map((r) => renderMessage(r, { ...messageContext(r, snapshot), onThread: undefined })),
  ]);
}

// ---- modals ----------------------------------------------------------------------------------

function drawModal(snapshot: Snapshot): void {
  const root = byId('modal-root');
  const view = snapshot.modal;
  byId('layout').inert = view !== null;
  if (!view) {
    if (state.modalKey) {
      root.replaceChildren();
      state.modalKey = '';
      state.modalErrors = {};
      state.modalMessage = undefined;
      byId('composer-input').focus();
    }
    return;
  }
  const key = `${view.id}:${view.hash}`;
  if (key === state.modalKey) return;
  const sameView = state.modalKey.startsWith(`${view.id}:`);
  // Slack keeps what was typed when the app updates a view in place.
  const carried = sameView ? readEntries(root) : {};
  if (!sameView) state.modalMessage = undefined;
  state.modalErrors = {};
  state.modalKey = key;
  paintModal(carried);
  if (!sameView) {
    const first = root.querySelector<HTMLElement>('.modal-body input, .modal-body select, .modal-body textarea, .modal-body button');
    (first ?? root.querySelector<HTMLElement>('.modal-x'))?.focus();
  }
}

function paintModal(entries: Entries): void {
  const snapshot = state.snapshot;
  const view = snapshot?.modal;
  if (!snapshot || !view) return;
  const root = byId('modal-root');
  mount(
    root,
    renderModal(view, {
      names: namesOf(snapshot),
      users: snapshot.users,
      errors: state.modalErrors,
      ...(state.modalMessage ? { message: state.modalMessage } : {}),
      busy: state.busy,
      onAction: (ref) => void viewAction(ref),
      onSubmit: (event: Event) => {
        event.preventDefault();
        void submitView();
      },
      onCancel: () => void closeView(false),
      onDismiss: () => void closeView(true),
    }),
  );
  writeEntries(root, entries);
}

async function submitView(): Promise<void> {
  const view = state.snapshot?.modal;
  if (!view || state.busy) return;
  const root = byId('modal-root');
  const entries = readEntries(root);
  state.busy = true;
  try {
    const outcome = await api<{ outcome: string; errors?: Record<string, string>; message?: string }>('view-submit', {
      user: state.user,
      viewId: view.id,
      entries,
    });
    state.busy = false;
    state.modalErrors = outcome.errors ?? {};
    state.modalMessage = outcome.message;
    if (outcome.outcome === 'errors' || outcome.outcome === 'failed') {
      paintModal(entries);
      root.querySelector<HTMLElement>('.bk-input-error input, .bk-input-error textarea, .bk-input-error select')?.focus();
    }
    await refresh();
  } catch (error) {
    state.busy = false;
    toast(String(error instanceof Error ? error.message : error));
    paintModal(entries);
  }
}

async function closeView(all: boolean): Promise<void> {
  const view = state.snapshot?.modal;
  if (!view) return;
  try {
    await api('view-close', { user: state.user, viewId: view.id, all });
  } catch (error) {
    toast(String(error instanceof Error ? error.message : error));
  }
  await refresh();
}

async function viewAction(ref: ActionRef): Promise<void> {
  const view = state.snapshot?.modal;
  if (!view) return;
  // The app may answer with views.update, which repaints the form: busy until that has landed, so a
  // person (or a browser test) can tell the form is still changing under them.
  const root = byId('modal-root');
  root.setAttribute('aria-busy', 'true');
  try {
    if (!(await confirmed(ref.element))) return;
    openUrl(ref.element);
    const outcome = await api<{ ok: boolean; message?: string }>('view-action', {
      user: state.user,
      viewId: view.id,
      blockId: ref.blockId,
      actionId: ref.element.action_id,
      entries: readEntries(root),
    }).catch((error: unknown) => ({ ok: false, message: error instanceof Error ? error.message : String(error) }));
    if (!outcome.ok) toast(outcome.message ?? 'The action failed.');
    await refresh();
  } finally {
    root.setAttribute('aria-busy', 'false');
  }
}

// ---- the Home tab -------------------------------------------------------------------------------

function isHome(channel: string): boolean {
  return state.snapshot?.channels.find((c) => c.id === channel)?.kind === 'home';
}

/** Opens the Home tab as Slack does: the app is told (app_home_opened) and publishes what it shows. */
async function openHome(): Promise<void> {
  state.openingHome = true;
  byId('messages').setAttribute('aria-busy', 'true');
  try {
    const outcome = await api<{ ok: boolean; message?: string }>('home-open', { user: state.user }).catch(
      (error: unknown) => ({ ok: false, message: error instanceof Error ? error.message : String(error) }),
    );
    if (!outcome.ok) toast(outcome.message ?? 'The app did not answer.');
    state.openingHome = false;
    await refresh();
  } finally {
    state.openingHome = false;
    byId('messages').setAttribute('aria-busy', 'false');
  }
}

async function homeAction(ref: ActionRef): Promise<void> {
  if (!(await confirmed(ref.element))) return;
  openUrl(ref.element);
  const outcome = await api<{ ok: boolean; message?: string }>('home-action', {
    user: state.user,
    blockId: ref.blockId,
    actionId: ref.element.action_id,
    entries: readEntries(byId('messages')),
  }).catch((error: unknown) => ({ ok: false, message: error instanceof Error ? error.message : String(error) }));
  if (!outcome.ok) toast(outcome.message ?? 'The action failed.');
  await refresh();
}

// ---- messages and commands -------------------------------------------------------------------

async function messageAction(message: SnapshotMessage, ref: ActionRef): Promise<void> {
  if (!(await confirmed(ref.element))) return;
  openUrl(ref.element);
  const article = document.querySelector(`#messages article[data-ts="${CSS.escape(message.ts)}"], #thread article[data-ts="${CSS.escape(message.ts)}"]`);
  const outcome = await api<{ ok: boolean; message?: string }>('message-action', {
    user: state.user,
    channel: message.channel,
    ts: message.ts,
    blockId: ref.blockId,
    actionId: ref.element.action_id,
    entries: article ? readEntries(article) : {},
  }).catch((error: unknown) => ({ ok: false, message: error instanceof Error ? error.message : String(error) }));
  if (!outcome.ok) toast(outcome.message ?? 'The action failed.');
  await refresh();
}

function fillComposer(line: string): void {
  const input = byId<HTMLInputElement>('composer-input');
  input.value = line;
  input.focus();
}

async function sendCommand(event: Event): Promise<void> {
  event.preventDefault();
  const input = byId<HTMLInputElement>('composer-input');
  const line = input.value.trim();
  if (!line) return;
  if (!line.startsWith('/')) {
    toast('The sandbox sends slash commands to the app; try /jit help.');
    return;
  }
  input.disabled = true;
  try {
    await api('command', { user: state.user, channel: state.channel, line });
    input.value = '';
  } catch (error) {
    toast(String(error instanceof Error ? error.message : error));
  } finally {
    input.disabled = false;
    if (!state.snapshot?.modal) input.focus();
  }
  await refresh();
}

// ---- the cluster shell: a command typed on the cluster as the person's ONTAP account -------------------------

function drawClusterShell(snapshot: Snapshot): void {
  const form = byId('cluster-shell');
  form.hidden = snapshot.clusterShell === null;
  const hints = snapshot.clusterShell?.hints ?? [];
  const input = byId<HTMLInputElement>('cluster-shell-input');
  mount(
    byId('cluster-shell-hints'),
    hints.map((hint) => h('button', { type: 'button', class: 'hint', onclick: () => { input.value = hint; input.focus(); } }, hint)),
  );
}

async function runClusterCommand(event: Event): Promise<void> {
  event.preventDefault();
  const input = byId<HTMLInputElement>('cluster-shell-input');
  const command = input.value.trim();
  if (!command) return;
  const result = byId('cluster-shell-result');
  input.disabled = true;
  try {
    const answer = await api<{ account: string; svm: string; logged: { state: string; message?: string } | null }>('cluster-command', { user: state.user, command });
    result.textContent = answer.logged
      ? `${answer.account}@${answer.svm}: ${answer.logged.state}${answer.logged.message ? ` (${answer.logged.message})` : ''}`
      : `${answer.account}@${answer.svm}: read-only, not logged (the cluster does not log CLI GET commands)`;
    input.value = '';
  } catch (error) {
    result.textContent = String(error instanceof Error ? error.message : error);
  } finally {
    input.disabled = false;
  }
  await refreshPanels();
}

function switchUser(user: string): void {
  state.user = user;
  state.thread = undefined;
  state.selected = undefined;
  localStorage.setItem('sandbox.user', user);
  const url = new URL(location.href);
  url.searchParams.set('as', user);
  history.replaceState(null, '', url);
  void refresh()
    .then(() => (isHome(state.channel) ? openHome() : undefined))
    .then(refreshPanels);
}

// ---- element values ---------------------------------------------------------------------------

/** Reads what is entered in every stateful control under `root`, by block id and action id. */
function readEntries(root: ParentNode): Entries {
  const out: Record<string, Record<string, Entry>> = {};
  root.querySelectorAll<HTMLElement>('[data-action-id][data-type]').forEach((el) => {
    const { blockId, actionId, type } = el.dataset;
    if (!blockId || !actionId || !type || type === 'button') return;
    let entry: Entry;
    if (el instanceof HTMLSelectElement) {
      entry = el.multiple ? [...el.selectedOptions].map((o) => o.value) : el.value || null;
    } else if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
      entry = el.value === '' ? null : el.value;
    } else {
      const checked = [...el.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
      entry = type === 'checkboxes' ? checked : (checked[0] ?? null);
    }
    (out[blockId] ??= {})[actionId] = entry;
  });
  return out;
}

/** Puts entries back into the controls (after a view is redrawn). */
function writeEntries(root: ParentNode, entries: Entries): void {
  root.querySelectorAll<HTMLElement>('[data-action-id][data-type]').forEach((el) => {
    const { blockId, actionId } = el.dataset;
    const entry = blockId && actionId ? entries[blockId]?.[actionId] : undefined;
    if (entry === undefined) return;
    const values = entry === null ? [] : typeof entry === 'string' ? [entry] : entry;
    if (el instanceof HTMLSelectElement) {
      [...el.options].forEach((o) => (o.selected = values.includes(o.value)));
      if (values.length === 0 && !el.multiple) el.value = '';
    } else if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
      el.value = values[0] ?? '';
    } else {
      el.querySelectorAll<HTMLInputElement>('input').forEach((i) => (i.checked = values.includes(i.value)));
    }
  });
}

// ---- confirmations and links ------------------------------------------------------------------

function confirmed(element: ActionElement): Promise<boolean> {
  const confirm: ConfirmObject | undefined =
    element.type === 'button' || element.type === 'static_select' || element.type === 'overflow' ? element.confirm : undefined;
  if (!confirm || !state.snapshot) return Promise.resolve(true);
  const names = namesOf(state.snapshot);
  const root = byId('confirm-root');
  const previous = document.activeElement as HTMLElement | null;
  return new Promise((resolve) => {
    const behind = [byId('layout'), byId('modal-root')].filter((el) => !el.inert);
    behind.forEach((el) => (el.inert = true));
    const done = (answer: boolean): void => {
      behind.forEach((el) => (el.inert = false));
      root.replaceChildren();
      previous?.focus();
      resolve(answer);
    };
    mount(
      root,
      h(
        'div',
        { class: 'modal-backdrop confirm-backdrop' },
        h(
          'div',
          { class: 'modal confirm', role: 'alertdialog', 'aria-modal': 'true', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-text' },
          h('header', { class: 'modal-header' }, h('h2', { id: 'confirm-title' }, confirm.title?.text ?? 'Are you sure?')),
          h('div', { class: 'modal-body', id: 'confirm-text' }, renderText(confirm.text, names)),
          h(
            'footer',
            { class: 'modal-footer' },
            h('button', { type: 'button', class: 'bk-button', onclick: () => done(false) }, confirm.deny?.text ?? 'Cancel'),
            h(
              'button',
              { type: 'button', class: `bk-button ${confirm.style === 'danger' ? 'bk-button-danger' : 'bk-button-primary'}`, 'data-confirm': 'yes', onclick: () => done(true) },
              confirm.confirm?.text ?? 'Yes',
            ),
          ),
        ),
      ),
    );
    root.querySelector<HTMLElement>('[data-confirm]')?.focus();
  });
}

function openUrl(element: ActionElement): void {
  if (element.type === 'button' && element.url && isSafeUrl(element.url)) window.open(element.url, '_blank', 'noopener,noreferrer');
}

// ---- side panels --------------------------------------------------------------------------------

async function refreshPanels(): Promise<void> {
  const snapshot = state.snapshot;
  if (!snapshot) return;
  const query = new URLSearchParams({ user: state.user });
  if (state.selected) {
    query.set('channel', state.selected.channel);
    query.set('ts', state.selected.ts);
    query.set('text', state.selected.text.slice(0, 500));
  }
  const tables = await Promise.all(
    snapshot.panels.map((p) =>
      api<PanelTable>(`panels/${p.index}?${query}`).catch((error: unknown) => ({ title: p.title, columns: [], rows: [], error: String(error) })),
    ),
  );
  mount(byId('panels'), tables.map(renderPanel));
}

async function refreshRequests(): Promise<void> {
  const root = byId('request-log');
  const open = new Set([...root.querySelectorAll('details[open]')].map((d) => d.querySelector('summary')?.textContent));
  const requests = await api<SnapshotRequest[]>('requests').catch(() => []);
  mount(root, renderRequestLog(requests, (ms) => time(ms)));
  root.querySelectorAll('details').forEach((d) => {
    if (open.has(d.querySelector('summary')?.textContent)) d.open = true;
  });
}

// ---- wiring -----------------------------------------------------------------------------------

function connect(): void {
  const status = byId('connection');
  const events = new EventSource('api/events');
  events.addEventListener('change', () => {
    status.textContent = 'live';
    status.className = 'connection live';
    void refresh().then(() => Promise.all([refreshPanels(), refreshRequests()]));
  });
  events.addEventListener('error', () => {
    status.textContent = 'reconnecting…';
    status.className = 'connection';
  });
}

function start(): void {
  byId('composer').addEventListener('submit', (event) => void sendCommand(event));
  byId('cluster-shell').addEventListener('submit', (event) => void runClusterCommand(event));
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    if (byId('confirm-root').firstChild) byId('confirm-root').querySelector<HTMLButtonElement>('.bk-button')?.click();
    else if (state.snapshot?.modal) void closeView(true);
  });
  // Text inputs with dispatch_action send block_actions on Enter (the default) or as characters are typed.
  const modalRoot = byId('modal-root');
  modalRoot.addEventListener('keydown', (event) => {
    const target = event.target;
    if (event.key !== 'Enter' || !(target instanceof HTMLInputElement) || target.type === 'checkbox' || target.type === 'radio') return;
    event.preventDefault();
    if ((target.dataset.dispatch ?? '').includes('on_enter_pressed')) dispatchInput(target);
  });
  let typing: number | undefined;
  modalRoot.addEventListener('input', (event) => {
    const target = event.target;
    if (!(target instanceof HTMLElement) || !(target.dataset.dispatch ?? '').includes('on_character_entered')) return;
    window.clearTimeout(typing);
    typing = window.setTimeout(() => dispatchInput(target), 400);
  });
  connect();
  void refresh().then(async () => {
    if (isHome(state.channel)) await openHome();
    // Panels show things outside Slack (the cluster, the store) that change without telling the page.
    window.setInterval(() => void refreshPanels(), Math.max(500, state.snapshot?.panelRefreshMs ?? 2000));
    return Promise.all([refreshPanels(), refreshRequests()]);
  });
}

function dispatchInput(target: HTMLElement): void {
  const view = state.snapshot?.modal;
  const { blockId, actionId } = target.dataset;
  if (!view || !blockId || !actionId) return;
  void api('view-action', { user: state.user, viewId: view.id, blockId, actionId, entries: readEntries(byId('modal-root')) })
    .catch((error: unknown) => toast(String(error)))
    .then(refresh);
}

start();
