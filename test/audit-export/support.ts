/** Lifecycles written through the real store, an archive copy of their trails, and the CLI run in-process. */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { archiveBodyOf, archiveKeyOf, parseArchiveBody } from '../../lambdas/archive/layout';
import { runAudit } from '../../lambdas/audit-export/cli';
import type { RequestTrail } from '../../lambdas/audit-export/rows';
import { TableSource, type TimeRange, type TrailSource } from '../../lambdas/audit-export/table-source';
import type { AccessRequest } from '../../lambdas/domain/request';
import type { LifecycleEvent } from '../../lambdas/domain/transitions';
import type { AuditEvent } from '../../lambdas/store/items';
import type { RequestStore } from '../../lambdas/store/requests';
import type { EmbeddedDynamo } from '../../local/dynamodb';
import { pendingRequest } from '../support/requests';

/** Now, for every export in these tests. */
export const NOW = '2026-12-01T12:00:00Z';

const minutes = (base: string, n: number): string =>
  new Date(Date.parse(base) + n * 60_000).toISOString().replace('.000Z', 'Z');

/** Writes a request made at `createdAt` and takes it through `steps` (minutes after it) with the real store. */
export async function lifecycle(
  store: RequestStore,
  createdAt: string,
  steps: readonly ((t: (n: number) => string) => LifecycleEvent)[],
  overrides: Partial<Parameters<typeof pendingRequest>[0]> = {},
): Promise<AccessRequest> {
  const request = await store.create(pendingRequest({ createdAt, ...overrides }));
  for (const step of steps) {
    const result = await store.apply(
      request.id,
      step((n) => minutes(createdAt, n)),
    );
    if (!result.ok) throw result.error;
  }
  return store.get(request.id);
}

/** A revoked grant, approved by bob, revoked by alice. */
export const REVOKED_STEPS = [
  (t: (n: number) => string): LifecycleEvent => ({ type: 'APPROVE', by: 'U0BOB', at: t(1) }),
  (t: (n: number) => string): LifecycleEvent => ({ type: 'GRANTED', at: t(2), window: { start: t(2), end: t(62) } }),
  (t: (n: number) => string): LifecycleEvent => ({ type: 'REVOKE_REQUESTED', by: 'U0ALICE', at: t(10) }),
  (t: (n: number) => string): LifecycleEvent => ({ type: 'REVOKED', at: t(10), alreadyGone: false }),
];

/** The table source on the test's dynalite. */
export function tableSource(dynamo: EmbeddedDynamo): TableSource {
  return new TableSource({ doc: DynamoDBDocumentClient.from(dynamo.client), tableName: dynamo.tableName, pageSize: 7 });
}

/**
 * The archive's objects held in memory under the archive's keys and bodies (lambdas/archive/layout.ts),
 * read back through the layout's parser: the verify and export logic over the archive's format where no
 * S3 API server is running.
 */
export class ArchiveCopy implements TrailSource {
  readonly objects = new Map<string, string>();

  /** Copies every audit event of the table in the range, as the archive's writer would. */
  static async of(table: TrailSource, range: TimeRange): Promise<ArchiveCopy> {
    const copy = new ArchiveCopy();
    for (const event of await table.events(range)) copy.objects.set(archiveKeyOf(event), archiveBodyOf(event));
    return copy;
  }

  async events(range: TimeRange): Promise<AuditEvent[]> {
    return [...this.objects.values()].map(parseArchiveBody).filter((e) => e.at >= range.since && e.at < range.until);
  }

  async trails(range: TimeRange): Promise<RequestTrail[]> {
    const all = [...this.objects.values()].map(parseArchiveBody);
    const ids = new Set(
      all.filter((e) => e.seq === 0 && e.at >= range.since && e.at < range.until).map((e) => e.requestId),
    );
    return [...ids].map((requestId) => ({
      requestId,
      events: all.filter((e) => e.requestId === requestId).sort((a, b) => a.seq - b.seq),
    }));
  }
}

/** Runs `npm run audit` in-process; what it printed and its exit code. */
export async function audit(
  argv: readonly string[],
  sources: { table: TrailSource; archive?: TrailSource },
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runAudit(argv, {
    env: {},
    now: () => NOW,
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    sources,
  });
  return { code, out, err };
}
