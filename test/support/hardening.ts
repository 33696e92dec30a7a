/**
 * Helpers for the hardening suite (test/hardening): a simulated cluster with as many svm1 accounts
 * as a test needs, a Slack workspace and configuration to match, and the checks every scenario
 * ends with (one entry at most per request, nothing left past its approved end, the audit trail).
 */
import type { AccessRequest } from '../../lambdas/domain/request';
import type { RequestStore } from '../../lambdas/store/requests';
import { exampleFixture, type Fixture } from '../../local/ontap-sim/fixture';
import { EXAMPLE_DIRECTORY, type SlackDirectory } from '../../local/slack-api/directory';
import { slackIdOf } from './configs';

/** The configurations of the hardening tests live with the others (configs.ts). */
export { configWith, slackIdOf } from './configs';

/** `prefix-001` .. `prefix-<n>`. */
export function names(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(3, '0')}`);
}

/** The example cluster plus svm1 accounts (ssh, password) named `accounts`. */
export function fixtureWith(accounts: readonly string[]): Fixture {
  const base = exampleFixture();
  return {
    ...base,
    accounts: [
      ...base.accounts,
      ...accounts.map((name) => ({
        owner: 'svm1',
        name,
        role: 'vsadmin-readonly',
        locked: false,
        applications: [
          { application: 'ssh', authentication_methods: ['password'], second_authentication_method: 'none' },
        ],
      })),
    ],
  } as Fixture;
}

/** The example workspace plus one Slack user per account. */
export function directoryWith(accounts: readonly string[]): SlackDirectory {
  return {
    users: [
      ...EXAMPLE_DIRECTORY.users,
      ...accounts.map((a) => ({ id: slackIdOf(a), name: a, realName: a, email: `${a}@example.com`, tz: 'UTC' })),
    ],
    usergroups: EXAMPLE_DIRECTORY.usergroups,
  };
}

/** A JIT entry as the simulator renders it. */
export interface SimEntry {
  owner: { uuid: string; name: string };
  account: { name: string };
  comment?: string;
  end_time: string;
  start_time: string;
}

/** An ONTAP time (`2026-11-22T10:00:00+00:00` or `2026-11-22 10:00:00 +0000`) in epoch ms. */
export function ontapMillis(text: string): number {
  const iso = text.includes('T') ? text : text.replace(' ', 'T').replace(/ ([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new Error(`not a time: ${text}`);
  return ms;
}

/**
 * Entries whose window outlives the approved window of the request their comment names, or that
 * name no known request: what must never be on the cluster.
 */
export function entriesPastApproval(
  entries: readonly Record<string, unknown>[],
  requests: readonly AccessRequest[],
): string[] {
  const problems: string[] = [];
  for (const raw of entries) {
    const entry = raw as unknown as SimEntry;
    const request = requests.find((r) => entry.comment?.includes(`request ${r.id} `));
    if (!request) {
      problems.push(`${entry.account.name}: entry of no known request (${entry.comment ?? 'no comment'})`);
      continue;
    }
    if (!('window' in request) || request.window === undefined) {
      problems.push(`${entry.account.name}: entry of ${request.id}, which was never granted (${request.status})`);
      continue;
    }
    const end = ontapMillis(entry.end_time);
    if (end > Date.parse(request.window.end))
      problems.push(`${entry.account.name}: entry ends ${entry.end_time}, after the approved ${request.window.end}`);
  }
  return problems;
}

/** Audit-trail event types of a request, in order. */
export async function trail(store: RequestStore, id: string): Promise<string[]> {
  return (await store.auditTrail(id)).map((e) => `${e.type}:${e.to}`);
}

/** A counter of labelled figures, printed as one table at the end of a file. */
export class Tally {
  private readonly counts = new Map<string, number>();
  add(label: string, n = 1): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + n);
  }
  get(label: string): number {
    return this.counts.get(label) ?? 0;
  }
  entries(): [string, number][] {
    return [...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b));
  }
  /** The figures as aligned lines. */
  render(title: string): string {
    const rows = this.entries();
    const width = Math.max(10, ...rows.map(([k]) => k.length));
    return [title, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
  }
}
