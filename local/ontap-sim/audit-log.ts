/**
 * The cluster's administrative audit log (`GET /api/security/audit/messages`), and the simulated SSH
 * user that fills it: `security jit-privilege elevate` and `reset`, and any other command, run as an
 * account through `POST /__sim/run-command`. A command that changes something needs the elevated
 * role: run without an elevated session it is logged with state `error`, as ONTAP refuses it. As on
 * ONTAP, read-only commands (`show`) are logged only when CLI GET logging is on (`POST /__sim/audit`).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { formatIsoTime } from './durations';
import { OntapSimError } from './errors';
import { answerCollection, type CollectionSpec, type QueryParams } from './query';
import type { WireRecord } from './records';
import type { SimState } from './state';

/** One audit record as the simulator keeps it (times in epoch ms). */
export interface AuditEntry {
  readonly atMs: number;
  readonly index: number;
  readonly user: string;
  readonly svm: string;
  readonly scope: 'cluster' | 'svm';
  readonly sessionId: string;
  readonly commandId: string;
  readonly input: string;
  readonly state: 'success' | 'error';
  readonly message?: string;
}

/** How the audit log answers: readable, or refused as for an account without the audit role. */
export type AuditReadability = 'readable' | 'forbidden';

/** The log of one simulated cluster, its CLI GET setting and the SSH sessions open per account. */
export class SimAuditLog {
  entries: AuditEntry[] = [];
  /** ONTAP's `security audit modify -cliget`: read-only commands are logged only when on. */
  cliGet = false;
  readability: AuditReadability = 'readable';
  private sessions = new Map<string, { id: string; commands: number }>();
  private nextSession = 1;
  private nextIndex = 1;

  /** Forgets every record, session and setting. */
  clear(): void {
    this.entries = [];
    this.cliGet = false;
    this.readability = 'readable';
    this.sessions.clear();
    this.nextSession = 1;
    this.nextIndex = 1;
  }

  /** Logs `input` run by `user` on `svm` at `atMs`, in the account's open SSH session (or a new one). */
  log(
    atMs: number,
    who: { user: string; svm: string; scope: 'cluster' | 'svm' },
    input: string,
    outcome: { state: 'success' | 'error'; message?: string },
    newSession = false,
  ): AuditEntry {
    const key = `${who.svm}/${who.user}`;
    let session = this.sessions.get(key);
    if (session === undefined || newSession) {
      session = { id: String(4_000_000 + this.nextSession++), commands: 0 };
      this.sessions.set(key, session);
    }
    session.commands += 1;
    const entry: AuditEntry = {
      atMs,
      index: this.nextIndex++,
      ...who,
      sessionId: session.id,
      commandId: `${session.id}-${session.commands}`,
      input,
      ...outcome,
    };
    this.entries.push(entry);
    return entry;
  }
}

const logs = new WeakMap<SimState, SimAuditLog>();

/** The audit log of a simulated cluster (one per state, made on first use). */
export function auditLogOf(state: SimState): SimAuditLog {
  let log = logs.get(state);
  if (log === undefined) {
    log = new SimAuditLog();
    logs.set(state, log);
  }
  return log;
}

/** The node every record names: the simulated cluster has one. */
function nodeOf(state: SimState): WireRecord {
  const uuid = createHash('sha256').update(`node:${state.cluster.uuid}`).digest('hex');
  const id = `${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-${uuid.slice(12, 16)}-${uuid.slice(16, 20)}-${uuid.slice(20, 32)}`;
  return { name: `${state.cluster.name}-01`, uuid: id, _links: { self: { href: `/api/cluster/nodes/${id}` } } };
}

/** An entry as `security_audit_log` describes it. */
export function auditRecord(state: SimState, e: AuditEntry): WireRecord {
  return {
    timestamp: formatIsoTime(e.atMs),
    node: nodeOf(state),
    index: e.index,
    application: 'ssh',
    // A documentation address (RFC 5737): where the simulated administrator connects from.
    location: '192.0.2.10',
    user: e.user,
    input: e.input,
    state: e.state,
    scope: e.scope,
    session_id: e.sessionId,
    command_id: e.commandId,
    ...(e.message !== undefined ? { message: e.message } : {}),
    svm: { name: e.svm },
  };
}

const AUDIT: CollectionSpec = {
  keyFields: ['timestamp', 'node', 'index'],
  fields: [
    'timestamp',
    'node',
    'index',
    'application',
    'location',
    'user',
    'input',
    'state',
    'scope',
    'session_id',
    'command_id',
    'message',
    'svm',
  ],
  filters: [
    'input',
    'message',
    'user',
    'session_id',
    'application',
    'location',
    'index',
    'node.uuid',
    'node.name',
    'command_id',
    'scope',
    'svm.name',
    'state',
  ],
};

