/**
 * The activity digest of a grant: what the account did on the cluster while it held the grant, read
 * from the administrative audit log. Commands are counted (elevate and reset apart), with the SSH
 * sessions they came in; every elevate and reset listed; each command that changed something listed,
 * the destructive ones flagged by the one list below; failures listed. Pure: no I/O, no clock.
 */
import { parseInstant, toUtcSecond } from './durations';
import type { AccessRequest } from './request';

/** One command as the audit log holds it (lambdas/ontap/audit-messages.ts reads them). */
export interface LoggedCommand {
  readonly at: string;
  readonly input: string;
  /** `success`, `error`, `pending` or what a newer ONTAP answers. */
  readonly state: string;
  readonly sessionId: string | null;
  readonly message: string | null;
}

/** A command as the digest's whole list keeps it: as logged, and flagged when destructive. */
export interface StoredCommand extends LoggedCommand {
  readonly destructive?: string;
}

/** Every command logged, flagged by the destructive list: what the audit trail keeps whole. */
export function storedCommands(logged: readonly LoggedCommand[]): StoredCommand[] {
  return logged.map((c) => {
    const why = kindOf(c.input) === 'change' ? destructiveReason(c.input) : undefined;
    const { at, input, state, sessionId, message } = c;
    return { at, input, state, sessionId, message, ...(why !== undefined ? { destructive: why } : {}) };
  });
}

/**
 * What makes a command destructive, in one place (and in the README): a command whose verb deletes,
 * destroys or takes something offline, and any `modify` of a setting that protects data or access.
 */
export const DESTRUCTIVE = {
  /** The last word of the command's path (`volume delete` → `delete`). */
  verbs: ['delete', 'destroy', 'offline', 'purge'],
  /** Command directories whose `modify` (and `modify-*`, `remove-*`, `disable`) weakens protection. */
  protection: [
    'volume snapshot policy',
    'snapshot policy',
    'volume snapshot autodelete',
    'volume snaplock',
    'snaplock',
    'snapmirror',
    'vserver export-policy',
    'export-policy',
    'security',
    'vserver security',
    'vserver audit',
  ],
  protectionVerbs: /^(modify|remove|disable|break|quiesce|release)(-|$)/,
} as const;

/** Commands that change the session, not the cluster. */
const SESSION_COMMANDS = new Set(['set', 'exit', 'top', 'up', 'history', 'rows', 'man', 'redo']);

/** A command's directory path and verb: the words before its first `-option`. */
export function commandPath(input: string): string[] {
  const words: string[] = [];
  for (const word of input.trim().split(/\s+/)) {
    if (word.startsWith('-') || word === '') break;
    words.push(word.toLowerCase());
  }
  return words;
}

/** What kind of command it is for the digest. */
export type CommandKind = 'elevate' | 'reset' | 'read' | 'session' | 'change';

/** Classifies one command by its path. */
export function kindOf(input: string): CommandKind {
  const path = commandPath(input);
  const joined = path.join(' ');
  if (joined === 'security jit-privilege elevate') return 'elevate';
  if (joined === 'security jit-privilege reset') return 'reset';
  const verb = path.at(-1) ?? '';
  if (path.length === 1 && SESSION_COMMANDS.has(verb)) return 'session';
  if (verb === 'show' || verb.startsWith('show-')) return 'read';
  return 'change';
}

/** Why a command is destructive, or undefined when it is not. */
export function destructiveReason(input: string): string | undefined {
  const path = commandPath(input);
  const verb = path.at(-1) ?? '';
  if ((DESTRUCTIVE.verbs as readonly string[]).includes(verb)) return verb;
  const directory = path.slice(0, -1).join(' ');
  const guarded = DESTRUCTIVE.protection.find((p) => directory === p || directory.startsWith(`${p} `));
  if (guarded !== undefined && DESTRUCTIVE.protectionVerbs.test(verb)) return `${verb} of ${guarded}`;
  return undefined;
}

/** One line of the digest's lists. */
export interface DigestLine {
  readonly at: string;
  readonly input: string;
  readonly state: string;
  readonly destructive?: string;
  readonly message?: string;
}

/** The digest of a grant. */
export interface ActivityDigest {
  /** Commands run (elevate and reset counted apart, session commands not at all). */
  readonly commands: number;
  readonly sessions: number;
  readonly elevations: readonly DigestLine[];
  /** Commands that changed something (or tried to), oldest first. */
  readonly changes: readonly DigestLine[];
  readonly destructive: number;
  /** Commands the cluster refused or that failed, elevate included. */
  readonly failures: readonly DigestLine[];
  /** The log held more than was read. */
  readonly truncated: boolean;
}

