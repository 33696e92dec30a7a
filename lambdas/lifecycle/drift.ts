/**
 * The reconciler's scan of every cluster's JIT configuration: one collection GET of the JIT entries
 * (paged, within a page budget) and one of the JIT settings per cluster and pass. What it reads serves
 * twice: each live grant's elevation state is kept up to date (live-state.ts), and drift is found
 * (domain/drift.ts): an entry no live request made, an entry a finished request left, a JIT maximum
 * changed past what the policies grant.
 *
 * Each drift is recorded (store/drift-records.ts) before it is reported, and reported once to the
 * approval channel: a pass claims the report, posts it, and marks it posted; a post that failed is
 * tried by a later pass, one marked posted never again. On a cluster set to `drift: remove`, an entry
 * is removed only once its report is marked, and only if its comment is still the one the scan saw,
 * so an entry of a live request (whose comment names it) is never touched. The record goes when the
 * drift does. A cluster that does not answer in time is skipped this pass and counted, not reported.
 */
import {
  type EntryVerdict,
  entryVerdict,
  longestPolicyWindow,
  requestIdOfComment,
  settingsVerdict,
} from '../domain/drift';
import { parseIsoDuration, toUtcSecond } from '../domain/durations';
import type { AccessRequest } from '../domain/request';
import { type JitUserRecord, type OntapClient, OntapJitEntryMismatchError, type OwnerJitMaximum } from '../ontap';
import { nowOf } from '../runtime/clock';
import { describeError, type Logger } from '../runtime/logger';
import { driftRemovedReply, driftReport } from '../slack/blocks/drift-messages';
import { type DriftRecord, entryDriftKey, settingsDriftKey } from '../store/drift-records';
import { RequestNotFoundError } from '../store/errors';
import { noteLiveState } from './live-state';
import type { Ports } from './ports';

/** What the scan works with. */
export type DriftPorts = Pick<Ports, 'store' | 'notifier' | 'clock' | 'ontap' | 'config'>;

/** Bounds of one scan. */
export interface DriftScanOptions {
  /** Pages of JIT entries read per cluster and pass. @default 20 */
  readonly pagesPerCluster?: number;
  /** Runs one cluster's scan under the pass's deadline; rejects when it is missed. @default no deadline */
  readonly deadline?: <T>(work: Promise<T>) => Promise<T>;
  /** Seconds after which a report claimed by a pass that did not finish it is tried again. @default 60 */
  readonly claimSeconds?: number;
}

/** What one scan found and did. */
export interface DriftScanResult {
  /** Clusters read whole or in part. */
  readonly scanned: number;
  /** Clusters that did not answer (or not in time): nothing about them was concluded this pass. */
  readonly skipped: readonly string[];
  /** Drifts recorded for the first time. */
  readonly found: number;
  /** Reports posted (and marked) this pass. */
  readonly reported: number;
  /** Reports that could not be posted: a later pass tries again. */
  readonly reportsFailed: number;
  /** Drifted entries removed from their cluster. */
  readonly removed: number;
  /** Drift records dropped because the drift is gone. */
  readonly cleared: number;
  /** Live grants whose elevation state changed (stored and redrawn). */
  readonly liveChanged: number;
}

type Tally = { -readonly [K in keyof Omit<DriftScanResult, 'skipped'>]: number };

/** Scans every configured cluster once; never throws for one cluster's failure. */
export async function scanClusters(
  ports: DriftPorts,
  log: Logger,
  options: DriftScanOptions = {},
): Promise<DriftScanResult> {
  const tally: Tally = { scanned: 0, found: 0, reported: 0, reportsFailed: 0, removed: 0, cleared: 0, liveChanged: 0 };
  const skipped: string[] = [];
  const deadline = options.deadline ?? (<T>(work: Promise<T>) => work);
  await Promise.all(
    ports.config.clusters.map(async (cluster) => {
      const clusterLog = log.createChild({ persistentKeys: { cluster: cluster.name } });
      try {
        await deadline(scanCluster(ports, cluster, clusterLog, options, tally));
        tally.scanned += 1;
      } catch (error) {
        skipped.push(cluster.name);
        clusterLog.warn('JIT scan of the cluster not done this pass', describeError(error));
      }
    }),
  );
  if (skipped.length > 0) tally.liveChanged += await markUnread(ports, skipped, log);
  return { ...tally, skipped };
}

type ClusterConfig = DriftPorts['config']['clusters'][number];

