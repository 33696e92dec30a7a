/**
 * Who may do what, through the real ingress with Slack-signed requests: every actor × every action
 * × every policy shape, allowed or refused exactly as configured. A refused action changes nothing
 * and starts or resumes nothing. The matrix is printed at the end.
 */
import { parseConfig } from '../../lambdas/config/load';
import type { AccessRequest } from '../../lambdas/domain/request';
import { at, pendingRequest } from '../support/requests';
import { useSlackIngress } from '../support/slack';

const CONFIG = parseConfig({
  clusters: [{ name: 'cluster1', endpoint: 'embedded' }],
  slack: {
    approvalChannel: 'C0APPROVALS',
    accounts: { map: { U0ALICE: 'alice', U0BOB: 'bob', U0CAROL: 'carol', U0DAVE: 'dave', U0ERIN: 'erin', U0EVE: 'eve' } },
  },
  policies: [
    { name: 'one-of-m', clusters: ['cluster1'], svms: ['svm1'], roles: ['vsadmin'], requesters: { users: ['U0ALICE'] }, approvers: { users: ['U0BOB', 'U0CAROL'] }, approvalsRequired: 1, defaultDuration: '1h', maxDuration: '8h', approvalTimeout: '4h' },
    { name: 'two-of-m', clusters: ['cluster1'], svms: ['svm1'], roles: ['vsadmin-volume'], requesters: { users: ['U0ALICE'] }, approvers: { users: ['U0BOB', 'U0CAROL'] }, approvalsRequired: 2, defaultDuration: '1h', maxDuration: '8h', approvalTimeout: '4h' },
    { name: 'user-group', clusters: ['cluster1'], svms: ['svm1'], roles: ['snapmirror-operator'], requesters: { users: ['U0ALICE'] }, approvers: { groups: ['S0STORAGE'] }, approvalsRequired: 1, defaultDuration: '1h', maxDuration: '8h', approvalTimeout: '4h' },
    { name: 'other', clusters: ['cluster1'], svms: ['svm2'], roles: ['vsadmin-backup'], requesters: { users: ['U0CAROL'] }, approvers: { users: ['U0DAVE'] }, approvalsRequired: 1, defaultDuration: '1h', maxDuration: '8h', approvalTimeout: '4h' },
  ],
});

const ingress = useSlackIngress({ config: CONFIG });

/** U0BOB is a listed approver of the 1-of-M and 2-of-M policies; the user-group policy lists only S0STORAGE (U0ERIN). */
const ACTORS = {
  requester: 'U0ALICE',
  'approver (this policy)': 'U0BOB',
  'approver (other policy)': 'U0DAVE',
  'approver group member': 'U0ERIN',
  stranger: 'U0EVE',
} as const;
type ActorName = keyof typeof ACTORS;
/** `cancel` is on a pending request; `cancel approved` on one approved whose access has not started. */
const ACTIONS = ['request', 'approve', 'deny', 'cancel', 'cancel approved', 'revoke', 'list'] as const;
type Action = (typeof ACTIONS)[number];
const POLICIES = { '1-of-M': { name: 'one-of-m', role: 'vsadmin' }, '2-of-M': { name: 'two-of-m', role: 'vsadmin-volume' }, 'user-group': { name: 'user-group', role: 'snapmirror-operator' } } as const;
type Shape = keyof typeof POLICIES;

/** What the configuration says, written out by hand (not derived from the code under test). */
const ALLOWED: Record<Shape, Record<Action, readonly ActorName[]>> = {
  '1-of-M': {
    request: ['requester'],
    approve: ['approver (this policy)'],
    deny: ['approver (this policy)'],
    cancel: ['requester'],
    'cancel approved': ['requester', 'approver (this policy)'],
    revoke: ['requester', 'approver (this policy)'],
    list: Object.keys(ACTORS) as ActorName[],
  },
  '2-of-M': {
    request: ['requester'],
    approve: ['approver (this policy)'],
    deny: ['approver (this policy)'],
    cancel: ['requester'],
    'cancel approved': ['requester', 'approver (this policy)'],
    revoke: ['requester', 'approver (this policy)'],
    list: Object.keys(ACTORS) as ActorName[],
  },
  'user-group': {
    request: ['requester'],
    approve: ['approver group member'],
    deny: ['approver group member'],
    cancel: ['requester'],
    'cancel approved': ['requester', 'approver group member'],
    revoke: ['requester', 'approver group member'],
    list: Object.keys(ACTORS) as ActorName[],
  },
};

