/**
 * "Request again" through the real ingress: from the Home tab, the requester's DM and `/jit list`,
 * the request form opens filled in as the ended request was; submitting it makes a new request.
 */
import type { AccessRequest, Status } from '../../lambdas/domain/request';
import { pendingRequest, requestIn } from '../support/requests';
import { messageClick, TEAM, useSlackIngress, viewState } from '../support/slack';
import { homeClick, homeOf, openHome } from './home-support';

const ingress = useSlackIngress();

async function stored(status: Status, overrides: Parameters<typeof pendingRequest>[0] = {}): Promise<AccessRequest> {
  return ingress().store.create(requestIn(status, pendingRequest(overrides)));
}

interface FormBlock {
  readonly type: string;
  readonly block_id?: string;
  readonly elements?: readonly { text?: string }[];
  readonly element?: {
    readonly initial_option?: { value: string };
    readonly initial_value?: string;
    readonly options?: readonly { value: string }[];
  };
}

/** The modal the last views.open opened, as the stand-in keeps it. */
function lastModal(): { id: string; blocks: FormBlock[]; callbackId: unknown; metadata: unknown } {
  const view = [...ingress().slack.views.values()].at(-1);
  if (!view) throw new Error('no modal opened');
  const blocks = (view.view.blocks ?? []) as FormBlock[];
  return { id: view.id, blocks, callbackId: view.view.callback_id, metadata: view.view.private_metadata };
}

const field = (blocks: readonly FormBlock[], kind: string) => blocks.find((b) => b.block_id?.split('@')[0] === kind);

/** A click on a button of a message the requester sees (their DM, or the ephemeral `/jit list`). */
function messageButton(user: string, actionId: string, value: string) {
  return messageClick({
    user,
    ref: { channel: ingress().slack.dmChannelOf(user), ts: '1.000001' },
    actionId,
    value,
    triggerId: ingress().slack.issueTrigger(user),
    responseUrl: ingress().slack.issueResponseUrl(),
    nowMs: Date.now(),
  });
}

