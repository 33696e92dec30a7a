import { pendingRequest } from '../support/requests';
import {
  BOT_TOKEN,
  commandBody,
  interactionBody,
  SIGNING_SECRET,
  signedHeaders,
  useSlackIngress,
} from '../support/slack';

const ingress = useSlackIngress();
const FORM = 'application/x-www-form-urlencoded';

/** A valid approve click on a request waiting for approval, and a check that nothing happened to it. */
async function scene() {
  const { store } = ingress();
  const request = await ingress().awaitApproval(await store.create(pendingRequest()), `tok-${Math.random()}`);
  const body = interactionBody(ingress().clickPayload('U0BOB', 'jit_approve', request));
  const unchanged = async (): Promise<void> => {
    expect(await store.get(request.id)).toEqual(request);
    expect(ingress().sfn.calls).toEqual([]);
    expect(ingress().slack.calls.filter((c) => c.method !== 'chat.postMessage')).toEqual([]);
    expect(ingress().slack.responses).toEqual([]);
  };
  return { request, body, unchanged };
}

describe('the Slack endpoint refuses what Slack did not send', () => {
  const now = (): number => Math.floor(Date.now() / 1000);

  it('a body signed with another secret: 401, nothing recorded', async () => {
    const { body, unchanged } = await scene();
    const answer = await ingress().post(body, signedHeaders(body, FORM, { secret: 'not-the-signing-secret' }));
    expect(answer.status).toBe(401);
    await unchanged();
  });

  it('a body changed after signing: 401, nothing recorded', async () => {
    const { body, unchanged } = await scene();
    const headers = signedHeaders(body, FORM);
    const answer = await ingress().post(body.replace('U0BOB', 'U0CAROL'), headers);
    expect(answer.status).toBe(401);
    await unchanged();
  });

  it('no signature or no timestamp: 401', async () => {
    const { body, unchanged } = await scene();
    const { 'x-slack-signature': _s, ...noSignature } = signedHeaders(body, FORM);
    const { 'x-slack-request-timestamp': _t, ...noTimestamp } = signedHeaders(body, FORM);
    expect((await ingress().post(body, noSignature)).status).toBe(401);
    expect((await ingress().post(body, noTimestamp)).status).toBe(401);
    expect(
      (await ingress().post(body, { ...signedHeaders(body, FORM), 'x-slack-request-timestamp': 'soon' })).status,
    ).toBe(401);
    await unchanged();
  });

  it('a stale timestamp (a replay), correctly signed: 401, nothing recorded', async () => {
    const { body, unchanged } = await scene();
    const answer = await ingress().post(body, signedHeaders(body, FORM, { timestamp: now() - 10 * 60 }));
    expect(answer.status).toBe(401);
    await unchanged();
  });

  it('a timestamp from the future, correctly signed: 401, nothing recorded (Bolt alone would accept it)', async () => {
    const { body, unchanged } = await scene();
    const answer = await ingress().post(body, signedHeaders(body, FORM, { timestamp: now() + 10 * 60 }));
    expect(answer.status).toBe(401);
    await unchanged();
  });

  it('a timestamp a little ahead (clock skew) is accepted', async () => {
    const { request, body } = await scene();
    const answer = await ingress().post(body, signedHeaders(body, FORM, { timestamp: now() + 30 }));
    expect(answer.status).toBe(200);
    expect((await ingress().store.get(request.id)).status).toBe('APPROVED');
  });

  it('signed but malformed: 400 for a payload that is not JSON, 415 for an unknown content type', async () => {
    const bad = new URLSearchParams({ payload: '{not json' }).toString();
    expect((await ingress().post(bad, signedHeaders(bad, FORM))).status).toBe(400);
    const text = 'hello';
    expect((await ingress().post(text, signedHeaders(text, 'text/plain'))).status).toBe(415);
  });

  it('never logs the signing secret or the bot token', async () => {
    const { body } = await scene();
    await ingress().post(body, signedHeaders(body, FORM, { secret: 'wrong' }));
    await ingress().post(body, signedHeaders(body, FORM));
    await ingress().command('U0ALICE', 'svm1 vsadmin 1h some justification text');
    const logs = ingress().logs.join('\n');
    expect(logs).toContain('slack request refused');
    expect(logs).not.toContain(SIGNING_SECRET);
    expect(logs).not.toContain(BOT_TOKEN);
  });
});

describe('the Slack endpoint takes what Slack sends', () => {
  it('answers the Events API URL verification', async () => {
    const body = JSON.stringify({ token: 'legacy', challenge: 'c4a1-challenge', type: 'url_verification' });
    const answer = await ingress().post(body, signedHeaders(body, 'application/json'));
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ challenge: 'c4a1-challenge' });
  });

  it('acknowledges events, retried ones included', async () => {
    const body = JSON.stringify({
      token: 'legacy',
      team_id: 'T0LOCAL',
      api_app_id: 'A0JIT',
      type: 'event_callback',
      event_id: 'Ev0001',
      event_time: 1795341600,
      event: {
        type: 'app_home_opened',
        user: 'U0ALICE',
        channel: 'D0ALICE',
        tab: 'home',
        event_ts: '1795341600.000100',
      },
      authorizations: [{ team_id: 'T0LOCAL', user_id: 'U0JITBOT', is_bot: true }],
    });
    expect((await ingress().post(body, signedHeaders(body, 'application/json'))).status).toBe(200);
    expect((await ingress().post(body, signedHeaders(body, 'application/json', { retryNum: 1 }))).status).toBe(200);
  });

  it('takes a content type with parameters', async () => {
    const responseUrl = ingress().slack.issueResponseUrl();
    const body = commandBody({
      user: 'U0ALICE',
      text: 'help',
      trigger: ingress().slack.issueTrigger('U0ALICE'),
      responseUrl,
    });
    const answer = await ingress().post(body, signedHeaders(body, `${FORM}; charset=utf-8`));
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('/jit') });
  });

  it('answers a modal whose metadata it cannot read with an error in the modal', async () => {
    const { slack } = ingress();
    await ingress().command('U0ALICE', '');
    const [view] = [...slack.views.values()];
    if (!view) throw new Error('no modal');
    view.view.private_metadata = '{"v":2}';
    const answer = await ingress().submitView('U0ALICE', view.id, { justification: 'long enough reason' });
    expect(answer.json()).toEqual({
      response_action: 'errors',
      errors: { target: 'Slack sent something this app does not understand; nothing was changed.' },
    });
  });
});
