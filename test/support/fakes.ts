/**
 * In-memory ports for unit tests of the lifecycle's use cases: no sockets, no timers. Each fake records
 * what it was asked and can be told to fail (before or after doing its work, as when an answer is lost).
 * The store is in fake-store.ts; `fakePorts` puts them all together in the shape the use cases take.
 */
import type { Config } from '../../lambdas/config/schema';
import type { Milestone } from '../../lambdas/domain/milestones';
import { identityKeys, type PeopleGrouping } from '../../lambdas/domain/people';
import type { Actor, Policy, RequesterNow } from '../../lambdas/domain/policy';
import type { AccessRequest, MessageRef } from '../../lambdas/domain/request';
import { entryComment, grantKeyOf } from '../../lambdas/lifecycle/grant';
import type { OntapClient } from '../../lambdas/ontap';
import type { Clock } from '../../lambdas/runtime/clock';
import { type Logger, type Metrics, publishMetrics } from '../../lambdas/runtime/logger';
import type { PeopleDirectory, Runtime, SlackNotifier } from '../../lambdas/runtime/runtime';
import type { SlackMessage } from '../../lambdas/slack/blocks/approval-message';
import type { ThreadDetails } from '../../lambdas/slack/blocks/request-messages';
import type { DirectoryIdentity } from '../../lambdas/slack/directory';
import type { ApprovalOutcome, WorkflowClient } from '../../lambdas/stepfunctions/client';
import type { RequestStore } from '../../lambdas/store/requests';
import { sinkLogger, sinkMetrics } from '../../local/local-logger';
import { TEST_CONFIG } from './configs';
import { FakeOntap } from './fake-ontap';
import { FakeStore } from './fake-store';
import { at, requestIn, T0 } from './requests';

export { FakeOntap } from './fake-ontap';
export { FakeStore } from './fake-store';

/** A failure a fake is told to produce: before its work (nothing happened) or after it (the answer was lost). */
export interface Fault {
  readonly error: Error;
  /** Do the work first, then fail: the caller cannot tell it happened. @default false */
  readonly afterWork?: boolean;
}

/** Calls of one kind that fail next, in order; `always` keeps failing. */
class Faults<K extends string> {
  private readonly queued = new Map<K, (Fault & { always?: boolean })[]>();

  /** The next call of `kind` fails with `fault` (every call, with `always`). */
  add(kind: K, fault: Fault & { always?: boolean }): void {
    this.queued.set(kind, [...(this.queued.get(kind) ?? []), fault]);
  }

  /** Runs `work` as call `kind`, failing it when a fault is queued. */
  async run<T>(kind: K, work: () => Promise<T> | T): Promise<T> {
    const list = this.queued.get(kind) ?? [];
    const fault = list[0];
    if (fault && !fault.always) list.shift();
    if (!fault) return work();
    if (fault.afterWork) await work();
    throw fault.error;
  }
}

/** A clock standing still at `start` until the test moves it. */
export class SteppingClock implements Clock {
  private ms: number;
  constructor(start: string = T0) {
    this.ms = Date.parse(start);
  }
  now(): number {
    return this.ms;
  }
  /** Moves the clock on by `seconds`. */
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
  /** Sets the clock to an ISO instant. */
  set(iso: string): void {
    this.ms = Date.parse(iso);
  }
}

/** A logger that writes nothing anywhere but keeps its lines, so a test can read the metrics and check for secrets. */
export function quietLogger(): Logger & { readonly lines: Record<string, unknown>[]; readonly metrics: Metrics } {
  const lines: Record<string, unknown>[] = [];
  const sink = (line: string): void => {
    lines.push(JSON.parse(line) as Record<string, unknown>);
  };
  const logger = sinkLogger(sink, 'ontap-jit-test', 'debug');
  return Object.assign(logger, { lines, metrics: sinkMetrics(sink, 'ontap-jit-test') });
}

