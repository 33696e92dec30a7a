/**
 * The reconciler: the one place that makes the world (the cluster, the executions, the audit trail)
 * match the records. A scheduled pass reads only what the needs-attention index says is due, so it
 * costs the same with ten or ten thousand stored requests, and repairs each item (repair.ts).
 *
 * A pass is bounded so one hung cluster cannot starve the rest: at most `pageBudget` pages are read
 * (where it stopped is kept, and the next pass goes on from there), items run `concurrency` at a
 * time and at most `perCluster` per cluster, each has a deadline, and a cluster that missed
 * `clusterTimeouts` deadlines has the rest of its items put off to the next pass untouched. An item
 * that needs another try is filed under a later due time, backing off up to one period.
 * After the items, every cluster's JIT entries and settings are read once (drift.ts): live grants'
 * elevation state and drift, each cluster under the item deadline.
 * Its metrics are published on every pass, zeros included; `ReconcilerPasses` is the heartbeat.
 */
import { retryDelaySeconds } from '../domain/attention';
import { toUtcSecond } from '../domain/durations';
import { awaitedLater } from '../runtime/awaited-later';
import { nowOf } from '../runtime/clock';
import { countMetric, describeError, type Logger, type Metrics, publishMetrics } from '../runtime/logger';
import { BREAK_GLASS_METRICS, DRIFT_METRICS, OVERDUE_GRANTS_METRIC, RECONCILER_METRICS } from '../runtime/metrics';
import type { DueItem } from '../store/due-items';
import { type DriftScanResult, scanClusters } from './drift';
import { ReconcileDeadlineError } from './errors';
import type { Ports } from './ports';
import { type RepairEvent, type RepairPorts, repairItem } from './repair';

/** Bounds of one pass. */
export interface ReconcileOptions {
  /** Items read per page of the index. @default 50 */
  readonly pageSize?: number;
  /** Pages read per pass; the rest waits for the next pass. @default 6 */
  readonly pageBudget?: number;
  /** Items repaired at once. @default 8 */
  readonly concurrency?: number;
  /** Items of one cluster repaired at once. @default 4 */
  readonly perCluster?: number;
  /** Real milliseconds one item may take before the pass moves on. @default 25000 */
  readonly itemDeadlineMs?: number;
  /** Missed deadlines after which a cluster's other items wait for the next pass. @default 2 */
  readonly clusterTimeouts?: number;
  /** Real milliseconds after which no new item is started. @default 90000 */
  readonly passBudgetMs?: number;
  /** Scan every cluster's JIT entries and settings after the items (drift.ts). @default true */
  readonly scanClusters?: boolean;
  /** Pages of JIT entries the scan reads per cluster. @default 20 */
  readonly scanPagesPerCluster?: number;
}

/** What one pass found and did. */
export interface ReconcileResult {
  /** Items due when the pass read the index (up to its page budget). */
  readonly due: number;
  /** Items finished for good. */
  readonly repaired: number;
  /** Items filed for another try (a failure, a missed deadline, a cluster put off, or waiting on the workflow). */
  readonly retrying: number;
  /** Whether more due items remain past the page budget (the next pass continues there). */
  readonly more: boolean;
  /** What the repairs did, by kind. */
  readonly events: Readonly<Partial<Record<RepairEvent, number>>>;
  /** Grants still live past their end after the pass. */
  readonly overdueStillLive: readonly string[];
  /** Failed grants whose clean-up is still pending after the pass. */
  readonly cleanupPending: readonly string[];
  /** What the clusters' JIT scan found and did (absent when it did not run: turned off, or out of time). */
  readonly drift?: DriftScanResult;
}

const DEFAULTS: Required<ReconcileOptions> = {
  pageSize: 50,
  pageBudget: 6,
  concurrency: 8,
  perCluster: 4,
  itemDeadlineMs: 25_000,
  clusterTimeouts: 2,
  passBudgetMs: 90_000,
  scanClusters: true,
  scanPagesPerCluster: 20,
};

