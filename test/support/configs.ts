/**
 * The configurations tests run with, in one place: the workflow tests' TEST_CONFIG, `configWith` for a
 * test that needs its own policies and people, `policyWith` for one policy changed, and the shipped
 * example with fields set (`exampleConfigWith`, for the CDK tests).
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { DEFAULT_CONFIG_PATH, parseConfig } from '../../lambdas/config/load';
import type { Config } from '../../lambdas/config/schema';

/** The policies of TEST_CONFIG, as written in a configuration file. */
const TEST_POLICIES = [
  {
    name: 'svm1-operators',
    clusters: ['cluster1'],
    svms: ['svm1'],
    roles: ['vsadmin', 'vsadmin-volume', 'snapmirror-operator', 'no-such-role'],
    requesters: 'anyone',
    approvers: { users: ['U0BOB', 'U0CAROL'] },
    approvalsRequired: 1,
    defaultDuration: '1h',
    maxDuration: '8h',
    // Four real seconds: room for a test's clicks on a busy machine.
    approvalTimeout: '4h',
  },
  {
    name: 'svm1-quick',
    clusters: ['cluster1'],
    svms: ['svm1'],
    roles: ['vsadmin'],
    requesters: 'anyone',
    approvers: { users: ['U0BOB', 'U0CAROL'] },
    defaultDuration: '1h',
    maxDuration: '8h',
    approvalTimeout: '30m',
  },
  {
    name: 'cluster-admin',
    clusters: ['cluster1'],
    svms: ['cluster1'],
    roles: ['admin'],
    requesters: 'anyone',
    approvers: { users: ['U0BOB', 'U0CAROL'] },
    approvalsRequired: 2,
    defaultDuration: '30m',
    maxDuration: '2h',
    approvalTimeout: '4h',
    sessionValidity: '30m',
  },
  {
    name: 'svm2-backup',
    clusters: ['cluster1'],
    svms: ['svm2'],
    roles: ['vsadmin-backup'],
    requesters: 'anyone',
    approvers: { users: ['U0BOB', 'U0CAROL'] },
    defaultDuration: '1h',
    maxDuration: '1d',
    approvalTimeout: '1h',
    sessionValidity: '30m',
  },
] as const;

/** The approval channel of every test configuration. */
export const APPROVAL_CHANNEL = 'C0APPROVALS';

/** The configuration the workflow tests run with: cluster1 (the simulator), four policies, alice and dave mapped. */
export const TEST_CONFIG: Config = parseConfig({
  clusters: [{ name: 'cluster1' }],
  slack: { approvalChannel: APPROVAL_CHANNEL, accounts: { map: { U0ALICE: 'alice', U0DAVE: 'dave' } } },
  policies: TEST_POLICIES,
});

/** The Slack user id of a load-test person, e.g. `U0LOAD001` for `load-001`. */
export function slackIdOf(account: string): string {
  return `U0${account.replace(/[^A-Za-z0-9]/g, '').toUpperCase()}`;
}

/** A configuration for cluster1 (the simulator) with these policies, alice and dave mapped, and each account mapped from its Slack user. */
export function configWith(accounts: readonly string[], policies: unknown[]): Config {
  const map: Record<string, string> = { U0ALICE: 'alice', U0DAVE: 'dave' };
  for (const a of accounts) map[slackIdOf(a)] = a;
  return parseConfig({
    clusters: [{ name: 'cluster1' }],
    slack: { approvalChannel: APPROVAL_CHANNEL, accounts: { map } },
    policies,
  });
}

/** The name of one of TEST_CONFIG's policies. */
type TestPolicyName = (typeof TEST_POLICIES)[number]['name'];

/** TEST_CONFIG with policy `name` changed by `changes` (as written in a configuration file). */
export function policyWith(name: TestPolicyName, changes: Record<string, unknown>): Config {
  return policiesWith({ [name]: changes });
}

/**
 * TEST_CONFIG with several policies changed at once (as written in a configuration file); with `only`,
 * the configuration has just the policies changed; `accounts` maps more Slack users to ONTAP accounts.
 */
export function policiesWith(
  changes: Partial<Record<TestPolicyName, Record<string, unknown>>>,
  options: { readonly only?: boolean; readonly accounts?: Readonly<Record<string, string>> } = {},
): Config {
  const kept = TEST_POLICIES.filter((p) => !options.only || changes[p.name] !== undefined);
  const map = { U0ALICE: 'alice', U0DAVE: 'dave', ...options.accounts };
  return parseConfig({
    clusters: [{ name: 'cluster1' }],
    slack: { approvalChannel: APPROVAL_CHANNEL, accounts: { map } },
    policies: kept.map((p) => ({ ...p, ...changes[p.name] })),
  });
}

/** The shipped example configuration's text. */
export const EXAMPLE_CONFIG_TEXT = readFileSync(DEFAULT_CONFIG_PATH, 'utf8');

/** The example configuration with fields set (comments kept), e.g. `{ aws: { vpc: {...} } }` paths as arrays. */
export function exampleConfigWith(
  changes: ReadonlyArray<readonly [path: readonly (string | number)[], value: unknown]>,
): string {
  const document = parseDocument(EXAMPLE_CONFIG_TEXT);
  for (const [path, value] of changes) document.setIn(path, value);
  return document.toString();
}

/** A policy `p` as a configuration file writes it (cluster1, svm1, vsadmin, U0BOB approves), before parsing. */
export function rawPolicy(): Record<string, unknown> {
  return {
    name: 'p',
    clusters: ['cluster1'],
    svms: ['svm1'],
    roles: ['vsadmin'],
    requesters: 'anyone',
    approvers: { users: ['U0BOB'] },
    defaultDuration: '1h',
    maxDuration: '8h',
    approvalTimeout: '4h',
  };
}
