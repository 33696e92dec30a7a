/**
 * Faults on the calls that change the cluster: the grant's POST, the revoke's read and DELETE, and
 * the job polling of an asynchronous answer. A lost answer after the work was done must not make a
 * second entry or leave one behind; a revoke that cannot complete takes the alert path, with the
 * entry still closed by ONTAP at the approved end.
 */
import { Tally } from '../support/hardening';
import { useWorkflowEnv } from '../support/workflow-env';
import { type FaultScenario, runFaultScenario, singleFaults } from './fault-scenarios';

const env = useWorkflowEnv({ ontapClient: { timeoutMs: 200 } });
const hits = new Tally();
afterAll(() => console.log(hits.render('Faults injected on grant, revoke and job polling (call × kind: calls hit)')));

const ALL_KINDS = [
  '500',
  '503',
  'hang',
  'hang after work',
  'reset',
  'reset after work',
  'slow (latency)',
  'async job',
  'locked (409)',
] as const;

const SCENARIOS: FaultScenario[] = [
  ...singleFaults(['grant POST', 'revoke DELETE'], ALL_KINDS),
  ...singleFaults(['revoke entry read'], ['500', '503', 'hang', 'reset', 'slow (latency)']),
  // A job answer, then a fault while polling it.
  ...(['grant POST', 'revoke DELETE'] as const).flatMap((call) =>
    (['500', 'hang', 'reset'] as const).map((kind) => ({
      name: `${call} as a job, poll × ${kind}`,
      faults: [
        { call, kind: 'async job' as const },
        { call: 'job poll' as const, kind },
      ],
      status: 'EXPIRED' as const,
    })),
  ),
  // Bursts the retries absorb.
  { name: 'burst: 3 × 503 on the grant', faults: [{ call: 'grant POST', kind: '503', times: 3 }], status: 'EXPIRED' },
  {
    name: 'burst: 3 lost answers on the grant',
    faults: [{ call: 'grant POST', kind: 'reset after work', times: 3 }],
    status: 'EXPIRED',
  },
  {
    name: 'burst: 3 hangs after work on the revoke',
    faults: [{ call: 'revoke DELETE', kind: 'hang after work', times: 3 }],
    status: 'EXPIRED',
  },
  {
    name: 'burst: grant and revoke both flaky',
    faults: [
      { call: 'grant POST', kind: 'reset', times: 2 },
      { call: 'revoke entry read', kind: '500', times: 2 },
      { call: 'revoke DELETE', kind: 'reset after work', times: 2 },
    ],
    status: 'EXPIRED',
  },
  // Past every retry.
  {
    name: 'outage: the grant POST fails every time',
    faults: [{ call: 'grant POST', kind: '503', times: 100 }],
    status: 'FAILED',
    execution: 'FAILED',
    granted: false,
  },
  {
    name: 'outage: the grant is made but every answer is lost',
    faults: [{ call: 'grant POST', kind: 'reset after work', times: 100 }],
    status: 'FAILED',
    execution: 'FAILED',
  },
  // The job's outcome is lost, but the entry is there: the retry's 409 reads it back as this grant.
  {
    name: 'burst: a grant job whose polls all fail',
    faults: [
      { call: 'grant POST', kind: 'async job' },
      { call: 'job poll', kind: '500', times: 100 },
    ],
    status: 'EXPIRED',
  },
  {
    name: 'the grant job fails',
    faults: [{ call: 'grant POST', kind: 'failed job' }],
    status: 'FAILED',
    execution: 'FAILED',
  },
  {
    name: 'the revoke job fails every time',
    faults: [{ call: 'revoke DELETE', kind: 'failed job', times: 100 }],
    status: 'REVOKE_FAILED',
    execution: 'FAILED',
  },
  {
    name: 'outage: every revoke DELETE fails',
    faults: [{ call: 'revoke DELETE', kind: '500', times: 100 }],
    status: 'REVOKE_FAILED',
    execution: 'FAILED',
  },
  {
    name: 'outage: every revoke read hangs',
    faults: [{ call: 'revoke entry read', kind: 'hang', times: 100 }],
    status: 'REVOKE_FAILED',
    execution: 'FAILED',
  },
];

describe('faults on grant, revoke and job polling', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    await runFaultScenario(env(), scenario, 'alice', hits);
  });
});