async function scanCluster(
  ports: DriftPorts,
  cluster: ClusterConfig,
  log: Logger,
  options: DriftScanOptions,
  tally: Tally,
): Promise<void> {
  const listedAt = toUtcSecond(nowOf(ports.clock));
  const client = await ports.ontap(cluster.name);
  const [scan, maximums, records] = await Promise.all([
    client.scanJitUsers(options.pagesPerCluster ?? 20),
    client.listJitMaximums(),
    ports.store.listDriftRecords(cluster.name),
  ]);
  const requests = await requestsNamed(ports, scan.entries);
  const seen = new Set<string>();
  const scope: Scope = { ports, cluster, client, log, tally, now: listedAt, claimSeconds: options.claimSeconds ?? 60 };
  for (const entry of scan.entries) {
    const key = entryDriftKey(entry);
    seen.add(key);
    const id = requestIdOfComment(entry.comment);
    const verdict = entryVerdict(cluster.name, entry, id !== undefined ? requests.get(id) : undefined, listedAt);
    await onEntry(scope, entry, key, verdict, records.get(key));
  }
  // Only a whole listing shows what is gone; a partial one clears nothing.
  if (scan.complete) {
    for (const [key, record] of records) {
      if (!key.startsWith('ENTRY#') || seen.has(key)) continue;
      await ports.store.clearDrift(cluster.name, key);
      if (record.kind) tally.cleared += 1;
    }
  }
  if (!scan.complete) log.warn('JIT entries past the page budget are left for a later pass', { read: seen.size });
  const allowed = longestPolicyWindow(ports.config, cluster.name);
  for (const maximum of maximums) {
    const key = settingsDriftKey(maximum.ownerUuid);
    await onSettings(scope, maximum, key, allowed, records.get(key));
  }
}

/** What one cluster's scan works with. */
interface Scope {
  readonly ports: DriftPorts;
  readonly cluster: ClusterConfig;
  readonly client: OntapClient;
  readonly log: Logger;
  readonly tally: Tally;
  readonly now: string;
  readonly claimSeconds: number;
}

/** The requests the entries' comments name, read once each (absent: no such request in the table). */
async function requestsNamed(
  ports: DriftPorts,
  entries: readonly JitUserRecord[],
): Promise<Map<string, AccessRequest>> {
  const ids = [...new Set(entries.map((e) => requestIdOfComment(e.comment)).filter((id) => id !== undefined))];
  const found = new Map<string, AccessRequest>();
  await Promise.all(
    ids.map(async (id) => {
      try {
        found.set(id, await ports.store.get(id));
      } catch (error) {
        if (!(error instanceof RequestNotFoundError)) throw error;
      }
    }),
  );
  return found;
}

async function onEntry(
  s: Scope,
  entry: JitUserRecord,
  key: string,
  verdict: EntryVerdict,
  record: DriftRecord | undefined,
): Promise<void> {
  switch (verdict.kind) {
    case 'undecided':
      return;
    case 'live':
      // The key now holds a live request's entry: whatever drifted there before is gone.
      if (record) await s.ports.store.clearDrift(s.cluster.name, key);
      if (record?.kind) s.tally.cleared += 1;
      if (await noteLiveState(s.ports, verdict.request, { state: entry.jitState }, s.log)) s.tally.liveChanged += 1;
      return;
    case 'foreign':
    case 'finished': {
      const current = record ?? (await recordEntryDrift(s, entry, key, verdict));
      const reported = await reportOnce(s, current);
      if (reported && s.cluster.drift === 'remove' && !current.removedAt) await removeEntry(s, entry, reported);
      return;
    }
  }
}