/** The lower-cased level of a log line (Powertools writes `WARN`, `ERROR`). */
export function levelOf(line: Record<string, unknown>): string {
  return String(line.level).toLowerCase();
}

/**
 * The values counted for metric `name` by the use cases given this quiet logger's metrics: what was
 * published, then what is still stored (published here, as the task handler does at the end of a task).
 */
export function metricValues(logger: ReturnType<typeof quietLogger>, name: string): number[] {
  publishMetrics(logger.metrics);
  return logger.lines
    .filter((l) => l._aws !== undefined && l[name] !== undefined)
    .flatMap((l) => (Array.isArray(l[name]) ? (l[name] as number[]) : [l[name] as number]));
}

/** One call the fake notifier took. */
export interface Notice {
  readonly kind: 'approval' | 'requester' | 'thread' | 'milestone' | 'reply' | 'post';
  readonly id: string;
  readonly status: AccessRequest['status'];
  readonly details?: ThreadDetails;
  /** The milestone told (a milestone DM, or a thread reply for one). */
  readonly milestone?: Milestone;
  /** Where a reply or a post went, and its text. */
  readonly to?: string;
  readonly text?: string;
}

/** A Slack notifier that records what it was asked to show; messages land in fixed places. */
export class FakeNotifier implements SlackNotifier {
  readonly sent: Notice[] = [];
  readonly faults = new Faults<Notice['kind']>();
  private ts = 0;

  approval(request: AccessRequest): Promise<MessageRef> {
    return this.faults.run('approval', () => {
      this.sent.push({ kind: 'approval', id: request.id, status: request.status });
      return request.slack.approval ?? { channel: 'C0APPROVALS', ts: this.nextTs() };
    });
  }

  requester(request: AccessRequest): Promise<MessageRef> {
    return this.faults.run('requester', () => {
      this.sent.push({ kind: 'requester', id: request.id, status: request.status });
      return request.slack.requester ?? { channel: `D${request.requester.slackUserId}`, ts: this.nextTs() };
    });
  }

  thread(request: AccessRequest, details: ThreadDetails = {}, milestone?: Milestone): Promise<boolean> {
    return this.faults.run('thread', () => {
      this.sent.push({
        kind: 'thread',
        id: request.id,
        status: request.status,
        details,
        ...(milestone ? { milestone } : {}),
      });
      return true;
    });
  }

  milestone(request: AccessRequest, milestone: Milestone): Promise<MessageRef> {
    return this.faults.run('milestone', () => {
      this.sent.push({ kind: 'milestone', id: request.id, status: request.status, milestone });
      return { channel: `D${request.requester.slackUserId}`, ts: this.nextTs() };
    });
  }

  reply(parent: MessageRef, message: SlackMessage): Promise<MessageRef> {
    return this.faults.run('reply', () => {
      this.sent.push({
        kind: 'reply',
        id: '',
        status: 'PENDING',
        to: `${parent.channel}/${parent.ts}`,
        text: message.text,
      });
      return { channel: parent.channel, ts: this.nextTs() };
    });
  }

  post(channel: string, message: SlackMessage): Promise<MessageRef> {
    return this.faults.run('post', () => {
      this.sent.push({ kind: 'post', id: '', status: 'PENDING', to: channel, text: message.text });
      return { channel, ts: this.nextTs() };
    });
  }

  async permalink(ref: MessageRef): Promise<string> {
    return `https://slack.test/archives/${ref.channel}/p${ref.ts.replace('.', '')}`;
  }

  /** The milestones told to the requester, in order. */
  milestones(): (Milestone | undefined)[] {
    return this.sent.filter((n) => n.kind === 'milestone').map((n) => n.milestone);
  }

  /** The statuses shown by one kind of message, in order. */
  shown(kind: Notice['kind']): AccessRequest['status'][] {
    return this.sent.filter((n) => n.kind === kind).map((n) => n.status);
  }

  private nextTs(): string {
    this.ts += 1;
    return `1700000000.${String(this.ts).padStart(6, '0')}`;
  }
}