let serial = 0;

/** A request of `shape` the workflow waits on (approval message posted, token kept). */
async function pending(shape: Shape): Promise<AccessRequest> {
  const policy = POLICIES[shape];
  const request = await ingress().store.create(
    pendingRequest({ policy: policy.name, role: policy.role, approvalsRequired: shape === '2-of-M' ? 2 : 1 }),
  );
  return ingress().awaitApproval(request, `approval-${++serial}`);
}

/** A request of `shape` approved by its approvers, its access not started (a scheduled start ahead). */
async function approved(shape: Shape): Promise<AccessRequest> {
  const { store } = ingress();
  const request = await pending(shape);
  await store.apply(request.id, { type: 'APPROVE', by: shape === 'user-group' ? 'U0ERIN' : 'U0BOB', at: at(1) });
  if (shape === '2-of-M') await store.apply(request.id, { type: 'APPROVE', by: 'U0CAROL', at: at(1) });
  const after = await store.get(request.id);
  expect(after.status).toBe('APPROVED');
  return after;
}

/** A request of `shape` whose grant is live (end token kept). */
async function active(shape: Shape): Promise<AccessRequest> {
  const { store, sfn } = ingress();
  const request = await pending(shape);
  await store.apply(request.id, { type: 'APPROVE', by: shape === 'user-group' ? 'U0ERIN' : 'U0BOB', at: at(1) });
  if (shape === '2-of-M') await store.apply(request.id, { type: 'APPROVE', by: 'U0CAROL', at: at(1) });
  await store.apply(request.id, { type: 'GRANTED', at: at(2), window: { start: at(2), end: at(62) } });
  const token = `end-${++serial}`;
  await store.setToken(request.id, 'end', token, ['ACTIVE']);
  sfn.waitWith(token);
  return store.get(request.id);
}

const texts = (responses: Record<string, unknown>[]): string => responses.map((r) => String(r.text)).join('\n');