async function recordEntryDrift(
  s: Scope,
  entry: JitUserRecord,
  key: string,
  verdict: Extract<EntryVerdict, { kind: 'foreign' | 'finished' }>,
): Promise<DriftRecord> {
  const requestId = verdict.kind === 'finished' ? verdict.request.id : verdict.requestId;
  const record: DriftRecord = {
    cluster: s.cluster.name,
    key,
    kind: verdict.kind,
    ownerUuid: entry.ownerUuid,
    ...(entry.ownerName !== null ? { ownerName: entry.ownerName } : {}),
    account: entry.account,
    ...(entry.role !== null ? { role: entry.role } : {}),
    ...(entry.comment !== null ? { comment: entry.comment } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
    ...(entry.startTime !== null ? { start: entry.startTime } : {}),
    ...(entry.endTime !== null ? { end: entry.endTime } : {}),
    jitState: entry.jitState,
    since: s.now,
  };
  if (await s.ports.store.recordNewDrift(record)) {
    s.tally.found += 1;
    s.log.warn('JIT entry drift found', { kind: record.kind, account: record.account, owner: record.ownerUuid });
  }
  return record;
}

async function onSettings(
  s: Scope,
  maximum: OwnerJitMaximum,
  key: string,
  allowed: number,
  record: DriftRecord | undefined,
): Promise<void> {
  const baseline = record?.baseline !== undefined ? (parseIsoDuration(record.baseline) ?? undefined) : undefined;
  const owner = { cluster: s.cluster.name, key, ownerUuid: maximum.ownerUuid, ownerName: maximum.ownerName };
  if (settingsVerdict(maximum.maxJitValiditySeconds, baseline, allowed).kind === 'baseline') {
    // First seen, back where it was, or within the policies: the value later ones are compared with.
    if (record?.kind === undefined && record?.baseline === maximum.maxJitValidity) return;
    await s.ports.store.putDriftRecord({ ...owner, baseline: maximum.maxJitValidity });
    if (record?.kind) s.tally.cleared += 1;
    return;
  }
  let current = record?.kind ? record : undefined;
  if (!current) {
    current = {
      ...owner,
      kind: 'settings',
      ...(record?.baseline !== undefined ? { baseline: record.baseline } : {}),
      max: maximum.maxJitValidity,
      allowedSeconds: allowed,
      since: s.now,
    };
    if (await s.ports.store.recordSettingsDrift(current)) {
      s.tally.found += 1;
      s.log.warn('JIT settings drift found', { owner: maximum.ownerUuid, max: maximum.maxJitValidity, allowed });
    }
  }
  await reportOnce(s, current);
}

/**
 * The drift's report, posted once: the record as reported, or undefined while it is not (the post
 * failed, or another pass has it on the way).
 */
async function reportOnce(s: Scope, record: DriftRecord): Promise<DriftRecord | undefined> {
  if (record.reportedAt) return record;
  const { store, notifier, config } = s.ports;
  const stale = toUtcSecond(nowOf(s.ports.clock).minus({ seconds: s.claimSeconds }));
  if (!(await store.claimDriftReport(record.cluster, record.key, s.now, stale))) return undefined;
  let report: Awaited<ReturnType<typeof notifier.post>>;
  try {
    report = await notifier.post(config.slack.approvalChannel, driftReport(record, s.cluster.drift));
  } catch (error) {
    s.tally.reportsFailed += 1;
    s.log.warn('drift report not posted; a later pass tries again', describeError(error));
    return undefined;
  }
  if (await store.markDriftReported(record.cluster, record.key, report, s.now)) s.tally.reported += 1;
  return { ...record, reportedAt: s.now, report };
}

/** Removes a reported drifted entry, only while its comment is the one the scan saw; says so under the report. */
async function removeEntry(s: Scope, entry: JitUserRecord, record: DriftRecord): Promise<void> {
  try {
    await s.client.removeJitUser(entry.ownerUuid, entry.account, entry.application, {
      onlyIfComment: entry.comment ?? '',
    });
  } catch (error) {
    // Replaced since the listing (a new grant may have made it): the next pass looks again.
    if (error instanceof OntapJitEntryMismatchError) return;
    throw error;
  }
  await s.ports.store.markDriftRemoved(record.cluster, record.key, s.now);
  s.tally.removed += 1;
  s.log.warn('drifted JIT entry removed', { account: entry.account, owner: entry.ownerUuid });
  if (!record.report) return;
  await s.ports.notifier
    .reply(record.report, driftRemovedReply(toUtcSecond(nowOf(s.ports.clock))))
    .catch((error: unknown) => s.log.warn('removal not told under the drift report', describeError(error)));
}

/** Live grants on clusters that could not be read: their state is shown as the last known one. */
async function markUnread(ports: DriftPorts, clusters: readonly string[], log: Logger): Promise<number> {
  try {
    const live = await ports.store.listActiveEndingBefore('9999-12-31T23:59:59Z', 100);
    let changed = 0;
    for (const request of live.filter((r) => clusters.includes(r.cluster))) {
      if (await noteLiveState(ports, request, { unread: true }, log)) changed += 1;
    }
    return changed;
  } catch (error) {
    log.warn('elevation state of unreadable clusters not marked', describeError(error));
    return 0;
  }
}
