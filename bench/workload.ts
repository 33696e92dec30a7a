/**
 * The benchmark's world: the example workspace and cluster plus enough requesters, each with their
 * own ONTAP account on svm1, that concurrent lifecycles never meet on a grant lock (at most one live
 * grant per account), and a configuration whose policy they all fall under.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleFixture, type FixtureInput } from '../local/ontap-sim';
import { EXAMPLE_DIRECTORY, type SlackDirectory, type SlackUser } from '../local/slack-api/directory';

/** How many requesters the benchmark has (more than its highest concurrency). */
export const REQUESTERS = 600;
/** Who approves every benchmark request. */
export const APPROVER = 'U0BOB';
/** Business time runs this many times faster than the wall clock: one hour of window is one real second. */
export const SPEED = 3600;
/** Characters of the task tokens the local runner issues: AWS's size (an assumption; the local default is 64). */
export const TASK_TOKEN_CHARS = 1024;

/** The n-th benchmark requester (0-based). */
export function requester(n: number): SlackUser {
  const tag = String((n % REQUESTERS) + 1).padStart(4, '0');
  return {
    id: `U0BN${tag}`,
    name: `bench${tag}`,
    realName: `Bench Requester ${tag}`,
    email: `bench${tag}@example.com`,
    tz: 'UTC',
  };
}

const requesters = Array.from({ length: REQUESTERS }, (_, n) => requester(n));

/** The Slack stand-in's people: the example workspace and the benchmark requesters. */
export const BENCH_DIRECTORY: SlackDirectory = {
  users: [...EXAMPLE_DIRECTORY.users, ...requesters],
  usergroups: EXAMPLE_DIRECTORY.usergroups,
};

/** The example cluster with an ssh/password account on svm1 for every benchmark requester. */
export function benchFixture(): FixtureInput {
  const fixture = exampleFixture();
  return {
    ...fixture,
    accounts: [
      ...fixture.accounts,
      ...requesters.map((u) => ({
        owner: 'svm1',
        name: u.name,
        role: 'vsadmin-readonly',
        applications: [
          { application: 'ssh' as const, authentication_methods: ['password'], second_authentication_method: 'none' },
        ],
      })),
    ],
  };
}

/**
 * The configuration: one cluster (no endpoint: the simulator serves it), accounts from the e-mail's
 * local part, one policy for everyone on svm1.
 */
export const BENCH_CONFIG = {
  clusters: [
    {
      name: 'cluster1',
      credentials: { usernameEnv: 'ONTAP_CLUSTER1_USERNAME', passwordEnv: 'ONTAP_CLUSTER1_PASSWORD' },
    },
  ],
  slack: {
    approvalChannel: 'C0APPROVALS',
    accounts: { map: {}, emailLocalPart: true, trustedEmailDomains: ['example.com'] },
  },
  policies: [
    {
      name: 'svm1-operators',
      clusters: ['cluster1'],
      svms: ['svm1'],
      roles: ['vsadmin', 'vsadmin-volume'],
      requesters: 'anyone',
      approvers: { users: [APPROVER, 'U0CAROL'] },
      approvalsRequired: 1,
      defaultDuration: '1h',
      maxDuration: '8h',
      // A day of business time is 24 real seconds: a loaded machine still approves in time.
      approvalTimeout: '1d',
    },
  ],
  retention: '400d',
};

/** Writes the configuration where `JIT_CONFIG` can name it (JSON is YAML) and returns the path. */
export function writeBenchConfig(simulator?: { url: string; caPem?: string }): string {
  const name = simulator ? 'functions-config' : 'config';
  const path = join(tmpdir(), `ontap-jit-bench-${name}-${process.pid}.json`);
  // The functions run outside the local stack: their cluster's endpoint is the simulator's, as for a real cluster.
  const clusters = BENCH_CONFIG.clusters.map((c) =>
    simulator ? { ...c, endpoint: simulator.url, ...(simulator.caPem ? { caCertificate: simulator.caPem } : {}) } : c,
  );
  writeFileSync(path, JSON.stringify({ ...BENCH_CONFIG, clusters }, null, 2));
  return path;
}
