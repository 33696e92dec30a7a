import { awaitEnd } from '../../lambdas/lifecycle/await-end';
import { liveGrant } from '../support/fakes';
import { at } from '../support/requests';

const TOKEN = 'token-end-1';

describe('awaitEnd', () => {
  it('keeps the end token with the request and waits', async () => {
    const { ports, store, workflow, logger, request } = liveGrant();
    await expect(awaitEnd(ports, { requestId: request.id, taskToken: TOKEN }, logger)).resolves.toEqual({
      waiting: true,
    });
    expect((await store.getStored(request.id)).tokens.end).toBe(TOKEN);
    expect(workflow.signals).toEqual([]);
  });

  it('ends its own wait at once when "Revoke now" was recorded before the token was kept', async () => {
    const { ports, store, workflow, logger, request } = liveGrant();
    store.force(request.id, { type: 'REVOKE_REQUESTED', by: 'U0ALICE', at: at(5) });
    workflow.waiting.add(TOKEN);
    await expect(awaitEnd(ports, { requestId: request.id, taskToken: TOKEN }, logger)).resolves.toEqual({
      waiting: false,
    });
    expect(workflow.taken()).toEqual([{ kind: 'endNow', target: TOKEN, taken: true }]);
  });
});
