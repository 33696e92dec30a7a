/**
 * Faults on the prerequisite reads (SVM, account, role, JIT settings) before anyone is asked to
 * approve: alone and in bursts the lifecycle still ends as it should; past every retry the request
 * fails without a call that could grant anything.
 */
import { Tally } from '../support/hardening';
import { useWorkflowEnv } from '../support/workflow-env';
import { type FaultScenario, runFaultScenario, singleFaults } from './fault-scenarios';

const env = useWorkflowEnv({ ontapClient: { timeoutMs: 200 } });
const hits = new Tally();
afterAll(() => console.log(hits.render('Faults injected on prerequisite reads (call × kind: calls hit)')));

const READS = ['svm lookup', 'account read', 'role read', 'JIT settings read'] as const;

const SCENARIOS: FaultScenario[] = [
  ...singleFaults(READS, ['500', '503', 'hang', 'reset', 'slow (latency)', 'locked (409)']),
  {
    name: 'burst: 3 × 503 on the SVM lookup',
    faults: [{ call: 'svm lookup', kind: '503', times: 3 }],
    status: 'EXPIRED',
  },
  {
    name: 'burst: 3 hangs on the account read',
    faults: [{ call: 'account read', kind: 'hang', times: 3 }],
    status: 'EXPIRED',
  },
  {
    name: 'burst: a reset on every read at once',
    faults: READS.map((call) => ({ call, kind: 'reset' as const, times: 2 })),
    status: 'EXPIRED',
  },
  // Client tries × state machine tries (2 × 4) all fail: the request fails, nothing is granted.
  {
    name: 'outage: 500 on every SVM lookup',
    faults: [{ call: 'svm lookup', kind: '500', times: 50 }],
    status: 'FAILED',
    execution: 'FAILED',
  },
  {
    name: 'outage: the role read hangs every time',
    faults: [{ call: 'role read', kind: 'hang', times: 50 }],
    status: 'FAILED',
    execution: 'FAILED',
  },
];

describe('faults on the prerequisite reads', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    await runFaultScenario(env(), scenario, 'alice', hits);
  });
});
