import { TEAM, useSlackIngress, viewState } from '../../../support/slack';

const ingress = useSlackIngress();

/** Opens the modal as `user` and returns its view id. */
async function openModal(user: string): Promise<string> {
  const { slack } = ingress();
  await ingress().command(user, '');
  const opened = [...slack.views.values()].filter((v) => v.user === user).at(-1);
  if (!opened) throw new Error('no modal opened');
  return opened.id;
}

const GOOD = { justification: 'Fix the snapmirror schedule on vol_data' };

describe('submitting the request modal', () => {
  it('answers field errors on the offending blocks and records nothing', async () => {
    const { store, sfn } = ingress();
    const before = (await store.listByRequester('U0ALICE')).length;
    const viewId = await openModal('U0ALICE');
    const answer = await ingress().submitView('U0ALICE', viewId, {
      duration: '9h',
      justification: 'short',
      ticket: 'CHG 1 <x>',
    });
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({
      response_action: 'errors',
      errors: {
        'duration@svm1-operators': '9 hours is longer than the policy allows (at most 8 hours).',
        justification: 'Say why you need this access (at least 10 characters).',
        ticket: expect.stringContaining('A ticket reference is up to 100 letters'),
      },
    });
    expect(sfn.calls).toEqual([]);
    expect(await store.listByRequester('U0ALICE')).toHaveLength(before);
  });

  it('refuses a role the chosen SVM does not allow on the role block', async () => {
    const viewId = await openModal('U0ALICE');
    const answer = await ingress().submitView('U0ALICE', viewId, { role: 'admin', ...GOOD });
    expect(answer.json()).toEqual({
      response_action: 'errors',
      errors: { 'role@cluster1/svm1': expect.stringContaining('Role "admin" cannot be requested on "svm1"') },
    });
  });

  it('refuses an SVM the person may not ask for on the SVM select', async () => {
    const viewId = await openModal('U0BOB');
    const answer = await ingress().submitView('U0BOB', viewId, { target: 'cluster1/cluster1', role: 'admin', ...GOOD });
    expect(answer.json()).toEqual({
      response_action: 'errors',
      errors: { target: 'No policy lets you request access on SVM "cluster1".' },
    });
  });

  it('records a valid request as PENDING, starts exactly one workflow and closes the modal', async () => {
    const { store, sfn, slack } = ingress();
    const viewId = await openModal('U0ALICE');
    const answer = await ingress().submitView('U0ALICE', viewId, { duration: '2h', ticket: 'CHG0012345', ...GOOD });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('');
    expect(sfn.executions).toHaveLength(1);
    const id = sfn.executions[0]?.name ?? '';
    expect(await store.get(id)).toMatchObject({
      status: 'PENDING',
      requester: { slackUserId: 'U0ALICE', ontapAccount: 'alice' },
      svm: { name: 'svm1' },
      role: 'vsadmin',
      durationSeconds: 7200,
      justification: GOOD.justification,
      ticket: 'CHG0012345',
    });
    expect((await store.get(id)).requestedStart).toBeUndefined();
    // The workflow, not the ingress, posts the requester's status DM.
    expect(slack.callsTo('chat.postMessage')).toEqual([]);
  });

  it('decides once when Slack delivers the same submission again', async () => {
    const { store, sfn } = ingress();
    const viewId = await openModal('U0DAVE');
    const first = await ingress().submitView('U0DAVE', viewId, GOOD);
    const again = await ingress().submitView('U0DAVE', viewId, GOOD, { retryNum: 1 });
    expect([first.body, again.body]).toEqual(['', '']);
    // The repeat asks for the same execution again (a start by name is idempotent) and finds it.
    expect(sfn.executions).toHaveLength(1);
    expect(sfn.calls.filter((c) => c.target === 'StartExecution')).toHaveLength(2);
    expect((await store.listByRequester('U0DAVE')).filter((r) => r.justification === GOOD.justification)).toHaveLength(
      1,
    );
  });

  it('keeps the modal open when the workflow cannot be started, and starts it on the next submit', async () => {
    const { sfn, store } = ingress();
    const viewId = await openModal('U0CAROL');
    sfn.failAll(true);
    const failed = await ingress().submitView('U0CAROL', viewId, GOOD);
    expect(failed.json()).toEqual({
      response_action: 'errors',
      errors: { target: expect.stringContaining('could not be reached') },
    });
    sfn.failAll(false);
    const retried = await ingress().submitView('U0CAROL', viewId, GOOD);
    expect(retried.body).toBe('');
    expect(sfn.executions).toHaveLength(1);
    const [request] = await store.listByRequester('U0CAROL');
    expect(sfn.executions[0]?.name).toBe(request?.id);
  });

  describe('a scheduled start', () => {
    it('needs a day and a time', async () => {
      const viewId = await openModal('U0ALICE');
      const answer = await ingress().submitView('U0ALICE', viewId, { start_mode: 'scheduled', ...GOOD });
      expect(answer.json()).toEqual({
        response_action: 'errors',
        errors: {
          start_date: 'Choose the day the access should start.',
          start_time: 'Choose the time the access should start.',
        },
      });
    });

    it('is read in the requester’s time zone and stored in UTC', async () => {
      const { store, sfn } = ingress();
      const viewId = await openModal('U0ALICE');
      // The clock is 2026-11-22T10:00Z; Paris is UTC+1 in November.
      const answer = await ingress().submitView('U0ALICE', viewId, {
        start_mode: 'scheduled',
        start_date: '2026-11-23',
        start_time: '09:30',
        ...GOOD,
      });
      expect(answer.body).toBe('');
      expect(await store.get(sfn.executions[0]?.name ?? '')).toMatchObject({ requestedStart: '2026-11-23T08:30:00Z' });
    });

    it('may be neither past nor further ahead than the policy allows', async () => {
      const viewId = await openModal('U0ALICE');
      const past = await ingress().submitView('U0ALICE', viewId, {
        start_mode: 'scheduled',
        start_date: '2026-11-22',
        start_time: '08:00',
        ...GOOD,
      });
      expect(past.json()).toEqual({
        response_action: 'errors',
        errors: { start_time: 'The start time is in the past.' },
      });
      const far = await ingress().submitView('U0ALICE', viewId, {
        start_mode: 'scheduled',
        start_date: '2026-12-10',
        start_time: '08:00',
        ...GOOD,
      });
      expect(far.json()).toEqual({
        response_action: 'errors',
        errors: { start_time: 'The start time is more than 7 days ahead.' },
      });
      expect(ingress().sfn.calls).toEqual([]);
    });
  });
});

