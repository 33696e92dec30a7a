/**
 * The sandbox's own chrome, drawn as virtual nodes: the sidebar (who you are, channels, the app's
 * DM), messages with their threads, the modal dialog, the side panels and the request log. Pure:
 * the page passes the snapshot, what is selected, and the handlers.
 */
import type {
  PanelTable,
  Snapshot,
  SnapshotChannel,
  SnapshotMessage,
  SnapshotRequest,
  SnapshotView,
} from '../protocol';
import type { NameResolver } from './mrkdwn';
import { type ActionRef, renderBlocks, renderMrkdwn } from './render-blocks';
import { h, type Listener, type VNode } from './vnode';

/** Resolves the names mrkdwn mentions from a snapshot. */
export function namesOf(snapshot: Snapshot): NameResolver {
  return {
    user: (id) => snapshot.users.find((u) => u.id === id)?.name,
    channel: (id) => snapshot.channels.find((c) => c.id === id && c.kind === 'channel')?.name,
    usergroup: (id) => snapshot.usergroups[id],
  };
}

/** Messages at the top of a conversation (thread replies live in their thread). */
export function topLevel(messages: readonly SnapshotMessage[], channel: string): SnapshotMessage[] {
  return messages.filter((m) => m.channel === channel && (!m.threadTs || m.threadTs === m.ts));
}

/** The replies of a thread, oldest first. */
export function repliesOf(messages: readonly SnapshotMessage[], parent: SnapshotMessage): SnapshotMessage[] {
  return messages.filter((m) => m.channel === parent.channel && m.threadTs === parent.ts && m.ts !== parent.ts);
}

/** The sidebar: the user switcher and the conversations. */
export function renderSidebar(
  snapshot: Snapshot,
  current: string,
  on: { readonly user: Listener; readonly channel: (id: string) => void },
): VNode[] {
  const item = (c: SnapshotChannel): VNode =>
    h(
      'li',
      null,
      h(
        'button',
        {
          type: 'button',
          class: c.id === current ? 'conversation current' : 'conversation',
          'aria-current': c.id === current ? 'page' : undefined,
          onclick: () => on.channel(c.id),
        },
        c.kind === 'channel' ? `# ${c.name}` : c.kind === 'home' ? `⌂ ${c.name}` : `● ${c.name}`,
      ),
    );
  return [
    h(
      'div',
      { class: 'who' },
      h('label', { for: 'user-switcher' }, 'You are'),
      h(
        'select',
        { id: 'user-switcher', onchange: on.user },
        snapshot.users.map((u) =>
          h(
            'option',
            { value: u.id, selected: u.id === snapshot.me.id },
            `${u.realName} (@${u.name})${u.note ? ` · ${u.note}` : ''}`,
          ),
        ),
      ),
    ),
    h('h2', { class: 'sidebar-heading' }, 'Channels'),
    h('ul', { class: 'conversations' }, snapshot.channels.filter((c) => c.kind === 'channel').map(item)),
    h('h2', { class: 'sidebar-heading' }, 'Apps'),
    h('ul', { class: 'conversations' }, snapshot.channels.filter((c) => c.kind !== 'channel').map(item)),
  ];
}

/** What a message needs besides itself. */
export interface MessageContext {
  readonly names: NameResolver;
  readonly users: Snapshot['users'];
  readonly time: (ts: string) => string;
  readonly selected: boolean;
  readonly replies?: number;
  readonly onAction: (message: SnapshotMessage, ref: ActionRef) => void;
  readonly onSelect?: (message: SnapshotMessage) => void;
  readonly onThread?: (message: SnapshotMessage) => void;
}

/** One message: author, time, blocks (or its text), and its thread and selection controls. */
export function renderMessage(message: SnapshotMessage, ctx: MessageContext): VNode {
  const classes = ['message', message.ephemeral ? 'ephemeral' : '', ctx.selected ? 'selected' : '', message.author.kind]
    .filter(Boolean)
    .join(' ');
  const body =
    message.blocks.length > 0
      ? renderBlocks(message.blocks, {
          names: ctx.names,
          surface: `m${message.ts.replace('.', '_')}`,
          users: ctx.users,
          onAction: (ref) => ctx.onAction(message, ref),
        })
      : [h('div', { class: 'bk-text' }, renderMrkdwn(message.text, ctx.names))];
  return h(
    'article',
    { class: classes, 'data-ts': message.ts, 'aria-label': `${message.author.name} at ${ctx.time(message.ts)}` },
    h('div', { class: 'avatar', 'aria-hidden': 'true' }, message.author.name.slice(0, 1).toUpperCase()),
    h(
      'div',
      { class: 'message-main' },
      h(
        'div',
        { class: 'message-meta' },
        h('strong', { class: 'author' }, message.author.name),
        message.author.kind === 'app' ? h('span', { class: 'badge' }, 'APP') : null,
        h('time', { class: 'time' }, ctx.time(message.ts)),
        message.edited ? h('span', { class: 'edited' }, '(edited)') : null,
      ),
      h('div', { class: 'message-body' }, body),
      message.ephemeral ? h('div', { class: 'ephemeral-note' }, '👁 Only visible to you') : null,
      h(
        'div',
        { class: 'message-tools' },
        ctx.onThread && ctx.replies
          ? h(
              'button',
              { type: 'button', class: 'link-button replies', onclick: () => ctx.onThread?.(message) },
              `${ctx.replies} ${ctx.replies === 1 ? 'reply' : 'replies'}`,
            )
          : null,
        ctx.onSelect
          ? h(
              'button',
              {
                type: 'button',
                class: 'link-button select',
                'aria-pressed': ctx.selected ? 'true' : 'false',
                onclick: () => ctx.onSelect?.(message),
              },
              ctx.selected ? 'Selected for the side panels' : 'Show in side panels',
            )
          : null,
      ),
    ),
  );
}

