/**
 * Everything a JIT grant needs, checked before anyone is asked to approve it,
 * each failure as a machine code plus a sentence a Slack user understands.
 */
import { z } from 'zod';
import { toIsoDuration } from '../domain/durations';
import { OntapInvalidInputError } from './errors';
import type { Lookups } from './lookups';
import { unsafeNameReason } from './names';
import type { OntapAccount, OntapRole, SvmRef } from './schemas';
import { durationToSeconds } from './timestamps';

/** Input of `checkJitPrerequisites`: names as the requester typed them, window as ISO-8601 or seconds. */
export const JitPrerequisiteInputSchema = z.strictObject({
  svmName: z.string(),
  account: z.string(),
  role: z.string(),
  jitValidity: z.union([z.string(), z.number()]),
});

/** Input of `checkJitPrerequisites`. */
export type JitPrerequisiteInput = z.input<typeof JitPrerequisiteInputSchema>;

/** Machine codes of the problems `checkJitPrerequisites` reports. */
export type JitProblemCode =
  | 'invalid-name'
  | 'invalid-duration'
  | 'svm-not-found'
  | 'account-not-found'
  | 'no-ssh-login'
  | 'unsupported-login-method'
  | 'mfa-enabled'
  | 'account-locked'
  | 'role-not-found'
  | 'window-too-long';

/** One reason a grant cannot go ahead. */
export interface JitProblem {
  code: JitProblemCode;
  /** One sentence for the requester. */
  message: string;
}

/** Outcome of the checks: ready to ask for approval, or the problems found. */
export type JitPrerequisiteResult =
  | {
      ok: true;
      svm: SvmRef;
      account: OntapAccount;
      role: OntapRole;
      jitValiditySeconds: number;
      /** The owner's default elevated-session length (ISO-8601 and seconds). */
      sessionValidity: string;
      sessionValiditySeconds: number;
      /** The longest JIT window ONTAP allows for this owner. */
      maxJitValidity: string;
      maxJitValiditySeconds: number;
    }
  | { ok: false; problems: JitProblem[]; svm: SvmRef | null };

// The 9.17 JIT page names password; another version of NetApp's docs also
// lists nsswitch and domain. The two disagree, so all three are accepted here
// and ONTAP has the last word when the entry is created.
const JIT_LOGIN_METHODS = new Set(['password', 'nsswitch', 'domain']);

const quote = (s: string): string => `"${s}"`;

/** Problems with an account's ssh login, in the order a requester would fix them. */
function accountProblems(account: OntapAccount, svmName: string): JitProblem[] {
  const who = `User ${quote(account.name)} on SVM ${quote(svmName)}`;
  const problems: JitProblem[] = [];
  const ssh = account.applications.find((a) => a.application === 'ssh');
  if (!ssh) {
    problems.push({
      code: 'no-ssh-login',
      message: `${who} has no SSH login, and JIT elevation works only in an SSH session.`,
    });
  } else {
    if (!ssh.authenticationMethods.some((m) => JIT_LOGIN_METHODS.has(m))) {
      const methods = ssh.authenticationMethods.length ? ssh.authenticationMethods.join(', ') : 'no method';
      problems.push({
        code: 'unsupported-login-method',
        message: `${who} logs in over SSH with ${methods}; JIT elevation needs a password login (password, nsswitch or domain).`,
      });
    }
    if (ssh.secondAuthenticationMethod !== 'none') {
      problems.push({
        code: 'mfa-enabled',
        message: `${who} has multi-factor authentication (${ssh.secondAuthenticationMethod}) on SSH, which JIT elevation does not support.`,
      });
    }
  }
  if (account.locked)
    problems.push({ code: 'account-locked', message: `${who} is locked; unlock it before asking for elevation.` });
  return problems;
}

/** Describes a role in one line, e.g. for the approval message. */
export function describeRole(role: OntapRole): string {
  const head = `${role.name} (${role.builtin ? 'built-in' : 'custom'} role on ${role.ownerName})`;
  if (role.builtin || role.privileges.length === 0) return head;
  const byAccess = new Map<string, string[]>();
  for (const p of role.privileges) byAccess.set(p.access, [...(byAccess.get(p.access) ?? []), p.path]);
  const parts = [...byAccess.entries()].map(([access, paths]) => `${access} on ${paths.join(', ')}`);
  const line = `${head}: ${parts.join('; ')}`;
  return line.length > 280 ? `${line.slice(0, 277)}...` : line;
}

/**
 * Runs every check: SVM exists; the user exists there with an SSH login JIT
 * supports, no MFA, not locked; the role is defined there; the window fits the
 * cluster's maximum. An unknown SVM stops the other checks; otherwise all
 * problems are reported together. Network and ONTAP errors are thrown, not
 * reported, so the caller can retry them.
 */
export async function checkJitPrerequisites(
  lookups: Lookups,
  input: JitPrerequisiteInput,
): Promise<JitPrerequisiteResult> {
  const parsed = JitPrerequisiteInputSchema.safeParse(input);
  if (!parsed.success)
    throw new OntapInvalidInputError(
      `invalid prerequisite check input: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    );
  const { svmName, account, role, jitValidity } = parsed.data;

  const problems: JitProblem[] = [];
  for (const [label, value] of [
    ['SVM name', svmName],
    ['user name', account],
    ['role name', role],
  ] as const) {
    const reason = unsafeNameReason(value);
    if (reason !== null) problems.push({ code: 'invalid-name', message: `The ${label} ${quote(value)} ${reason}.` });
  }
  let windowSec: number | null = null;
  try {
    windowSec = durationToSeconds(jitValidity, 'jitValidity');
  } catch {
    problems.push({
      code: 'invalid-duration',
      message: `The requested window ${quote(String(jitValidity))} is not a duration such as PT4H or P1D.`,
    });
  }
  if (problems.some((p) => p.code === 'invalid-name')) return { ok: false, problems, svm: null };

  const svm = await lookups.resolveSvm(svmName);
  if (!svm)
    return {
      ok: false,
      problems: [
        ...problems,
        { code: 'svm-not-found', message: `There is no SVM named ${quote(svmName)} on this cluster.` },
      ],
      svm: null,
    };

  const [acct, roleInfo, settings] = await Promise.all([
    lookups.getAccount(svm.name, account),
    lookups.getRole(svm.name, role),
    lookups.getJitSettings(svm.uuid),
  ]);
  if (!acct)
    problems.push({
      code: 'account-not-found',
      message: `There is no user ${quote(account)} on SVM ${quote(svm.name)}.`,
    });
  else problems.push(...accountProblems(acct, svm.name));
  if (!roleInfo)
    problems.push({ code: 'role-not-found', message: `Role ${quote(role)} is not defined on SVM ${quote(svm.name)}.` });
  if (windowSec !== null && windowSec > settings.maxJitValiditySeconds) {
    problems.push({
      code: 'window-too-long',
      message: `The requested window (${toIsoDuration(windowSec)}) is longer than ONTAP allows on SVM ${quote(svm.name)} (${settings.maxJitValidity}).`,
    });
  }
  if (problems.length > 0 || !acct || !roleInfo || windowSec === null) return { ok: false, problems, svm };
  return {
    ok: true,
    svm,
    account: acct,
    role: roleInfo,
    jitValiditySeconds: windowSec,
    sessionValidity: settings.defaultSessionValidity,
    sessionValiditySeconds: settings.defaultSessionValiditySeconds,
    maxJitValidity: settings.maxJitValidity,
    maxJitValiditySeconds: settings.maxJitValiditySeconds,
  };
}
