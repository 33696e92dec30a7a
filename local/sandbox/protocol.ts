/**
 * What the sandbox page and its server say to each other: the requests the page sends (zod, checked
 * at the server's edge) and the snapshot it reads. The page imports only the types.
 */
import { z } from 'zod';
import type { Block } from './block-kit';
import type { PanelTable } from './panels';

const entry = z.union([z.string().max(10_000), z.array(z.string().max(1000)).max(100), z.null()]);
const entries = z.record(z.string().max(255), z.record(z.string().max(255), entry));
const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/);

/** `POST api/command`: a slash command typed in a channel. */
export const COMMAND_REQUEST = z.object({ user: id, channel: id, line: z.string().min(1).max(4000) });
/** A command typed on the cluster, as the person's ONTAP account over SSH (the cluster shell control). */
export const CLUSTER_COMMAND_REQUEST = z.object({ user: id, command: z.string().trim().min(1).max(4000) });
/** `POST api/message-action`: a click or choice on a message. */
export const MESSAGE_ACTION_REQUEST = z.object({
  user: id,
  channel: id,
  ts: id,
  blockId: z.string().max(255),
  actionId: z.string().max(255),
  entries,
});
/** `POST api/view-action`: a click or choice inside a modal. */
export const VIEW_ACTION_REQUEST = z.object({
  user: id,
  viewId: id,
  blockId: z.string().max(255),
  actionId: z.string().max(255),
  entries,
});
/** `POST api/view-submit`: a modal submitted with what was entered. */
export const VIEW_SUBMIT_REQUEST = z.object({ user: id, viewId: id, entries });
/** `POST api/view-close`: a modal's Cancel (one view) or ✕ (the whole stack). */
export const VIEW_CLOSE_REQUEST = z.object({ user: id, viewId: id, all: z.boolean() });
/** `POST api/home-open`: the person opens the app's Home tab. */
export const HOME_OPEN_REQUEST = z.object({ user: id });
/** `POST api/home-action`: a click or choice on the Home tab. */
export const HOME_ACTION_REQUEST = z.object({
  user: id,
  blockId: z.string().max(255),
  actionId: z.string().max(255),
  entries,
});

/** The sidebar entry of the app's Home tab (not a conversation: it has no messages). */
export const HOME_ID = 'APP_HOME';

/** A person the page can act as. */
export interface SnapshotUser {
  readonly id: string;
  readonly name: string;
  readonly realName: string;
  /** What they are in the example (requester, approver…). */
  readonly note?: string;
}

/** A conversation in the sidebar: a channel, or the DM with the app. */
export interface SnapshotChannel {
  readonly id: string;
  readonly name: string;
  readonly kind: 'channel' | 'app' | 'home';
}

/** The app's Home tab as the person sees it: what the app last published for them. */
export interface SnapshotHome {
  readonly id: string;
  readonly hash: string;
  readonly blocks: Block[];
}

/** A message as the page shows it. */
export interface SnapshotMessage {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs?: string;
  readonly text: string;
  readonly blocks: Block[];
  readonly ephemeral: boolean;
  readonly edited: boolean;
  readonly author: { readonly id: string; readonly name: string; readonly kind: 'app' | 'slackbot' };
}

/** The modal the person sees. */
export interface SnapshotView {
  readonly id: string;
  readonly hash: string;
  readonly title: string;
  readonly submit?: string;
  readonly close: string;
  readonly blocks: Block[];
  /** How many views are stacked (1 = no pushed view). */
  readonly depth: number;
}

/** Everything the page shows for one person. */
export interface Snapshot {
  readonly version: number;
  readonly appName: string;
  readonly me: SnapshotUser;
  readonly users: SnapshotUser[];
  readonly channels: SnapshotChannel[];
  readonly messages: SnapshotMessage[];
  readonly modal: SnapshotView | null;
  /** Their Home tab; null until the app has published one. */
  readonly home: SnapshotHome | null;
  readonly panels: { readonly index: number; readonly title: string }[];
  readonly timeScale: number | null;
  /** How often the page refreshes the side panels. */
  readonly panelRefreshMs: number;
  readonly commandHints: string[];
  readonly usergroups: Record<string, string>;
  /** Whether the page offers "run a command on the cluster as this person", and example commands for it. */
  readonly clusterShell: { readonly hints: string[] } | null;
}

/** A request the app received, as the page's request log shows it. */
export interface SnapshotRequest {
  readonly at: number;
  readonly kind: string;
  readonly user: string;
  readonly status: number | null;
  readonly payload: string;
  readonly answer: string;
}

/** What `api/panels/<n>` answers. */
export type { PanelTable };