/** The app's Home tab: what the app published for this person, or a note until it has. */
export function renderHome(
  snapshot: Snapshot,
  ctx: { readonly onAction: (ref: ActionRef) => void; readonly opening: boolean },
): VNode {
  const home = snapshot.home;
  return h(
    'section',
    { class: 'home-tab', 'aria-label': `${snapshot.appName} Home`, 'data-home-hash': home?.hash ?? '' },
    home
      ? renderBlocks(home.blocks, {
          names: namesOf(snapshot),
          surface: `h${home.id}`,
          users: snapshot.users,
          onAction: ctx.onAction,
        })
      : h('p', { class: 'empty' }, ctx.opening ? 'Opening the Home tab…' : 'The app has not published a Home tab.'),
  );
}

/** The modal dialog: title, ✕, blocks with errors under them, Cancel/Back and submit. */
export function renderModal(
  view: SnapshotView,
  ctx: {
    readonly names: NameResolver;
    readonly users: Snapshot['users'];
    readonly errors: Readonly<Record<string, string>>;
    readonly message?: string;
    readonly busy: boolean;
    readonly onAction: (ref: ActionRef) => void;
    readonly onSubmit: Listener;
    readonly onCancel: () => void;
    readonly onDismiss: () => void;
  },
): VNode {
  return h(
    'div',
    { class: 'modal-backdrop' },
    h(
      'div',
      {
        class: 'modal',
        role: 'dialog',
        'aria-modal': 'true',
        'aria-labelledby': 'modal-title',
        'data-view-id': view.id,
      },
      h(
        'form',
        { class: 'modal-form', novalidate: true, onsubmit: ctx.onSubmit },
        h(
          'header',
          { class: 'modal-header' },
          h('h2', { id: 'modal-title' }, view.title),
          h('button', { type: 'button', class: 'modal-x', 'aria-label': 'Close', onclick: ctx.onDismiss }, '✕'),
        ),
        h(
          'div',
          { class: 'modal-body' },
          renderBlocks(view.blocks, {
            names: ctx.names,
            surface: `v${view.id}`,
            users: ctx.users,
            errors: ctx.errors,
            onAction: ctx.onAction,
          }),
        ),
        ctx.message ? h('div', { class: 'modal-message', role: 'alert' }, ctx.message) : null,
        h(
          'footer',
          { class: 'modal-footer' },
          h(
            'button',
            { type: 'button', class: 'bk-button', onclick: ctx.onCancel },
            view.depth > 1 ? 'Back' : view.close,
          ),
          view.submit
            ? h('button', { type: 'submit', class: 'bk-button bk-button-primary', disabled: ctx.busy }, view.submit)
            : null,
        ),
      ),
    ),
  );
}

/** One side panel as a table. */
export function renderPanel(table: PanelTable): VNode {
  return h(
    'section',
    { class: 'panel', 'aria-label': table.title },
    h('h2', { class: 'panel-title' }, table.title),
    table.error ? h('p', { class: 'panel-error', role: 'alert' }, table.error) : null,
    table.note ? h('p', { class: 'panel-note' }, table.note) : null,
    table.columns.length > 0
      ? h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            null,
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                table.columns.map((c) => h('th', { scope: 'col' }, c)),
              ),
            ),
            h(
              'tbody',
              null,
              table.rows.map((r) =>
                h(
                  'tr',
                  null,
                  r.map((v) => h('td', null, v)),
                ),
              ),
            ),
          ),
        )
      : null,
  );
}

/** The requests the app received, newest first, each with its payload and the app's answer. */
export function renderRequestLog(requests: readonly SnapshotRequest[], time: (ms: number) => string): VNode {
  return h(
    'section',
    { class: 'panel request-log', 'aria-label': 'Requests sent to the app' },
    h('h2', { class: 'panel-title' }, 'Requests sent to the app'),
    requests.length === 0 ? h('p', { class: 'panel-note' }, 'None yet: type a slash command.') : null,
    requests.map((r) =>
      h(
        'details',
        { class: 'request' },
        h(
          'summary',
          null,
          `${time(r.at)} ${r.kind} · ${r.user} · ${r.status === null ? 'no answer' : `HTTP ${r.status}`}`,
        ),
        h('h3', null, 'Payload (signed, as Slack sends it)'),
        h('pre', null, r.payload),
        h('h3', null, 'Answer'),
        h('pre', null, r.answer === '' ? '(empty body)' : r.answer),
      ),
    ),
  );
}
