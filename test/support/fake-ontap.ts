/**
 * A scripted ONTAP cluster for use-case unit tests: JIT entries kept in memory with the client's
 * idempotent semantics (ensure finds the same entry, remove spares another grant's entry, a missing
 * entry is "already gone"), prerequisites the test sets, and faults before or after the work.
 */

import { toIsoDuration } from '../../lambdas/domain/durations';
import { OntapJitEntryMismatchError } from '../../lambdas/ontap/errors';
import type { JitPrerequisiteInput, JitPrerequisiteResult } from '../../lambdas/ontap/prerequisites';
import type { JitSettings, JitUserEntry, JitUserRecord, OntapRole } from '../../lambdas/ontap/schemas';
import type { Fault } from './fakes';

type Call =
  | 'checkJitPrerequisites'
  | 'ensureJitUser'
  | 'removeJitUser'
  | 'getJitUser'
  | 'deleteJitUser'
  | 'getJitSettings';

/** svm1's uuid in the fake cluster (the one requests.ts builds requests with). */
export const FAKE_SVM_UUID = '11111111-2222-3333-4444-555555555555';

const entryKey = (owner: string, account: string, application: string): string => `${owner}/${account}/${application}`;

/** The in-memory cluster. */
export class FakeOntap {
  /** JIT entries on the cluster, by owner uuid / account / application. */
  readonly entries = new Map<string, JitUserRecord>();
  /** Every call, in order, with its arguments. */
  readonly calls: { readonly call: Call; readonly args: unknown[] }[] = [];
  /** The role the prerequisites report (a custom role is described on the approval message). */
  role: OntapRole = {
    name: 'vsadmin',
    ownerUuid: FAKE_SVM_UUID,
    ownerName: 'svm1',
    builtin: true,
    scope: 'svm',
    privileges: [],
  };
  /** Problems the prerequisites report; none: the request is fine. */
  problems: { code: 'role-not-found' | 'account-not-found' | 'window-too-long'; message: string }[] = [];
  /** The owner's default session length, in seconds. */
  sessionValiditySeconds = 3600;
  /** The cluster's `max_jit_validity_period`, in seconds. */
  maxJitValiditySeconds = 90 * 86400;
  private readonly faults = new Map<Call, (Fault & { always?: boolean })[]>();
  private readonly hung = new Set<Call>();

  /** The next call of `call` fails with `fault` (every one, with `always`). */
  fail(call: Call, fault: Fault & { always?: boolean }): void {
    this.faults.set(call, [...(this.faults.get(call) ?? []), fault]);
  }

  /** Every later call of `call` never answers (a cluster that accepts the connection and says nothing). */
  hang(call: Call): void {
    this.hung.add(call);
  }

  /** How many times `call` was made. */
  count(call: Call): number {
    return this.calls.filter((c) => c.call === call).length;
  }

  /** Puts an entry on the cluster as another grant (or a person) left it. */
  putEntry(entry: Partial<JitUserRecord> & Pick<JitUserRecord, 'ownerUuid' | 'account'>): void {
    const record: JitUserRecord = {
      ownerName: null,
      application: 'ssh',
      role: 'vsadmin',
      sessionValidity: null,
      jitValidity: null,
      startTime: null,
      endTime: null,
      jitState: 'active',
      comment: null,
      ...entry,
    };
    this.entries.set(entryKey(record.ownerUuid, record.account, record.application), record);
  }

  checkJitPrerequisites(input: JitPrerequisiteInput): Promise<JitPrerequisiteResult> {
    return this.run('checkJitPrerequisites', [input], () => {
      const svm = { uuid: FAKE_SVM_UUID, name: input.svmName, scope: 'svm' as const };
      if (this.problems.length > 0) return { ok: false, problems: [...this.problems], svm };
      const account = {
        name: input.account,
        ownerUuid: FAKE_SVM_UUID,
        ownerName: input.svmName,
        locked: false,
        role: 'vsadmin-readonly',
        applications: [{ application: 'ssh', authenticationMethods: ['password'], secondAuthenticationMethod: 'none' }],
      };
      const seconds = Number(input.jitValidity);
      return {
        ok: true,
        svm,
        account,
        role: { ...this.role, name: input.role },
        jitValiditySeconds: seconds,
        sessionValidity: `PT${this.sessionValiditySeconds}S`,
        sessionValiditySeconds: this.sessionValiditySeconds,
        maxJitValidity: 'P90D',
        maxJitValiditySeconds: 90 * 86400,
      };
    });
  }