describe('changing the SVM in the modal', () => {
  it('redraws the roles and the duration for what the new SVM allows', async () => {
    const { slack } = ingress();
    const viewId = await openModal('U0ALICE');
    const stored = slack.views.get(viewId);
    const hash = stored?.hash;
    const values = viewState(stored?.view ?? {}, {
      target: 'cluster1/cluster1',
      justification: 'typed before the change',
    });
    await ingress().interact({
      type: 'block_actions',
      user: { id: 'U0ALICE', username: 'alice', name: 'alice', team_id: TEAM },
      api_app_id: 'A0JIT',
      token: 'legacy-verification-token',
      container: { type: 'view', view_id: viewId },
      trigger_id: slack.issueTrigger('U0ALICE'),
      team: { id: TEAM, domain: 'local' },
      view: { ...stored?.view, id: viewId, hash, state: { values } },
      actions: [
        {
          type: 'static_select',
          action_id: 'target',
          block_id: 'target',
          selected_option: { text: { type: 'plain_text', text: 'cluster1' }, value: 'cluster1/cluster1' },
          action_ts: '1.1',
        },
      ],
    });
    const updates = slack.callsTo('views.update');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.args).toMatchObject({ view_id: viewId, hash });
    const blocks = (slack.views.get(viewId)?.view.blocks ?? []) as {
      block_id?: string;
      element?: Record<string, unknown>;
      hint?: { text: string };
    }[];
    const role = blocks.find((b) => b.block_id === 'role@cluster1/cluster1');
    expect((role!.element!.options as { value: string }[]).map((o) => o.value)).toEqual(['admin']);
    const duration = blocks.find((b) => b.block_id === 'duration@cluster-admin');
    expect(duration?.element).toMatchObject({ initial_value: '30m' });
    expect(duration?.hint?.text).toContain('At most 2 hours');
    expect(blocks.find((b) => b.block_id === 'target')?.element).toMatchObject({
      initial_option: { value: 'cluster1/cluster1' },
    });

    const submitted = await ingress().submitView('U0ALICE', viewId, { role: 'admin', ...GOOD });
    expect(submitted.body).toBe('');
    const request = await ingress().store.get(ingress().sfn.executions[0]?.name ?? '');
    expect(request).toMatchObject({
      policy: 'cluster-admin',
      approvalsRequired: 2,
      durationSeconds: 1800,
      svm: { name: 'cluster1' },
    });
  });
});
