/** What one person sees in the sandbox right now, read from the Slack stand-in. */
import type { SlackApiStandIn } from '../slack-api/server';
import { readPlainText } from './block-kit';
import { SandboxRequestError } from './errors';
import { homeSurface, messageSurface, type SandboxChannel, SLACKBOT, viewSurface } from './platform';
import {
  HOME_ID,
  type Snapshot,
  type SnapshotChannel,
  type SnapshotHome,
  type SnapshotMessage,
  type SnapshotUser,
  type SnapshotView,
} from './protocol';

/** The fixed parts of every snapshot. */
export interface SnapshotSettings {
  readonly appName: string;
  readonly channels: readonly SandboxChannel[];
  readonly userNotes: Readonly<Record<string, string>>;
  readonly panelTitles: readonly string[];
  readonly timeScale: number | null;
  readonly panelRefreshMs: number;
  readonly commandHints: readonly string[];
  readonly usergroupNames: Readonly<Record<string, string>>;
  /** Example commands of the cluster shell control; null when the page has none. */
  readonly clusterShellHints: readonly string[] | null;
}

/** What the people of the example workspace are, for the user switcher. */
export const EXAMPLE_USER_NOTES: Readonly<Record<string, string>> = {
  U0ALICE: 'requester',
  U0BOB: 'approver',
  U0CAROL: 'approver',
  U0DAVE: 'requester',
  U0ERIN: 'approver through S0STORAGE',
  U0EVE: 'not in any policy',
};

/** Builds the snapshot for `userId`: their channels and DMs, the messages they may see, their open modal. */
export function buildSnapshot(
  slack: SlackApiStandIn,
  settings: SnapshotSettings,
  userId: string,
  version: number,
): Snapshot {
  const users: SnapshotUser[] = slack.directory.users.map((u) => ({
    id: u.id,
    name: u.name,
    realName: u.realName,
    ...(settings.userNotes[u.id] ? { note: settings.userNotes[u.id] } : {}),
  }));
  const me = users.find((u) => u.id === userId);
  if (!me) throw new SandboxRequestError(`Unknown user ${userId}.`);
  const dm = slack.dmChannelOf(userId);
  const isPublic = (channel: string): boolean => /^[CG]/.test(channel);
  const messages: SnapshotMessage[] = slack.messages
    .filter((m) => (isPublic(m.channel) || m.channel === dm) && (!m.visibleTo || m.visibleTo === userId))
    .map((m) => ({
      channel: m.channel,
      ts: m.ts,
      ...(m.threadTs ? { threadTs: m.threadTs } : {}),
      text: m.text,
      blocks: messageSurface(m).blocks,
      ephemeral: m.visibleTo !== undefined,
      edited: m.edited > 0,
      author:
        m.author === SLACKBOT
          ? { id: SLACKBOT, name: 'Slackbot', kind: 'slackbot' }
          : { id: 'app', name: settings.appName, kind: 'app' },
    }));
  const channels: SnapshotChannel[] = settings.channels.map((c) => ({ id: c.id, name: c.name, kind: 'channel' }));
  for (const m of messages) {
    if (isPublic(m.channel) && !channels.some((c) => c.id === m.channel))
      channels.push({ id: m.channel, name: m.channel.toLowerCase(), kind: 'channel' });
  }
  channels.push({ id: dm, name: settings.appName, kind: 'app' });
  channels.push({ id: HOME_ID, name: `${settings.appName} · Home`, kind: 'home' });
  return {
    version,
    appName: settings.appName,
    me,
    users,
    channels,
    messages,
    modal: modalOf(slack, userId),
    home: homeOf(slack, userId),
    panels: settings.panelTitles.map((title, index) => ({ index, title })),
    timeScale: settings.timeScale,
    panelRefreshMs: settings.panelRefreshMs,
    commandHints: [...settings.commandHints],
    usergroups: { ...settings.usergroupNames },
    clusterShell: settings.clusterShellHints ? { hints: [...settings.clusterShellHints] } : null,
  };
}

function homeOf(slack: SlackApiStandIn, userId: string): SnapshotHome | null {
  const home = slack.homes.get(userId);
  return home ? { id: home.id, hash: home.hash, blocks: homeSurface(home).blocks } : null;
}

function modalOf(slack: SlackApiStandIn, userId: string): SnapshotView | null {
  const top = slack.topViewOf(userId);
  if (!top) return null;
  const submit = readPlainText(top.view.submit)?.text;
  return {
    id: top.id,
    hash: top.hash,
    title: readPlainText(top.view.title)?.text ?? '',
    ...(submit ? { submit } : {}),
    close: readPlainText(top.view.close)?.text ?? 'Cancel',
    blocks: viewSurface(top).blocks,
    depth: [...slack.views.values()].filter((v) => v.rootViewId === top.rootViewId && !v.closed).length,
  };
}