/** One person as the fake directory knows them. */
export interface FakePerson {
  readonly ontapAccount?: string;
  readonly status?: Actor['status'];
  readonly groups?: readonly string[];
}

/** Slack's view of people, as the tasks ask it (afresh each time); a test changes someone between steps. */
export class FakeDirectory implements PeopleDirectory {
  readonly people = new Map<string, FakePerson>();
  readonly faults = new Faults<'lookup'>();
  /** How many times someone was looked up. */
  lookups = 0;

  /** `people` by Slack id; `grouping` is the configuration's `slack.accounts.people` (one person, several ids). */
  constructor(
    people: Record<string, FakePerson> = DEFAULT_PEOPLE,
    private readonly grouping: PeopleGrouping = {},
  ) {
    for (const [id, person] of Object.entries(people)) this.people.set(id, person);
  }

  async identity(userId: string): Promise<DirectoryIdentity> {
    return this.faults.run('lookup', () => this.identityOf(userId));
  }

  async actor(userId: string, groupIds: readonly string[]): Promise<Actor> {
    return this.faults.run('lookup', () => this.actorOf(userId, groupIds));
  }

  async requesterNow(userId: string, policy: Policy): Promise<{ identity: DirectoryIdentity; now: RequesterNow }> {
    return this.faults.run('lookup', () => {
      this.lookups += 1;
      const identity = this.identityOf(userId);
      const groups = policy.requesters === 'anyone' ? [] : policy.requesters.groups;
      const account = identity.ontapAccount !== undefined ? { ontapAccount: identity.ontapAccount } : {};
      return { identity, now: { actor: this.actorOf(userId, groups), ...account } };
    });
  }

  private identityOf(userId: string): DirectoryIdentity {
    const person = this.people.get(userId) ?? {};
    const account = person.ontapAccount;
    const identity = {
      userId,
      status: person.status ?? 'active',
      ...(account !== undefined ? { ontapAccount: account } : { unmapped: 'not in slack.accounts.map' }),
    };
    return { ...identity, zone: 'UTC', bot: false, keys: identityKeys(identity, this.grouping) };
  }

  private actorOf(userId: string, groupIds: readonly string[]): Actor {
    const person = this.people.get(userId) ?? {};
    const groups = new Set((person.groups ?? []).filter((g) => groupIds.includes(g)));
    return { userId, groups, keys: this.identityOf(userId).keys, ...(person.status ? { status: person.status } : {}) };
  }
}

/** alice and dave (requesters), bob and carol (approvers), as TEST_CONFIG maps them. */
export const DEFAULT_PEOPLE: Record<string, FakePerson> = {
  U0ALICE: { ontapAccount: 'alice' },
  U0DAVE: { ontapAccount: 'dave' },
  U0BOB: { ontapAccount: 'bob' },
  U0CAROL: { ontapAccount: 'carol' },
};

/** One signal the fake workflow took. */
export interface Signal {
  readonly kind: 'start' | 'resumeApproval' | 'endNow' | 'endsChanged';
  readonly target: string;
  readonly decision?: ApprovalOutcome['decision'];
  /** Whether a wait took it (false: its token was stale or already used). */
  readonly taken: boolean;
}

