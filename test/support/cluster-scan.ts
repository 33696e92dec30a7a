/**
 * The reconciler's cluster scan on real parts, for tests: dynalite, the ONTAP simulator on its own
 * fake clock (so a test can make the cluster's clock lag the product's), the Slack Web API stand-in
 * behind the real Notifier. The workflow is the only fake: the scan never signals it.
 */
import { WebClient } from '@slack/web-api';
import type { Config } from '../../lambdas/config/schema';
import type { AccessRequest } from '../../lambdas/domain/request';
import { entryComment } from '../../lambdas/lifecycle/grant';
import { OntapClient } from '../../lambdas/ontap';
import type { Runtime } from '../../lambdas/runtime/runtime';
import { Notifier } from '../../lambdas/slack/notifier';
import type { WorkflowClient } from '../../lambdas/stepfunctions/client';
import type { RequestStore } from '../../lambdas/store/requests';
import { type OntapSimulator, startOntapSimulator } from '../../local/ontap-sim';
import { FakeClock } from '../../local/ontap-sim/clock';
import { type SlackApiStandIn, startSlackApi } from '../../local/slack-api/server';
import { TEST_CONFIG } from './configs';
import { useDynamo } from './dynamo';
import { DEFAULT_PEOPLE, FakeDirectory, FakeWorkflow, quietLogger, SteppingClock } from './fakes';
import { T0 } from './requests';
import { SVM_UUID } from './workflow-env';

/** Everything a scan test talks to. */
export interface ScanEnv {
  readonly store: RequestStore;
  readonly sim: OntapSimulator;
  /** The cluster's clock. */
  readonly simClock: FakeClock;
  readonly slack: SlackApiStandIn;
  /** The product's clock. */
  readonly clock: SteppingClock;
  readonly logger: ReturnType<typeof quietLogger>;
  /** The ONTAP client the product uses (one try per call, so a fault is a failure). */
  readonly ontap: OntapClient;
  readonly ports: Runtime;
  /** Moves both clocks on by `seconds`. */
  advance(seconds: number): void;
  /** A JIT entry made straight on the cluster (as an admin would over REST, behind the product's back). */
  entryBehindTheBack(account: string, comment?: string, owner?: string): Promise<void>;
  /** Records `request` with the entry its grant would make (comment naming it), on svm1. */
  grantedOnCluster(request: AccessRequest): Promise<AccessRequest>;
  /** Messages the product posted to the approval channel (thread replies left out). */
  channelPosts(): { text: string; ts: string; edited: number }[];
}

/** Starts the parts for a test file with `config` (TEST_CONFIG unless told), reset before each test. */
export function useScanEnv(config: Config = TEST_CONFIG): () => ScanEnv {
  const db = useDynamo();
  let env: ScanEnv | undefined;
  let sim: OntapSimulator | undefined;
  let slack: SlackApiStandIn | undefined;
  let ontap: OntapClient | undefined;
  const simClock = new FakeClock(Date.parse(T0));

  beforeAll(async () => {
    sim = await startOntapSimulator({ clock: simClock, https: false });
    slack = await startSlackApi();
    ontap = new OntapClient({
      endpoint: sim.url,
      username: sim.credentials.username,
      password: sim.credentials.password,
      timeoutMs: 5000,
      retry: { attempts: 1 },
      sleep: async () => undefined,
    });
  });
  afterAll(async () => {
    ontap?.close();
    await Promise.all([sim?.close(), slack?.close()]);
  });
  beforeEach(async () => {
    if (!sim || !slack || !ontap) throw new Error('the scan environment did not start');
    sim.reset();
    slack.reset();
    simClock.set(Date.parse(T0));
    const clock = new SteppingClock(T0);
    const logger = quietLogger();
    const { store } = db();
    // Each test starts with a cluster the product has never scanned.
    for (const c of config.clusters) {
      for (const key of (await store.listDriftRecords(c.name)).keys()) await store.clearDrift(c.name, key);
    }
    const client = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    const notifier = new Notifier({ client, approvalChannel: config.slack.approvalChannel, policies: config.policies });
    const cluster = ontap;
    const ports: Runtime = {
      config,
      store,
      notifier,
      directory: new FakeDirectory(DEFAULT_PEOPLE, config.slack.accounts.people),
      workflow: new FakeWorkflow() as unknown as WorkflowClient,
      clock,
      logger,
      metrics: logger.metrics,
      ontap: async () => cluster,
    };
    const channel = config.slack.approvalChannel;
    const s = slack;
    env = {
      store,
      sim,
      simClock,
      slack,
      clock,
      logger,
      ontap,
      ports,
      advance(seconds) {
        clock.advance(seconds);
        simClock.advance(seconds * 1000);
      },
      async entryBehindTheBack(account, comment, owner = SVM_UUID.svm1) {
        await cluster.ensureJitUser({
          ownerUuid: owner,
          account,
          role: 'vsadmin',
          jitValidity: 'PT4H',
          ...(comment !== undefined ? { comment } : {}),
        });
      },
      async grantedOnCluster(request) {
        const onSvm1 = { ...request, svm: { name: 'svm1', uuid: SVM_UUID.svm1 } } as AccessRequest;
        await store.create({ ...onSvm1, status: 'PENDING' } as AccessRequest).catch(() => undefined);
        await store.update(request.id, ['PENDING'], (st) => ({ ...st, request: onSvm1 }));
        await cluster.ensureJitUser({
          ownerUuid: SVM_UUID.svm1,
          account: request.requester.ontapAccount,
          role: request.role,
          jitValidity: 'PT1H',
          comment: entryComment(onSvm1),
        });
        return store.get(request.id);
      },
      channelPosts: () =>
        s.messages
          .filter((m) => m.channel === channel && m.threadTs === undefined)
          .map((m) => ({ text: m.text, ts: m.ts, edited: m.edited })),
    };
  });
  return () => {
    if (!env) throw new Error('the scan environment did not start');
    return env;
  };
}