describe('Request again', () => {
  it('from Home opens the form filled in as the ended request was; submitting it makes a new request', async () => {
    const ended = await stored('DENIED', {
      role: 'vsadmin-volume',
      durationSeconds: 5400,
      justification: 'Resize the volumes of the nightly backup job',
      ticket: 'CHG0042',
    });
    await openHome(ingress(), 'U0ALICE');
    const published = homeOf(ingress(), 'U0ALICE').published;
    await ingress().interact(homeClick(ingress(), 'U0ALICE', 'jit_request_again', ended.id));
    const modal = lastModal();
    expect(modal.callbackId).toBe('jit_request');
    expect(JSON.parse(String(modal.metadata))).toMatchObject({ account: 'alice', from: 'home' });
    expect(field(modal.blocks, 'target')?.element?.initial_option?.value).toBe('cluster1/svm1');
    expect(field(modal.blocks, 'role')?.element?.initial_option?.value).toBe('vsadmin-volume');
    expect(field(modal.blocks, 'duration')?.element?.initial_value).toBe('1h30m');
    expect(field(modal.blocks, 'justification')?.element?.initial_value).toBe(ended.justification);
    expect(field(modal.blocks, 'ticket')?.element?.initial_value).toBe('CHG0042');
    expect(JSON.stringify(modal.blocks)).toContain(`Filled in from request \`${ended.id}\``);

    const answer = await ingress().submitView('U0ALICE', modal.id, {});
    expect(answer.body).toBe('');
    const again = (await ingress().store.listByRequester('U0ALICE'))[0];
    expect(again).toMatchObject({
      status: 'PENDING',
      cluster: 'cluster1',
      svm: { name: 'svm1' },
      role: 'vsadmin-volume',
      durationSeconds: 5400,
      justification: ended.justification,
      ticket: 'CHG0042',
    });
    expect(again?.id).not.toBe(ended.id);
    // Submitted from a form opened on Home: the Home shows the new request.
    const home = homeOf(ingress(), 'U0ALICE');
    expect(home.published).toBe(published + 1);
    expect(JSON.stringify(home.view)).toContain(
      `jit_cancel","text":{"type":"plain_text","text":"Cancel request"},"value":"${again?.id}`,
    );
  });

  it('from the DM and /jit list opens the same form; the modal is not tied to Home', async () => {
    const ended = await stored('EXPIRED');
    const { answer, responses } = await ingress().command('U0ALICE', 'list');
    expect(answer.status).toBe(200);
    const list = JSON.stringify(responses());
    expect(list).toContain('jit_request_again@0');
    for (const actionId of ['jit_request_again', 'jit_request_again@0']) {
      const click = await ingress().interact(messageButton('U0ALICE', actionId, ended.id));
      expect(click.responses()).toEqual([]);
      const modal = lastModal();
      expect(field(modal.blocks, 'role')?.element?.initial_option?.value).toBe('vsadmin');
      expect(JSON.parse(String(modal.metadata)).from).toBeUndefined();
    }
  });

  it('is for the requester only, and only once the request has ended; a refusal changes nothing', async () => {
    const ended = await stored('DENIED');
    const open = await stored('PENDING');
    const opened = ingress().slack.callsTo('views.open').length;
    const byBob = await ingress().interact(messageButton('U0BOB', 'jit_request_again', ended.id));
    expect(JSON.stringify(byBob.responses())).toContain('Only the requester can ask for this again');
    const early = await ingress().interact(messageButton('U0ALICE', 'jit_request_again', open.id));
    expect(JSON.stringify(early.responses())).toContain('still open');
    const unknown = await ingress().interact(messageButton('U0ALICE', 'jit_request_again', 'NO-SUCH-REQUEST-1'));
    expect(JSON.stringify(unknown.responses())).toContain('does not exist');
    expect(ingress().slack.callsTo('views.open').length).toBe(opened);
  });

  it('leaves what is no longer offered empty, with a note, and the SVM select still redraws the roles', async () => {
    const goneRole = await stored('REVOKED', { role: 'vsadmin-backup' });
    await ingress().interact(messageButton('U0ALICE', 'jit_request_again', goneRole.id));
    let modal = lastModal();
    expect(field(modal.blocks, 'target')?.element?.initial_option?.value).toBe('cluster1/svm1');
    expect(field(modal.blocks, 'role')?.element?.initial_option).toBeUndefined();
    expect(JSON.stringify(modal.blocks)).toContain('Role vsadmin-backup is no longer offered there');

    const goneCluster = await stored('DENIED', { cluster: 'cluster9' });
    await ingress().interact(messageButton('U0ALICE', 'jit_request_again', goneCluster.id));
    modal = lastModal();
    expect(field(modal.blocks, 'target')?.element?.initial_option).toBeUndefined();
    expect(field(modal.blocks, 'role')).toBeUndefined();
    expect(field(modal.blocks, 'justification')?.element?.initial_value).toBe(goneCluster.justification);
    expect(JSON.stringify(modal.blocks)).toContain('Cluster cluster9 is no longer offered to you');

    // Choosing an SVM redraws the form with its roles, as for a form opened with /jit.
    const stored_ = ingress().slack.views.get(modal.id);
    const values = viewState(stored_?.view ?? {}, { target: 'cluster1/svm1' });
    await ingress().interact({
      type: 'block_actions',
      user: { id: 'U0ALICE', username: 'alice', name: 'alice', team_id: TEAM },
      api_app_id: 'A0JIT',
      token: 'legacy-verification-token',
      container: { type: 'view', view_id: modal.id },
      trigger_id: ingress().slack.issueTrigger('U0ALICE'),
      team: { id: TEAM, domain: 'local' },
      view: { ...stored_?.view, id: modal.id, hash: stored_?.hash, state: { values } },
      actions: [
        {
          type: 'static_select',
          action_id: 'target',
          block_id: 'target',
          selected_option: { text: { type: 'plain_text', text: 'svm1' }, value: 'cluster1/svm1' },
          action_ts: '1.1',
        },
      ],
    });
    const redrawn = (ingress().slack.views.get(modal.id)?.view.blocks ?? []) as FormBlock[];
    expect(field(redrawn, 'role')?.element?.options?.map((o) => o.value)).toContain('vsadmin');
  });
});
