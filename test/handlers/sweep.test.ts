import { handler } from '../../lambdas/handlers/sweep';
import { Logger } from '../../lambdas/runtime/logger';
import { resetRuntime, setRuntimeForTesting } from '../../lambdas/runtime/runtime';
import { useDynamo } from '../support/dynamo';
import { at, pendingRequest, requestIn } from '../support/requests';
import { TEST_CONFIG } from '../support/workflow-env';

const dynamo = useDynamo();

describe('the sweep entry point', () => {
  afterEach(() => resetRuntime());

  it('sweeps with the runtime; a grant whose cluster cannot be reached stays live and counted', async () => {
    const { store } = dynamo();
    await store.create(requestIn('ACTIVE', pendingRequest({ id: '20261122-SWEEPHANDLER1' })));
    const lines: string[] = [];
    setRuntimeForTesting({ config: TEST_CONFIG, store, clock: { now: () => Date.parse(at(24 * 60)) }, logger: new Logger({}, 'info', (l) => lines.push(l)) });
    // No cluster is configured to be reachable here, so the revoke cannot run: the grant stays counted.
    await expect(handler()).resolves.toEqual({ overdue: 1, requestIds: ['20261122-SWEEPHANDLER1'], ended: [], stillLive: ['20261122-SWEEPHANDLER1'] });
    expect(await store.get('20261122-SWEEPHANDLER1')).toMatchObject({ status: 'ACTIVE' });
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toContainEqual(expect.objectContaining({ task: 'sweep', OverdueGrants: 1 }));
  });
});
