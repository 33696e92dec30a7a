/**
 * The sandbox's "run a command on the cluster as this person": the command is run on the simulator
 * as the ONTAP account of the person's latest request, on its SVM, as if typed in an SSH session, so
 * a person can elevate, change things and see the grant's activity digest when it ends. Also the
 * audit log's latest records, for a side panel.
 */
import type { AccessRequest } from '../lambdas/domain/request';
import type { RequestStore } from '../lambdas/store/requests';
import { auditLogOf, auditRecord, runCommand } from './ontap-sim/audit-log';
import { OntapSimError } from './ontap-sim/errors';
import type { OntapSimulator } from './ontap-sim/server';
import { SandboxRequestError } from './sandbox/errors';

/** What the page is told: who ran it where, and the audit record (null: a read-only command not logged). */
export interface ClusterShellAnswer {
  readonly account: string;
  readonly svm: string;
  readonly logged: Record<string, unknown> | null;
}

/** The cluster shell of the sandbox, over the simulator and the requests' store. */
export function clusterShell(
  simulator: OntapSimulator,
  store: RequestStore,
): (user: string, command: string) => Promise<ClusterShellAnswer> {
  return async (user, command) => {
    const [latest] = await store.listByRequester(user, 1);
    if (latest === undefined)
      throw new SandboxRequestError('This person has no request yet, so no ONTAP account to run it as: ask with /jit.');
    return runAs(simulator, latest, command);
  };
}

function runAs(simulator: OntapSimulator, request: AccessRequest, command: string): ClusterShellAnswer {
  const account = request.requester.ontapAccount;
  const svm = request.svm.name;
  try {
    return { account, svm, logged: runCommand(simulator.state, { owner: svm, account, command }) ?? null };
  } catch (error) {
    if (error instanceof OntapSimError) throw new SandboxRequestError(`The cluster refused it: ${error.message}`);
    throw error;
  }
}

/** The audit log's latest records, newest first, for a side panel. */
export function auditLogRows(simulator: OntapSimulator, limit = 30): Record<string, unknown>[] {
  const entries = auditLogOf(simulator.state).entries.slice(-limit).reverse();
  return entries.map((e) => {
    const r = auditRecord(simulator.state, e);
    return { time: r.timestamp, user: r.user, input: r.input, state: r.state, svm: e.svm, session: r.session_id };
  });
}