/** Whether an instant matches one `timestamp` alternative: exact, `<`, `>`, `<=`, `>=`, or a range `A..B`. */
function matchesTime(ms: number, alt: string): boolean {
  const at = (text: string): number => {
    const parsed = Date.parse(text.trim());
    if (Number.isNaN(parsed))
      throw new OntapSimError(400, `Invalid value "${alt}" for field "timestamp".`, '2', 'timestamp');
    return parsed;
  };
  const range = alt.split('..');
  if (range.length === 2) return ms >= at(range[0] ?? '') && ms <= at(range[1] ?? '');
  for (const op of ['<=', '>=', '<', '>'] as const) {
    if (!alt.startsWith(op)) continue;
    const bound = at(alt.slice(op.length));
    return op === '<=' ? ms <= bound : op === '>=' ? ms >= bound : op === '<' ? ms < bound : ms > bound;
  }
  return ms === at(alt);
}

/**
 * `GET /api/security/audit/messages`: the time filter read as instants (string order would be wrong
 * across offsets), every other filter, `fields`, `order_by` and `max_records` paging as for any
 * collection; `_links.next` keeps the time filter.
 */
export function answerAuditMessages(state: SimState, query: QueryParams, path: string, selfHref: string): WireRecord {
  const log = auditLogOf(state);
  if (log.readability === 'forbidden')
    throw new OntapSimError(403, 'not authorized for that command', '6', 'security audit log show');
  const times = query.filter(([k]) => k === 'timestamp').map(([, v]) => v);
  const entries = log.entries.filter((e) => times.every((t) => t.split('|').some((alt) => matchesTime(e.atMs, alt))));
  const rest = query.filter(([k]) => k !== 'timestamp');
  const body = answerCollection(
    entries.map((e) => auditRecord(state, e)),
    AUDIT,
    rest,
    path,
    selfHref,
  );
  const links = body._links as { self: { href: string }; next?: { href: string } };
  if (links.next && times.length > 0) {
    const kept = times.map((t) => `timestamp=${encodeURIComponent(t)}`).join('&');
    links.next = { href: `${links.next.href}&${kept}` };
  }
  return body;
}

/** The body of `POST /__sim/run-command`. */
export const RunCommandSchema = z.strictObject({
  /** The SVM (name or uuid) the account belongs to. */
  owner: z.string().min(1),
  account: z.string().min(1),
  command: z.string().trim().min(1).max(4096),
  /** Forces the outcome of a command the account may run (e.g. `error`: the volume does not exist). */
  state: z.enum(['success', 'error']).optional(),
  message: z.string().max(1000).optional(),
  /** Opens a new SSH session first. */
  new_session: z.boolean().optional(),
});

/** Whether a command only reads (ONTAP logs those only with CLI GET logging on). */
export function isReadOnly(command: string): boolean {
  return /(^|\s)show(\s|$)/.test(command.trim().split(/\s+-/)[0] ?? '');
}

/**
 * Runs a command as an account in an SSH session, as the audit log records it: elevate and reset
 * change the JIT entry's session; a changing command fails unless the account is elevated now.
 * Returns the record logged, or undefined for a read-only command not logged.
 */
export function runCommand(state: SimState, input: z.infer<typeof RunCommandSchema>): WireRecord | undefined {
  const svm = state.svmByUuid(input.owner) ?? state.svmByName(input.owner);
  if (!svm) throw new OntapSimError(404, "entry doesn't exist", '4', 'owner');
  if (!state.accounts.some((a) => a.ownerUuid === svm.uuid && a.name === input.account))
    throw new OntapSimError(404, "entry doesn't exist", '4', 'account');
  const log = auditLogOf(state);
  const command = input.command.replace(/\s+/g, ' ');
  const now = state.clock.now();
  let outcome: { state: 'success' | 'error'; message?: string } = { state: 'success' };
  if (/^security jit-privilege elevate\b/.test(command)) {
    try {
      state.elevate(svm.uuid, input.account);
    } catch (error) {
      if (!(error instanceof OntapSimError)) throw error;
      outcome = { state: 'error', message: error.message };
    }
  } else if (/^security jit-privilege reset\b/.test(command)) {
    state.endSession(svm.uuid, input.account);
  } else if (isReadOnly(command)) {
    if (!log.cliGet) return undefined;
  } else {
    const entry = state.findJitUser(svm.uuid, input.account, 'ssh');
    if (entry === undefined || state.jitStateOf(entry) !== 'active')
      outcome = { state: 'error', message: 'Error: command failed: not authorized for that command' };
  }
  // A command the account may run can still fail on its own (a volume that does not exist).
  if (outcome.state === 'success' && input.state === 'error')
    outcome = { state: 'error', message: input.message ?? 'Error: command failed' };
  else if (outcome.state === 'success' && input.message !== undefined) outcome.message = input.message;
  const who = { user: input.account, svm: svm.name, scope: svm.scope };
  return auditRecord(state, log.log(now, who, command, outcome, input.new_session === true));
}

/** The body of `POST /__sim/audit`: CLI GET logging, and whether the log can be read. */
export const AuditSettingsSchema = z.strictObject({
  cli_get: z.boolean().optional(),
  readable: z.boolean().optional(),
});

/** Applies `POST /__sim/audit`. */
export function setAudit(state: SimState, settings: z.infer<typeof AuditSettingsSchema>): void {
  const log = auditLogOf(state);
  if (settings.cli_get !== undefined) log.cliGet = settings.cli_get;
  if (settings.readable !== undefined) log.readability = settings.readable ? 'readable' : 'forbidden';
}