/** The Step Functions side: waits that hold a token until a signal completes it, once. */
export class FakeWorkflow
  implements
    Pick<WorkflowClient, 'start' | 'resumeApproval' | 'endNow' | 'endsChanged' | 'executionState' | 'executionArnOf'>
{
  readonly signals: Signal[] = [];
  /** What each approval wait was completed with (route and start included), taken or not. */
  readonly completions: { readonly token: string; readonly outcome: ApprovalOutcome }[] = [];
  readonly faults = new Faults<Signal['kind'] | 'executionState'>();
  /** Tokens of waits still waiting. */
  readonly waiting = new Set<string>();
  /** Executions by request id; a request not listed is running. */
  readonly executions = new Map<string, 'RUNNING' | 'GONE'>();

  start(requestId: string): Promise<{ executionArn: string; alreadyStarted: boolean }> {
    return this.faults.run('start', () => {
      const alreadyStarted = this.signals.some((s) => s.kind === 'start' && s.target === requestId);
      this.signals.push({ kind: 'start', target: requestId, taken: !alreadyStarted });
      this.executions.set(requestId, 'RUNNING');
      return { executionArn: this.executionArnOf(requestId), alreadyStarted };
    });
  }

  executionArnOf(requestId: string): string {
    return `arn:aws:states:eu-west-1:123456789012:execution:jit:${requestId}`;
  }

  resumeApproval(taskToken: string, outcome: ApprovalOutcome): Promise<boolean> {
    return this.faults.run('resumeApproval', () => {
      this.completions.push({ token: taskToken, outcome });
      return this.complete('resumeApproval', taskToken, outcome.decision);
    });
  }

  endNow(taskToken: string): Promise<boolean> {
    return this.faults.run('endNow', () => this.complete('endNow', taskToken));
  }

  endsChanged(taskToken: string): Promise<boolean> {
    return this.faults.run('endsChanged', () => this.complete('endsChanged', taskToken));
  }

  executionState(requestId: string): Promise<'RUNNING' | 'GONE'> {
    return this.faults.run('executionState', () => this.executions.get(requestId) ?? 'RUNNING');
  }

  /** The signals a wait took (not the stale ones). */
  taken(): Signal[] {
    return this.signals.filter((s) => s.taken);
  }

  private complete(kind: Signal['kind'], token: string, decision?: ApprovalOutcome['decision']): boolean {
    const taken = this.waiting.delete(token);
    this.signals.push({ kind, target: token, taken, ...(decision ? { decision } : {}) });
    return taken;
  }
}

/** The fakes of one test, and the ports the use cases take. */
export interface FakePorts {
  readonly store: FakeStore;
  readonly ontap: FakeOntap;
  readonly notifier: FakeNotifier;
  readonly directory: FakeDirectory;
  readonly workflow: FakeWorkflow;
  readonly clock: SteppingClock;
  readonly logger: ReturnType<typeof quietLogger>;
  readonly config: Config;
  /** What the use cases take. */
  readonly ports: Runtime;
}

/** Fresh fakes for one test, with TEST_CONFIG and the clock at T0 unless told otherwise. */
export function fakePorts(options: { config?: Config; now?: string } = {}): FakePorts {
  const config = options.config ?? TEST_CONFIG;
  const store = new FakeStore();
  const ontap = new FakeOntap();
  const notifier = new FakeNotifier();
  const directory = new FakeDirectory(DEFAULT_PEOPLE, config.slack.accounts.people);
  const workflow = new FakeWorkflow();
  const clock = new SteppingClock(options.now);
  const logger = quietLogger();
  const ports: Runtime = {
    config,
    // The real store and clients are classes over their services; the fakes do the same calls in memory.
    store: store as unknown as RequestStore,
    notifier,
    directory,
    workflow: workflow as unknown as WorkflowClient,
    clock,
    logger,
    metrics: logger.metrics,
    ontap: async (cluster) => {
      if (!config.clusters.some((c) => c.name === cluster)) throw new Error(`no cluster named ${cluster}`);
      return ontap as unknown as OntapClient;
    },
  };
  return { store, ontap, notifier, directory, workflow, clock, logger, config, ports };
}

/** Fresh fakes with an ACTIVE (or REVOKE_FAILED) request holding its grant lock, its JIT entry on the cluster. */
export function liveGrant(status: 'ACTIVE' | 'REVOKE_FAILED' = 'ACTIVE') {
  const f = fakePorts();
  const request = requestIn(status);
  const key = grantKeyOf(request);
  f.store.put(request);
  f.store.putLock(key, request.id, at(62));
  f.ontap.putEntry({ ownerUuid: key.svmUuid, account: key.account, comment: entryComment(request) });
  return { ...f, request, key };
}
