import { useSlackIngress } from '../../../support/slack';

const ingress = useSlackIngress();

describe('/jit', () => {
  it('opens the request modal with what the policies allow alice', async () => {
    const { slack } = ingress();
    const { answer, responses } = await ingress().command('U0ALICE', '');
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('');
    const opened = slack.callsTo('views.open');
    expect(opened).toHaveLength(1);
    const view = opened[0]?.args.view as Record<string, unknown>;
    expect(view).toMatchObject({ type: 'modal', callback_id: 'jit_request' });
    expect(JSON.parse(String(view.private_metadata))).toEqual({ v: 1, account: 'alice', zone: 'Europe/Paris', name: 'Alice Storage' });
    expect(responses()).toEqual([]);
  });
});
