/** The ONTAP client the workflow uses: one session, the lookups, JIT entries and the checks before a grant. */
import { type AuditQuery, type AuditRead, readAuditMessages } from './audit-messages';
import * as entries from './jit-entries';
import * as scan from './jit-scan';
import * as lookups from './lookups';
import type { OntapClientOptions } from './options';
import { checkJitPrerequisites, type JitPrerequisiteInput, type JitPrerequisiteResult } from './prerequisites';
import type { JitSettings, JitUserEntry, JitUserRecord, OntapAccount, OntapRole, SvmRef } from './schemas';
import { OntapSession } from './session';

/**
 * Talks to one ONTAP cluster. Every method is safe to call concurrently;
 * transient failures are retried inside, everything else is thrown as a
 * typed `Ontap*Error` (see errors.ts).
 */
export class OntapClient implements lookups.Lookups {
  readonly #session: OntapSession;

  /** Validates the options (OntapConfigError names a bad field, never its value); connects lazily. */
  constructor(options: OntapClientOptions) {
    this.#session = new OntapSession(options);
  }

  /** Closes idle connections; the client stays usable (new connections open on demand). */
  close(): void {
    this.#session.close();
  }

  /** Resolves an SVM name to its uuid: a data SVM, or the admin SVM (scope `cluster`). Null when neither. */
  resolveSvm(name: string): Promise<SvmRef | null> {
    return lookups.resolveSvm(this.#session, name);
  }

  /** A login account on an SVM (by SVM name), or null when ONTAP has none. */
  getAccount(svmName: string, name: string): Promise<OntapAccount | null> {
    return lookups.getAccount(this.#session, svmName, name);
  }

  /** A role defined on an SVM (by SVM name) with its privileges, or null. */
  getRole(svmName: string, role: string): Promise<OntapRole | null> {
    return lookups.getRole(this.#session, svmName, role);
  }

  /** Whether a role is defined on an SVM (by SVM name). */
  async roleExists(svmName: string, role: string): Promise<boolean> {
    return (await this.getRole(svmName, role)) !== null;
  }

  /** JIT periods in force for an owner (SVM uuid), else the cluster's (see lookups.ts). */
  getJitSettings(ownerUuid?: string): Promise<JitSettings> {
    return lookups.getJitSettings(this.#session, ownerUuid);
  }

  /** One JIT entry, or null when there is none. */
  getJitUser(ownerUuid: string, account: string, application = 'ssh'): Promise<JitUserRecord | null> {
    return entries.getJitUser(this.#session, ownerUuid, account, application);
  }

  /** Deletes a JIT entry; ends any elevated session. Throws OntapNotFoundError if there is none. */
  deleteJitUser(ownerUuid: string, account: string, application = 'ssh'): Promise<void> {
    return entries.deleteJitUser(this.#session, ownerUuid, account, application);
  }

  /** Idempotent grant: creates the entry, or finds it with the same settings (see jit-entries.ts). */
  ensureJitUser(entry: JitUserEntry): Promise<{ entry: JitUserRecord; created: boolean }> {
    return entries.ensureJitUser(this.#session, entry);
  }

  /** Idempotent revoke: an entry already gone counts as done; `onlyIfComment` spares another grant's entry. */
  removeJitUser(
    ownerUuid: string,
    account: string,
    application = 'ssh',
    options: { onlyIfComment?: string } = {},
  ): Promise<{ alreadyGone: boolean }> {
    return entries.removeJitUser(this.#session, ownerUuid, account, application, options);
  }

  /** Every JIT entry of the cluster, within `maxPages` pages (see jit-scan.ts). */
  scanJitUsers(maxPages: number): Promise<scan.JitEntryScan> {
    return scan.scanJitUsers(this.#session, maxPages);
  }

  /** Every owner's ssh `max_jit_validity_period`. */
  listJitMaximums(): Promise<scan.OwnerJitMaximum[]> {
    return scan.listJitMaximums(this.#session);
  }

  /** One account's SSH commands in the administrative audit log over a window, oldest first (see audit-messages.ts). */
  auditMessages(query: AuditQuery): Promise<AuditRead> {
    return readAuditMessages(this.#session, query);
  }

  /** Checks everything a JIT grant needs before anyone is asked to approve it (see prerequisites.ts). */
  checkJitPrerequisites(input: JitPrerequisiteInput): Promise<JitPrerequisiteResult> {
    return checkJitPrerequisites(this, input);
  }
}
