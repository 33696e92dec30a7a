/**
 * The open requests a policy's limit counts are read beside the Slack lookup of who asks (one-line `/jit` and
 * the modal's submission), through the signed ingress, the real store on dynalite and the Slack stand-in. The
 * read starts before Slack is asked; the limit is still decided after the lookup and the form, so a person
 * refused for any reason is refused as before, with nothing recorded or started.
 */
import { loadConfig } from '../../../lambdas/config/load';
import { requestIdFor } from '../../../lambdas/lifecycle/submit';
import { TEAM, useSlackIngress } from '../../support/slack';

const base = loadConfig();
// One open request per person under the policy alice asks under.
const config = {
  ...base,
  policies: base.policies.map((p) => (p.name === 'svm1-operators' ? { ...p, maxOpenRequests: 1 } : p)),
};
const ingress = useSlackIngress({ config });

/** Slack's `users.info` calls about `user` so far. */
const lookupsOf = (user: string): number =>
  ingress()
    .slack.callsTo('users.info')
    .filter((c) => c.args.user === user).length;

/** Records, for each read of a person's open requests, how many times Slack had been asked about them by then. */
function watchReads(): { user: string; lookupsBefore: number }[] {
  const { store } = ingress();
  const seen: { user: string; lookupsBefore: number }[] = [];
  const read = store.listOpenByRequester.bind(store);
  store.listOpenByRequester = (user) => {
    seen.push({ user, lookupsBefore: lookupsOf(user) });
    return read(user);
  };
  return seen;
}

const texts = (responses: Record<string, unknown>[]): string => responses.map((r) => String(r.text)).join('\n');
const HOUR = 3600_000;

afterEach(() => {
  const { store } = ingress();
  // The instance method set by watchReads shadows the class's.
  delete (store as { listOpenByRequester?: unknown }).listOpenByRequester;
});

describe('the open requests, read beside the lookup of who asks', () => {
  it('one-line: read before Slack is asked who the person is, and the request is made', async () => {
    const { sfn } = ingress();
    const seen = watchReads();
    const { responses } = await ingress().command('U0ALICE', 'svm1 vsadmin 1h Rotate the keys');
    expect(texts(responses())).toContain('Submitted: request');
    expect(seen).toEqual([{ user: 'U0ALICE', lookupsBefore: 0 }]);
    expect(lookupsOf('U0ALICE')).toBe(1);
    expect(sfn.executions).toHaveLength(1);
  });

  it('one-line: the limit still refuses once the lookup is done, recording and starting nothing', async () => {
    const { sfn, store } = ingress();
    const before = (await store.listByRequester('U0ALICE')).length;
    const started = sfn.executions.length;
    const { responses } = await ingress().command('U0ALICE', 'svm1 vsadmin 1h Rotate the keys again');
    expect(texts(responses())).toContain('You already have 1 open request under policy "svm1-operators"');
    expect(await store.listByRequester('U0ALICE')).toHaveLength(before);
    expect(sfn.executions).toHaveLength(started);
  });

  it('modal: read before Slack is asked again who submits, and the limit refuses on the form', async () => {
    const { clock, slack, sfn } = ingress();
    await ingress().command('U0ALICE', '');
    const viewId = [...slack.views.values()].filter((v) => v.user === 'U0ALICE').at(-1)?.id as string;
    // The profile read when the form opened has aged out: the submission asks Slack again.
    clock.now += HOUR;
    const lookups = lookupsOf('U0ALICE');
    const started = sfn.executions.length;
    const seen = watchReads();
    const answer = await ingress().submitView('U0ALICE', viewId, { justification: 'Rotate the keys' });
    expect(seen).toEqual([{ user: 'U0ALICE', lookupsBefore: lookups }]);
    expect(lookupsOf('U0ALICE')).toBe(lookups + 1);
    expect(JSON.stringify(answer.json())).toContain('You already have 1 open request');
    expect(
      await ingress()
        .store.get(requestIdFor(`${TEAM}:view:${viewId}`))
        .catch(() => undefined),
    ).toBeUndefined();
    expect(sfn.executions).toHaveLength(started);
  });

  it('tells a person Slack does not map so, not the count: the read beside the lookup changes nothing', async () => {
    const { sfn, store } = ingress();
    const started = sfn.executions.length;
    const seen = watchReads();
    const { responses } = await ingress().command('U0EVE', 'svm1 vsadmin 1h eve has no account here');
    expect(texts(responses())).toContain('not mapped to an ONTAP account');
    expect(seen.map((s) => s.user)).toEqual(['U0EVE']);
    expect(await store.listByRequester('U0EVE')).toEqual([]);
    expect(sfn.executions).toHaveLength(started);
  });
});
