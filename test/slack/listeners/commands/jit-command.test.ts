import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG_PATH, parseConfigText } from '../../../../lambdas/config/load';
import { useSlackIngress } from '../../../support/slack';

const ingress = useSlackIngress();

type Block = {
  type: string;
  block_id?: string;
  text?: { text: string };
  element?: Record<string, unknown>;
  label?: { text: string };
};
const blocksOf = (view: unknown): Block[] => (view as { blocks: Block[] }).blocks;
const texts = (responses: Record<string, unknown>[]): string => responses.map((r) => String(r.text)).join('\n');

describe('/jit (no text): the request modal', () => {
  it('opens with the SVMs, roles and limits the policies allow alice, in her time zone', async () => {
    const { slack } = ingress();
    const { answer, responses } = await ingress().command('U0ALICE', '');
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('');
    const opened = slack.callsTo('views.open');
    expect(opened).toHaveLength(1);
    const view = opened[0]?.args.view as Record<string, unknown>;
    expect(view).toMatchObject({ type: 'modal', callback_id: 'jit_request', submit: { text: 'Submit' } });
    expect(JSON.parse(String(view.private_metadata))).toEqual({
      v: 1,
      account: 'alice',
      zone: 'Europe/Paris',
      name: 'Alice Storage',
    });
    const blocks = blocksOf(view);
    expect(blocks.map((b) => b.block_id ?? b.type)).toEqual([
      'section',
      'target',
      'role@cluster1/svm1',
      'duration@svm1-operators',
      'start_mode',
      'start_date',
      'start_time',
      'justification',
      'ticket',
    ]);
    const target = blocks[1]?.element as { options: { value: string }[]; initial_option: { value: string } };
    expect(target.options.map((o) => o.value)).toEqual(['cluster1/svm1', 'cluster1/cluster1']);
    expect(target.initial_option.value).toBe('cluster1/svm1');
    const role = blocks[2]?.element as { options: { value: string }[] };
    expect(role.options.map((o) => o.value)).toEqual([
      'vsadmin',
      'vsadmin-volume',
      'vsadmin-protocol',
      'snapmirror-operator',
    ]);
    expect(blocks[3]?.element).toMatchObject({ initial_value: '1h' });
    expect(JSON.stringify(blocks[3])).toContain('At most 8 hours');
    expect(blocks[6]?.element).toMatchObject({ type: 'timepicker', timezone: 'Europe/Paris' });
    expect(responses()).toEqual([]);
  });

  it('shows bob, who may not ask for cluster admin, only svm1', async () => {
    const { slack } = ingress();
    await ingress().command('U0BOB', '');
    const blocks = blocksOf(slack.callsTo('views.open')[0]?.args.view);
    const target = blocks.find((b) => b.block_id === 'target')?.element as { options: { value: string }[] };
    expect(target.options.map((o) => o.value)).toEqual(['cluster1/svm1']);
    expect(
      JSON.parse(String((slack.callsTo('views.open')[0]!.args.view as { private_metadata: string }).private_metadata)),
    ).toMatchObject({
      account: 'bob',
      zone: 'America/New_York',
    });
  });

  it('tells a person with no ONTAP account so, and records nothing for a one-line request either', async () => {
    const { slack, sfn } = ingress();
    const { responses } = await ingress().command('U0EVE', 'svm1 vsadmin 1h eve has no account here');
    expect(texts(responses())).toContain('not mapped to an ONTAP account');
    expect(slack.callsTo('views.open')).toHaveLength(0);
    expect(sfn.calls).toEqual([]);
    expect(await ingress().store.listByRequester('U0EVE')).toEqual([]);
  });

  it('tells a person with no ONTAP account so, and opens nothing', async () => {
    const { slack } = ingress();
    const { answer, responses } = await ingress().command('U0EVE', '');
    expect(answer.status).toBe(200);
    expect(slack.callsTo('views.open')).toHaveLength(0);
    expect(responses()).toEqual([
      expect.objectContaining({
        response_type: 'ephemeral',
        text: expect.stringContaining('not mapped to an ONTAP account'),
      }),
    ]);
  });
});