/** Builds the digest of the commands logged over a grant. */
export function buildDigest(logged: readonly LoggedCommand[], truncated = false): ActivityDigest {
  const sessions = new Set<string>();
  const elevations: DigestLine[] = [];
  const changes: DigestLine[] = [];
  const failures: DigestLine[] = [];
  let commands = 0;
  for (const c of logged) {
    if (c.sessionId !== null) sessions.add(c.sessionId);
    const kind = kindOf(c.input);
    const line: DigestLine = {
      at: c.at,
      input: c.input,
      state: c.state,
      ...(c.message !== null && c.message !== '' ? { message: c.message } : {}),
    };
    if (kind === 'elevate' || kind === 'reset') elevations.push(line);
    else if (kind !== 'session') commands += 1;
    if (kind === 'change') {
      const why = destructiveReason(c.input);
      changes.push(why === undefined ? line : { ...line, destructive: why });
    }
    if (c.state === 'error') failures.push(line);
  }
  const destructive = changes.filter((l) => l.destructive !== undefined).length;
  return { commands, sessions: sessions.size, elevations, changes, destructive, failures, truncated };
}

/** Lines the thread reply shows at most per list; the rest is "and N more" (the audit trail keeps all). */
export const DIGEST_CAP = 20;

/** A list cut to `cap` lines, destructive ones first so none is hidden by the cap, and how many were left out. */
export function capped(lines: readonly DigestLine[], cap = DIGEST_CAP): { shown: DigestLine[]; more: number } {
  const first = [...lines.filter((l) => l.destructive !== undefined), ...lines.filter((l) => !l.destructive)];
  const shown = first.slice(0, cap).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { shown, more: Math.max(0, lines.length - cap) };
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The digest in one line, for the audit trail's `detail` (and the export). */
export function summaryOf(d: ActivityDigest): string {
  const parts = [
    `${plural(d.commands, 'command')} in ${plural(d.sessions, 'SSH session')}`,
    `${plural(d.elevations.filter((l) => kindOf(l.input) === 'elevate').length, 'elevate')}, ` +
      `${plural(d.elevations.filter((l) => kindOf(l.input) === 'reset').length, 'reset')}`,
    `${plural(d.changes.length, 'change')} (${d.destructive} destructive)`,
    `${plural(d.failures.length, 'failure')}`,
  ];
  const flagged = d.changes.filter((l) => l.destructive !== undefined).slice(0, 5);
  const named = flagged.map((l) => l.input.slice(0, 80)).join('; ');
  const more = d.destructive > flagged.length ? `; and ${d.destructive - flagged.length} more` : '';
  return `${parts.join('; ')}${named ? `. Destructive: ${named}${more}` : ''}${d.truncated ? '. Log read in part' : ''}`;
}

/** How long after a grant's end the reconciler first looks at its digest: the revoke tries it at once. */
export const DIGEST_GRACE_SECONDS = 90;

/**
 * How long after a grant's end the audit log is tried before the digest is given up (and the thread
 * told so): long enough for a cluster to come back or an operator to fix the product's audit role.
 */
export const DIGEST_GIVE_UP_SECONDS = 6 * 3600;

/** A grant's end and the window its digest covers, when the request held a grant that has ended. */
export function digestWindowOf(r: AccessRequest): { readonly from: string; readonly to: string } | undefined {
  if (r.status === 'REVOKED' || (r.status === 'EXPIRED' && r.expiry === 'window-ended')) {
    if (r.window === undefined) return undefined;
    // Ended before a scheduled start: an empty window at its start.
    if (r.endedAt < r.window.start) return { from: r.window.start, to: r.window.start };
    return { from: r.window.start, to: r.endedAt };
  }
  return undefined;
}

/**
 * When the reconciler owes a grant its digest: a grace after the end, while the digest is neither
 * recorded nor given up; none for requests kept before milestones were (`told` absent).
 */
export function digestDue(r: AccessRequest): string | undefined {
  if (r.told === undefined) return undefined;
  const window = digestWindowOf(r);
  if (window === undefined) return undefined;
  const state = r.digest?.state;
  if (state === 'recorded' || state === 'abandoned') return undefined;
  return toUtcSecond(parseInstant(window.to).plus({ seconds: DIGEST_GRACE_SECONDS }));
}