/** Performs `action` as `user` on a fresh request of `shape`; whether it was allowed, and what it changed. */
async function perform(shape: Shape, action: Action, user: string): Promise<boolean> {
  const { store, sfn, slack } = ingress();
  switch (action) {
    case 'request': {
      const { responses } = await ingress().command(user, `svm1 ${POLICIES[shape].role} 1h Resync the mirror of vol_finance`);
      const allowed = /Submitted: request/.test(texts(responses()));
      expect(sfn.executions).toHaveLength(allowed ? 1 : 0);
      return allowed;
    }
    case 'list': {
      const mine = await store.create(pendingRequest({ policy: POLICIES[shape].name, role: POLICIES[shape].role }));
      const { responses } = await ingress().command(user, 'list');
      const text = texts(responses());
      // Everyone may list, and sees only their own requests.
      expect(text.includes(mine.id)).toBe(user === 'U0ALICE');
      return responses().length > 0 && !/not allowed|cannot/i.test(text);
    }
    case 'approve':
    case 'cancel': {
      const request = await pending(shape);
      const before = await store.get(request.id);
      const { responses } = await ingress().click(user, action === 'approve' ? 'jit_approve' : 'jit_cancel', request);
      const after = await store.get(request.id);
      const allowed = action === 'approve' ? after.approvals.some((a) => a.by === user) : after.status === 'CANCELLED';
      if (!allowed) {
        expect(after).toEqual(before);
        expect(sfn.resumed).toEqual([]);
        expect(texts(responses())).not.toBe('');
      }
      return allowed;
    }
    case 'deny': {
      const request = await pending(shape);
      const before = await store.get(request.id);
      const views = new Set(slack.views.keys());
      const { responses } = await ingress().click(user, 'jit_deny', request);
      const opened = [...slack.views.keys()].filter((k) => !views.has(k));
      if (opened.length === 1) await ingress().submitView(user, opened[0] as string, { reason: 'Not during the freeze' });
      const after = await store.get(request.id);
      const allowed = after.status === 'DENIED';
      if (!allowed) {
        expect(opened).toEqual([]);
        expect(after).toEqual(before);
        expect(sfn.resumed).toEqual([]);
        expect(texts(responses())).not.toBe('');
      }
      return allowed;
    }
    case 'cancel approved': {
      const request = await approved(shape);
      const views = new Set(slack.views.keys());
      const { responses } = await ingress().click(user, 'jit_cancel', request);
      const opened = [...slack.views.keys()].filter((k) => !views.has(k));
      // The requester cancels at once; an approver is asked why first.
      expect(opened).toHaveLength(user !== 'U0ALICE' && ALLOWED[shape]['cancel approved'].some((a) => ACTORS[a] === user) ? 1 : 0);
      if (opened.length === 1) await ingress().submitView(user, opened[0] as string, { reason: 'The change window moved to Friday' });
      const after = await store.get(request.id);
      const allowed = after.status === 'CANCELLED';
      if (allowed && user !== 'U0ALICE') {
        expect(after).toMatchObject({ cancelledBy: user, reason: 'The change window moved to Friday' });
        // The requester is told at once, with the reason, in a new message.
        const dm = slack.messages.filter((m) => m.channel === slack.dmChannelOf('U0ALICE')).map((m) => m.text).join('\n');
        expect(dm).toContain(`<@${user}> cancelled your approved request \`${request.id}\``);
        expect(dm).toContain('The change window moved to Friday');
      }
      if (!allowed) {
        expect(after).toEqual(request);
        expect(sfn.resumed).toEqual([]);
        expect(texts(responses())).not.toBe('');
      }
      return allowed;
    }
    case 'revoke': {
      const request = await active(shape);
      const { responses } = await ingress().click(user, 'jit_revoke', request);
      const after = await store.get(request.id);
      const allowed = after.status === 'ACTIVE' && after.revokeRequestedBy === user;
      if (!allowed) {
        expect(after).toEqual(request);
        expect(sfn.resumed).toEqual([]);
        expect(texts(responses())).not.toBe('');
      }
      return allowed;
    }
  }
}

const matrix: string[] = [];
afterAll(() => {
  const width = Math.max(...Object.keys(ACTORS).map((a) => a.length));
  const lines = [`Authorization matrix (${matrix.length} cells; ✓ allowed, · refused)`];
  for (const shape of Object.keys(POLICIES) as Shape[]) {
    lines.push(`  policy ${shape}`, `    ${''.padEnd(width)}  ${ACTIONS.map((a) => a.padEnd(a.length > 7 ? a.length : 7)).join(' ')}`);
    for (const actor of Object.keys(ACTORS) as ActorName[]) {
      const row = ACTIONS.map((action) => (matrix.includes(`${shape}|${actor}|${action}|allowed`) ? '✓' : '·').padEnd(Math.max(7, action.length))).join(' ');
      lines.push(`    ${actor.padEnd(width)}  ${row}`);
    }
  }
  console.log(lines.join('\n'));
});

const CELLS = (Object.keys(POLICIES) as Shape[]).flatMap((shape) =>
  (Object.keys(ACTORS) as ActorName[]).flatMap((actor) => ACTIONS.map((action) => [shape, actor, action] as const)),
);

describe('authorization matrix', () => {
  it.each(CELLS)('%s: %s may %s only as configured', async (shape, actor, action) => {
    const allowed = await perform(shape, action, ACTORS[actor]);
    matrix.push(`${shape}|${actor}|${action}|${allowed ? 'allowed' : 'refused'}`);
    expect({ shape, actor, action, allowed }).toEqual({ shape, actor, action, allowed: ALLOWED[shape][action].includes(actor) });
  });
});