describe('/jit help and list', () => {
  it('explains the command ephemerally, in the answer itself (nothing posted to response_url)', async () => {
    const { slack } = ingress();
    const posted = slack.responses.length;
    const { answer, responses } = await ingress().command('U0ALICE', 'help');
    expect(slack.responses.length).toBe(posted);
    const [help] = responses();
    expect(answer.json()).toEqual(help);
    expect(help).toMatchObject({ response_type: 'ephemeral' });
    expect(String(help?.text)).toContain('/jit <cluster>/<svm> <role> <duration> <justification…>');
    expect(String(help?.text)).toContain('<#C0APPROVALS>');
  });

  it('lists my requests newest first with their status, and nobody else’s', async () => {
    const { clock } = ingress();
    await ingress().command('U0ALICE', 'cluster1/svm1 vsadmin 2h fix the snapmirror schedule');
    clock.now += 60_000;
    await ingress().command('U0ALICE', 'svm1 vsadmin-volume 30m resize vol_data <b>now</b>');
    clock.now += 60_000;
    await ingress().command('U0DAVE', 'svm1 vsadmin 1h dave needs this too');
    const { responses } = await ingress().command('U0ALICE', 'list');
    const [list] = responses();
    expect(list).toMatchObject({ response_type: 'ephemeral' });
    const text = JSON.stringify(list?.blocks);
    expect(text.indexOf('vsadmin-volume')).toBeLessThan(text.indexOf('*PENDING* (0 of 1): vsadmin on'));
    expect(text).toContain('PENDING');
    expect(String(list?.text).match(/JIT-/g)).toHaveLength(2);
  });

  it('says so when there is nothing to list', async () => {
    const { responses } = await ingress().command('U0CAROL', 'list');
    expect(texts(responses())).toContain('You have no requests yet');
  });
});

describe('/jit one-line requests', () => {
  it('records the request, starts one workflow and answers with its id', async () => {
    const { store, sfn, slack } = ingress();
    const posted = slack.responses.length;
    const { answer, responses } = await ingress().command('U0ALICE', 'cluster1/svm1 vsadmin 2h fix snapmirror');
    expect(answer.status).toBe(200);
    // The reply is Slack's answer itself: an ephemeral message, with no response_url post before or after it.
    expect(answer.json()).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Submitted') });
    expect(slack.responses.length).toBe(posted);
    const reply = texts(responses());
    const id = /`(JIT-[0-9A-Z]{12})`/.exec(reply)?.[1];
    expect(reply).toContain('Submitted: request');
    expect(id).toBeDefined();
    const stored = await store.get(String(id));
    expect(stored).toMatchObject({
      status: 'PENDING',
      requester: { slackUserId: 'U0ALICE', ontapAccount: 'alice', name: 'Alice Storage' },
      cluster: 'cluster1',
      svm: { name: 'svm1' },
      role: 'vsadmin',
      policy: 'svm1-operators',
      approvalsRequired: 1,
      durationSeconds: 7200,
      justification: 'fix snapmirror',
      createdAt: '2026-11-22T10:00:00Z',
    });
    expect(sfn.executions).toEqual([{ name: id, input: { requestId: id } }]);
  });

  it('takes the cluster as given when only one is allowed', async () => {
    const { store } = ingress();
    const { responses } = await ingress().command('U0BOB', 'svm1 snapmirror-operator 90m resync the relationship');
    const id = /`(JIT-[0-9A-Z]{12})`/.exec(texts(responses()))?.[1];
    expect(await store.get(String(id))).toMatchObject({
      cluster: 'cluster1',
      durationSeconds: 5400,
      role: 'snapmirror-operator',
    });
  });

  it('refuses what the policy does not allow, naming each problem, and records nothing', async () => {
    const { store, sfn } = ingress();
    const before = (await store.listByRequester('U0ALICE')).length;
    const cases: [string, string][] = [
      ['cluster1/svm1 admin 2h some reason here', 'Role "admin" cannot be requested on "svm1"'],
      ['cluster1/svm1 vsadmin 9h long enough reason', 'longer than the policy allows (at most 8 hours)'],
      ['cluster1/svm9 vsadmin 1h long enough reason', 'No policy lets you request access on SVM "svm9"'],
      ['cluster2/svm1 vsadmin 1h long enough reason', 'There is no cluster "cluster2"'],
      ['svm1 vsadmin soon long enough reason', '"soon" is not a duration'],
      ['svm1 vsadmin 1h short', 'at least 10 characters'],
      ['cluster1/cluster1 admin 1h carol may not ask this', 'No policy lets you request access on SVM "cluster1"'],
    ];
    for (const [text, expected] of cases) {
      const user = text.includes('may not') ? 'U0CAROL' : 'U0ALICE';
      const { responses } = await ingress().command(user, text);
      expect(texts(responses())).toContain('Nothing was submitted');
      expect(texts(responses())).toContain(expected);
    }
    expect(sfn.calls).toEqual([]);
    expect(await store.listByRequester('U0CAROL')).toEqual([]);
    expect(await store.listByRequester('U0ALICE')).toHaveLength(before);
  });

  it('reports every problem of one line at once', async () => {
    const { responses } = await ingress().command('U0ALICE', 'cluster1/svm1 nosuchrole 0h x');
    const text = texts(responses());
    expect(text).toContain('*role*');
    expect(text).toContain('*duration*');
    expect(text).toContain('*justification*');
  });

  it('answers text it does not understand with the usage', async () => {
    const { responses } = await ingress().command('U0ALICE', 'svm1 vsadmin');
    expect(texts(responses())).toContain('That is not a request I understand');
  });

  it('escapes what people type when it answers', async () => {
    const { responses } = await ingress().command('U0ALICE', 'svm1 vsadmin <!channel> please <https://evil|click>');
    const text = texts(responses());
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
  });

  it('marks the request failed and says so when the workflow cannot be started', async () => {
    const { sfn, store } = ingress();
    sfn.failAll(true);
    const { responses } = await ingress().command('U0DAVE', 'svm1 vsadmin 1h workflow will be down');
    expect(texts(responses())).toContain('The approval workflow could not be reached');
    const request = (await store.listByRequester('U0DAVE')).find((r) => r.justification === 'workflow will be down');
    expect(request).toMatchObject({ status: 'FAILED', reason: 'The approval workflow could not be started.' });
  });
});