/** Runs one reconciler pass and publishes its metrics. */
export async function reconcile(
  ports: RepairPorts & Pick<Ports, 'metrics' | 'config'>,
  log: Logger,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const o = { ...DEFAULTS, ...options };
  const started = Date.now();
  const now = toUtcSecond(nowOf(ports.clock));
  const { items, more } = await readDue(ports, now, o);

  const events: Partial<Record<RepairEvent, number>> = {};
  const count = (event: RepairEvent, n = 1): void => {
    events[event] = (events[event] ?? 0) + n;
  };
  const overdueStillLive: string[] = [];
  const cleanupPending: string[] = [];
  const timeouts = new Map<string, number>();
  const running = new Map<string, number>();
  let repaired = 0;
  let retrying = 0;

  const runOne = async (item: DueItem): Promise<void> => {
    const cluster = clusterOf(item);
    const itemLog = log.createChild({ persistentKeys: labelOf(item) });
    let outcome: Awaited<ReturnType<typeof repairItem>> | undefined;
    try {
      outcome = await withDeadline(repairItem(ports, item, itemLog, count), o.itemDeadlineMs);
    } catch (error) {
      if (error instanceof ReconcileDeadlineError) timeouts.set(cluster, (timeouts.get(cluster) ?? 0) + 1);
      itemLog.warn('repair not done this pass; tried again later', describeError(error));
    }
    if (outcome?.done) repaired += 1;
    else {
      retrying += 1;
      await fileForLater(ports, item, outcome?.waiting === true, itemLog);
    }
    noteStillOwed(item, outcome, { overdueStillLive, cleanupPending }, now);
  };

  const queue = [...items];
  const active = new Set<Promise<void>>();
  while (queue.length > 0 || active.size > 0) {
    const outOfTime = Date.now() - started > o.passBudgetMs;
    const index = outOfTime ? -1 : queue.findIndex((item) => (running.get(clusterOf(item)) ?? 0) < o.perCluster);
    if (index >= 0 && active.size < o.concurrency) {
      const [item] = queue.splice(index, 1) as [DueItem];
      const cluster = clusterOf(item);
      if ((timeouts.get(cluster) ?? 0) >= o.clusterTimeouts) {
        // This cluster is not answering: its items wait for the next pass instead of the others.
        retrying += 1;
        await fileForLater(ports, item, false, log.createChild({ persistentKeys: labelOf(item) }));
        noteStillOwed(item, undefined, { overdueStillLive, cleanupPending }, now);
        continue;
      }
      running.set(cluster, (running.get(cluster) ?? 0) + 1);
      const task: Promise<void> = runOne(item).finally(() => {
        running.set(cluster, (running.get(cluster) ?? 1) - 1);
        active.delete(task);
      });
      active.add(task);
      continue;
    }
    if (active.size === 0) break;
    await Promise.race(active);
  }
  // Items never started (the pass ran out of time) stay due: the next pass takes them first.
  // After the items, so a repair's own writes are never raced; each cluster under the item deadline.
  const scan = o.scanClusters && Date.now() - started <= o.passBudgetMs;
  const drift = scan
    ? await scanClusters(ports, log, {
        pagesPerCluster: o.scanPagesPerCluster,
        deadline: (work) => withDeadline(work, o.itemDeadlineMs),
      })
    : undefined;

  const result: ReconcileResult = {
    due: items.length,
    repaired,
    retrying,
    more,
    events,
    overdueStillLive,
    cleanupPending,
    ...(drift ? { drift } : {}),
  };
  publish(ports.metrics, log, result);
  return result;
}

async function readDue(
  ports: RepairPorts,
  now: string,
  o: Required<ReconcileOptions>,
): Promise<{ items: DueItem[]; more: boolean }> {
  const cursor = await ports.store.reconcilerCursor();
  let startKey = cursor;
  const items: DueItem[] = [];
  for (let page = 0; page < o.pageBudget; page++) {
    const { items: found, next } = await ports.store.listDue(now, o.pageSize, startKey);
    items.push(...found);
    startKey = next;
    if (!startKey) break;
  }
  // Only a change is written: an idle pass writes nothing.
  if (startKey || cursor) await ports.store.setReconcilerCursor(startKey);
  return { items, more: startKey !== undefined };
}