  ensureJitUser(entry: JitUserEntry): Promise<{ entry: JitUserRecord; created: boolean }> {
    return this.run('ensureJitUser', [entry], () => {
      const key = entryKey(entry.ownerUuid, entry.account, entry.application ?? 'ssh');
      const wanted: JitUserRecord = {
        ownerUuid: entry.ownerUuid,
        ownerName: null,
        account: entry.account,
        application: entry.application ?? 'ssh',
        role: entry.role,
        sessionValidity: entry.sessionValidity === undefined ? null : String(entry.sessionValidity),
        jitValidity: String(entry.jitValidity),
        startTime: entry.startTime === undefined ? null : String(entry.startTime),
        endTime: null,
        jitState: 'preactive',
        comment: entry.comment ?? null,
      };
      const existing = this.entries.get(key);
      if (!existing) {
        this.entries.set(key, wanted);
        return { entry: wanted, created: true };
      }
      const fields = ['role', 'jitValidity', 'startTime', 'comment'] as const;
      const differences = fields
        .filter((f) => existing[f] !== wanted[f])
        .map((field) => ({ field, existing: existing[field], requested: wanted[field] }));
      if (differences.length > 0) throw new OntapJitEntryMismatchError('a different JIT entry exists', differences);
      return { entry: existing, created: false };
    });
  }

  removeJitUser(
    ownerUuid: string,
    account: string,
    application = 'ssh',
    options: { onlyIfComment?: string } = {},
  ): Promise<{ alreadyGone: boolean }> {
    return this.run('removeJitUser', [ownerUuid, account, application, options], () => {
      const key = entryKey(ownerUuid, account, application);
      const existing = this.entries.get(key);
      if (!existing) return { alreadyGone: true };
      if (options.onlyIfComment !== undefined && (existing.comment ?? '') !== options.onlyIfComment) {
        const diff = { field: 'comment' as const, existing: existing.comment, requested: options.onlyIfComment };
        throw new OntapJitEntryMismatchError('the JIT entry belongs to another grant', [diff]);
      }
      this.entries.delete(key);
      return { alreadyGone: false };
    });
  }

  getJitSettings(ownerUuid = FAKE_SVM_UUID): Promise<JitSettings> {
    return this.run('getJitSettings', [ownerUuid], () => ({
      ownerUuid,
      ownerName: 'svm1',
      application: 'ssh',
      defaultSessionValidity: toIsoDuration(this.sessionValiditySeconds),
      defaultSessionValiditySeconds: this.sessionValiditySeconds,
      maxJitValidity: toIsoDuration(this.maxJitValiditySeconds),
      maxJitValiditySeconds: this.maxJitValiditySeconds,
      source: 'svm' as const,
    }));
  }

  getJitUser(ownerUuid: string, account: string, application = 'ssh'): Promise<JitUserRecord | null> {
    return this.run('getJitUser', [ownerUuid, account, application], () => {
      return this.entries.get(entryKey(ownerUuid, account, application)) ?? null;
    });
  }

  deleteJitUser(ownerUuid: string, account: string, application = 'ssh'): Promise<void> {
    return this.run('deleteJitUser', [ownerUuid, account, application], () => {
      this.entries.delete(entryKey(ownerUuid, account, application));
    });
  }

  private async run<T>(call: Call, args: unknown[], work: () => T): Promise<T> {
    this.calls.push({ call, args });
    if (this.hung.has(call)) return new Promise<never>(() => undefined);
    const list = this.faults.get(call) ?? [];
    const fault = list[0];
    if (fault && !fault.always) list.shift();
    if (!fault) return work();
    if (fault.afterWork) work();
    throw fault.error;
  }
}