describe('/jit with e-mail mapping', () => {
  const config = parseConfigText(
    readFileSync(DEFAULT_CONFIG_PATH, 'utf8')
      .replace('emailLocalPart: false', 'emailLocalPart: true')
      .replace('# trustedEmailDomains: [example.com]', 'trustedEmailDomains: [example.com]')
      .replace('      U0ALICE: alice\n', ''),
  );
  const mapped = useSlackIngress({ config });

  it('uses the local part of the Slack e-mail when the map does not name the person', async () => {
    const { store } = mapped();
    const { responses } = await mapped().command('U0ALICE', 'svm1 vsadmin 1h via the e-mail mapping');
    const id = /`(JIT-[0-9A-Z]{12})`/.exec(texts(responses()))?.[1];
    expect((await store.get(String(id))).requester.ontapAccount).toBe('alice');
  });

  it('refuses an address outside the trusted domains, and says why, recording nothing', async () => {
    const { store, slack, sfn } = mapped();
    slack.setUser({ id: 'U0BOBGMAIL', name: 'bobg', realName: 'Bob at Gmail', email: 'bob@gmail.com', tz: 'UTC' });
    const { responses } = await mapped().command('U0BOBGMAIL', 'svm1 vsadmin 1h via a free mail address');
    expect(texts(responses())).toContain('bob@gmail.com is not in a trusted e-mail domain (example.com)');
    expect(await store.listByRequester('U0BOBGMAIL')).toEqual([]);
    expect(sfn.executions).toEqual([]);
  });

  it('refuses an address Slack has not confirmed', async () => {
    const { slack } = mapped();
    slack.setUser({
      id: 'U0CARLA',
      name: 'carla',
      realName: 'Carla',
      email: 'carla@example.com',
      tz: 'UTC',
      emailConfirmed: false,
    });
    const { responses } = await mapped().command('U0CARLA', 'svm1 vsadmin 1h via an unconfirmed address');
    expect(texts(responses())).toContain('Slack has not confirmed their e-mail address');
  });
});

describe('/jit for someone no policy lets ask', () => {
  const config = parseConfigText(
    readFileSync(DEFAULT_CONFIG_PATH, 'utf8').replace(
      '    requesters: anyone\n',
      '    requesters:\n      users: [U0BOB]\n',
    ),
  );
  const strict = useSlackIngress({ config });

  it('says so instead of opening an empty form', async () => {
    const { responses } = await strict().command('U0CAROL', '');
    expect(strict().slack.callsTo('views.open')).toEqual([]);
    expect(texts(responses())).toBe('No policy lets you request elevated access.');
  });
});