async function fileForLater(ports: RepairPorts, item: DueItem, waiting: boolean, log: Logger): Promise<void> {
  const now = nowOf(ports.clock);
  try {
    if (item.kind === 'request') {
      const { request, repair } = item.stored;
      const attempts = waiting ? (repair?.attempts ?? 0) : (repair?.attempts ?? 0) + 1;
      const nextAt = toUtcSecond(now.plus({ seconds: retryDelaySeconds(attempts) }));
      // Refused when the request changed meanwhile: its new state files it where it belongs.
      const current = await ports.store.getStored(request.id);
      await ports.store.snooze(request.id, current.request.version, { attempts, nextAt });
    } else if (item.kind === 'lock') {
      await ports.store.snoozeLock(item.key, item.requestId, toUtcSecond(now.plus({ seconds: retryDelaySeconds(1) })));
    }
  } catch (error) {
    // Left where it is, it is simply due again next pass.
    log.warn('could not file the item for later', describeError(error));
  }
}

function noteStillOwed(
  item: DueItem,
  outcome: { done: boolean } | undefined,
  lists: { overdueStillLive: string[]; cleanupPending: string[] },
  now: string,
): void {
  if (item.kind !== 'request' || outcome?.done) return;
  const request = item.stored.request;
  const live = request.status === 'ACTIVE' || request.status === 'REVOKE_FAILED';
  if (live && request.window.end < now) lists.overdueStillLive.push(request.id);
  if (request.status === 'FAILED' && request.cleanupPending) lists.cleanupPending.push(request.id);
}

function publish(metrics: Metrics, log: Logger, r: ReconcileResult): void {
  const m = RECONCILER_METRICS;
  countMetric(metrics, m.passes, 1);
  countMetric(metrics, m.due, r.due);
  countMetric(metrics, m.repaired, r.repaired);
  countMetric(metrics, m.retrying, r.retrying);
  countMetric(metrics, m.signalsResent, r.events['signal-resent'] ?? 0);
  countMetric(metrics, m.locksReleased, r.events['lock-released'] ?? 0);
  countMetric(metrics, m.auditRepaired, r.events['audit-repaired'] ?? 0);
  countMetric(metrics, m.cleanupPending, r.cleanupPending.length);
  countMetric(metrics, OVERDUE_GRANTS_METRIC, r.overdueStillLive.length);
  if (r.drift) {
    countMetric(metrics, DRIFT_METRICS.found, r.drift.found);
    countMetric(metrics, DRIFT_METRICS.reportsFailed, r.drift.reportsFailed);
    countMetric(metrics, DRIFT_METRICS.removed, r.drift.removed);
    countMetric(metrics, DRIFT_METRICS.clustersSkipped, r.drift.skipped.length);
  }
  countMetric(metrics, BREAK_GLASS_METRICS.unreviewed, r.events['break-glass-escalated'] ?? 0);
  publishMetrics(metrics);
  const { due, repaired, retrying, more, events, drift } = r;
  log.info('reconciler pass', { due, repaired, retrying, more, events, ...(drift ? { drift } : {}) });
}

function clusterOf(item: DueItem): string {
  if (item.kind === 'request') return item.stored.request.cluster;
  return item.kind === 'lock' ? item.key.cluster : '';
}

function labelOf(item: DueItem): Record<string, unknown> {
  if (item.kind === 'request') return { requestId: item.stored.request.id, status: item.stored.request.status };
  return item.kind === 'lock' ? { lockOf: item.requestId, cluster: item.key.cluster } : { item: item.key };
}

/** `work`, or a ReconcileDeadlineError after `ms`; the work's own later failure is only logged by it. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ReconcileDeadlineError(ms)), ms);
  });
  return Promise.race([awaitedLater(work), deadline]).finally(() => clearTimeout(timer));
}
