/**
 * Who may do what, through the real ingress with Slack-signed requests: every actor × every action
 * × every policy shape, allowed or refused exactly as configured. A refused action changes nothing
 * and starts or resumes nothing. The matrix is printed at the end.
 *
 * Persons, not Slack ids: the requester's second Slack identities (linked by ONTAP account, by
 * e-mail, by the configuration's grouping) are listed as approvers, and still may not decide her
 * request. A guest and a deactivated user are listed as requesters and approvers, and may neither
 * ask nor decide. A requester removed from the configuration after asking may only withdraw.
 */
import { parseConfig } from '../../lambdas/config/load';
import type { AccessRequest } from '../../lambdas/domain/request';
import { EXAMPLE_DIRECTORY } from '../../local/slack-api/directory';
import { buttonsOf, homeClick, homeOf, openHome } from '../slack/home-support';
import { at, pendingRequest, requestIn, T0 } from '../support/requests';
import { submissionOf, useSlackIngress } from '../support/slack';

/** Alice's other Slack identities, each linked to her by one thing only, and listed as approvers. */
const ALICE_ALTS = ['U0ALICEX', 'U0ALICEM', 'U0ALICEADM'];
const APPROVER_USERS = ['U0BOB', 'U0CAROL', ...ALICE_ALTS, 'U0GUEST', 'U0GONE'];
const REQUESTER_USERS = ['U0ALICE', 'U0GUEST', 'U0GONE'];

/**
 * The policy shapes of the matrix, alike but for what each is named for: its role, its approvers
 * (listed users, or a user group whose member is U0ERIN) and the approvals it needs. `approver` is
 * who approves when a cell needs the request approved first.
 */
const POLICIES = {
  '1-of-M': {
    name: 'one-of-m',
    role: 'vsadmin',
    approvers: { users: APPROVER_USERS },
    approvalsRequired: 1,
    approver: 'U0BOB',
  },
  '2-of-M': {
    name: 'two-of-m',
    role: 'vsadmin-volume',
    approvers: { users: APPROVER_USERS },
    approvalsRequired: 2,
    approver: 'U0BOB',
  },
  'user-group': {
    name: 'user-group',
    role: 'snapmirror-operator',
    approvers: { groups: ['S0STORAGE'] },
    approvalsRequired: 1,
    approver: 'U0ERIN',
  },
} as const;
type Shape = keyof typeof POLICIES;

/** What the matrix's policies share: who may ask, the limits, extensions and break-glass. */
const MATRIX_POLICY = {
  clusters: ['cluster1'],
  svms: ['svm1'],
  requesters: { users: REQUESTER_USERS },
  defaultDuration: '1h',
  maxDuration: '8h',
  approvalTimeout: '4h',
  extension: { by: '2h', times: 2, approval: 'required' },
  breakGlass: { who: { users: REQUESTER_USERS }, maxDuration: '2h', reviewWithin: '1d' },
  // Every cell makes Alice another open request: the open-request limit must not be what refuses one.
  maxOpenRequests: 50,
};

const CONFIG = parseConfig({
  clusters: [{ name: 'cluster1' }],
  slack: {
    approvalChannel: 'C0APPROVALS',
    accounts: {
      map: {
        U0ALICE: 'alice',
        U0BOB: 'bob',
        U0CAROL: 'carol',
        U0DAVE: 'dave',
        U0ERIN: 'erin',
        U0EVE: 'eve',
        U0ALICEM: 'alice.m',
        U0ALICEADM: 'alice-adm',
        U0GUEST: 'gus',
        U0GONE: 'gina',
      },
      // U0ALICEX is in no map: its address in a trusted domain names `alice`.
      emailLocalPart: true,
      trustedEmailDomains: ['example.com', 'corp.example.com'],
      people: { alice: ['U0ALICE', 'U0ALICEADM'] },
    },
  },
  policies: [
    ...Object.values(POLICIES).map(({ name, role, approvers, approvalsRequired }) => ({
      ...MATRIX_POLICY,
      name,
      roles: [role],
      approvers,
      approvalsRequired,
    })),
    {
      name: 'other',
      clusters: ['cluster1'],
      svms: ['svm2'],
      roles: ['vsadmin-backup'],
      requesters: { users: ['U0CAROL'] },
      approvers: { users: ['U0DAVE'] },
      approvalsRequired: 1,
      defaultDuration: '1h',
      maxDuration: '8h',
      approvalTimeout: '4h',
    },
  ],
});

/** The example workspace plus Alice's other identities and Frank, who asked and was then removed from the configuration. */
const DIRECTORY = {
  users: [
    ...EXAMPLE_DIRECTORY.users,
    { id: 'U0ALICEX', name: 'alicex', realName: 'Alice (corp)', email: 'alice@corp.example.com', tz: 'UTC' },
    { id: 'U0ALICEM', name: 'alicem', realName: 'Alice (test)', email: 'Alice+m@example.com', tz: 'UTC' },
    { id: 'U0ALICEADM', name: 'alice-adm', realName: 'Alice (admin)', email: 'alice-adm@example.com', tz: 'UTC' },
    { id: 'U0FRANK', name: 'frank', realName: 'Frank Leaving', email: 'frank@elsewhere.example', tz: 'UTC' },
  ],
  usergroups: { S0STORAGE: ['U0ERIN', ...ALICE_ALTS, 'U0GUEST', 'U0GONE'] },
};

const ingress = useSlackIngress({ config: CONFIG, directory: DIRECTORY, auditExports: true });

/** U0BOB is a listed approver of the 1-of-M and 2-of-M policies; the user-group policy lists only S0STORAGE (U0ERIN). */
const ACTORS = {
  requester: 'U0ALICE',
  'approver (this policy)': 'U0BOB',
  'approver (other policy)': 'U0DAVE',
  'approver group member': 'U0ERIN',
  stranger: 'U0EVE',
  "requester's 2nd identity (ONTAP account)": 'U0ALICEX',
  "requester's 2nd identity (e-mail)": 'U0ALICEM',
  "requester's 2nd identity (grouping)": 'U0ALICEADM',
  guest: 'U0GUEST',
  'deactivated user': 'U0GONE',
  'requester removed after asking': 'U0FRANK',
} as const;
type ActorName = keyof typeof ACTORS;
/**
 * `cancel` is on a pending request; `cancel approved` on one approved whose access has not started.
 * `home …` are the same buttons clicked on the actor's Home tab (shown there, or forged when not);
 * `again` is "Request again" on an ended request. `extend` is the requester's ask on a live grant;
 * `approve extension` and `deny extension` decide one asked. `break-glass` is the request modal's
 * break-glass choice (forged into the submission where the modal did not offer it); `review` is
 * Acknowledge under a break-glass announcement.
 * `audit` is `/jit audit`: the CSV file it delivers holds the policy's request (an approver exports
 * the trail of the policies they approve for).
 */
const ACTIONS = [
  'request',
  'approve',
  'deny',
  'cancel',
  'cancel approved',
  'revoke',
  'list',
  'home approve',
  'home deny',
  'home cancel',
  'home revoke',
  'again',
  'extend',
  'approve extension',
  'deny extension',
  'break-glass',
  'review',
  'audit',
] as const;
type Action = (typeof ACTIONS)[number];

const ALTS: readonly ActorName[] = [
  "requester's 2nd identity (ONTAP account)",
  "requester's 2nd identity (e-mail)",
  "requester's 2nd identity (grouping)",
];
/** Whose request an actor acts on: their own for the removed requester, else Alice's. */
const REMOVED = 'requester removed after asking';

/**
 * What the configuration says, written out by hand (not derived from the code under test), for a
 * policy whose approvers are `approver`: the 1-of-M and 2-of-M policies list U0BOB, the user-group
 * policy only its group. A second identity of the requester may end her grant early (as any
 * approver may), never decide.
 */
function allowedWith(approver: ActorName): Record<Action, readonly ActorName[]> {
  return {
    request: ['requester'],
    approve: [approver],
    deny: [approver],
    cancel: ['requester', REMOVED],
    'cancel approved': ['requester', approver, ...ALTS, REMOVED],
    revoke: ['requester', approver, ...ALTS, REMOVED],
    list: Object.keys(ACTORS) as ActorName[],
    'home approve': [approver],
    'home deny': [approver],
    'home cancel': ['requester', REMOVED],
    'home revoke': ['requester', approver, ...ALTS, REMOVED],
    again: ['requester'],
    // More access: only the requester, and only while still a requester of the policy.
    extend: ['requester'],
    'approve extension': [approver],
    'deny extension': [approver],
    // Named for break-glass: the requester, a guest and a deactivated user; only the active member may.
    'break-glass': ['requester'],
    // Reviewed by the policy's approvers, never by the requester under another identity.
    review: [approver],
    // Read-only, per policy: any approver of it, a second identity of the requester included.
    audit: [approver, ...ALTS],
  };
}

/** Needing a second approval changes who may act in no cell: 2-of-M's table is 1-of-M's. */
const ALLOWED: Record<Shape, Record<Action, readonly ActorName[]>> = {
  '1-of-M': allowedWith('approver (this policy)'),
  '2-of-M': allowedWith('approver (this policy)'),
  'user-group': allowedWith('approver group member'),
};

/** Frank's requests were recorded while he was allowed; the configuration has since dropped him. */
const FRANK = { slackUserId: 'U0FRANK', ontapAccount: 'frank' };

let serial = 0;

/** A request of `shape` the workflow waits on (approval message posted, token kept). */
async function pending(shape: Shape, owner?: typeof FRANK, newest = false): Promise<AccessRequest> {
  const policy = POLICIES[shape];
  // Each made earlier than the last (the newest cell's request waits longest: Waiting for me shows it first),
  // or later, for My access, which shows one's newest first.
  const minutes = (newest ? 1 : -1) * (serial + 1);
  const request = await ingress().store.create(
    pendingRequest({
      policy: policy.name,
      role: policy.role,
      approvalsRequired: policy.approvalsRequired,
      createdAt: new Date(Date.parse(T0) + minutes * 60_000).toISOString().replace('.000Z', 'Z'),
      ...(owner ? { requester: owner } : {}),
    }),
  );
  return ingress().awaitApproval(request, `approval-${++serial}`);
}

/** Approves the request `id` of `shape` with as many approvals as its policy needs (U0CAROL's the second). */
async function approveAsNeeded(shape: Shape, id: string): Promise<void> {
  const { store } = ingress();
  await store.apply(id, { type: 'APPROVE', by: POLICIES[shape].approver, at: at(1) });
  if (POLICIES[shape].approvalsRequired === 2) await store.apply(id, { type: 'APPROVE', by: 'U0CAROL', at: at(1) });
}

/** A request of `shape` approved by its approvers, its access not started (a scheduled start ahead). */
async function approved(shape: Shape, owner?: typeof FRANK): Promise<AccessRequest> {
  const { store } = ingress();
  const request = await pending(shape, owner);
  await approveAsNeeded(shape, request.id);
  const after = await store.get(request.id);
  expect(after.status).toBe('APPROVED');
  return after;
}

/** A request of `shape` whose grant is live (end token kept). */
async function active(shape: Shape, owner?: typeof FRANK, newest = false): Promise<AccessRequest> {
  const { store, sfn } = ingress();
  const request = await pending(shape, owner, newest);
  await approveAsNeeded(shape, request.id);
  await store.apply(request.id, { type: 'GRANTED', at: at(2), window: { start: at(2), end: at(62) } });
  const token = `end-${++serial}`;
  await store.setToken(request.id, 'end', token, ['ACTIVE']);
  sfn.waitWith(token);
  return store.get(request.id);
}

/** A live grant of `shape` whose requester asked for an hour more, waiting for its approvers. */
async function extensionAsked(shape: Shape, owner?: typeof FRANK): Promise<AccessRequest> {
  const request = await active(shape, owner);
  const { store } = ingress();
  const by = request.requester.slackUserId;
  const { approvalsRequired } = POLICIES[shape];
  await store.apply(request.id, {
    type: 'EXTEND_REQUESTED',
    by,
    at: at(3),
    seconds: 3600,
    reason: 'late',
    approvalsRequired,
  });
  return store.get(request.id);
}

/** A break-glass request of `shape` its requester granted to themselves, live, its announcement posted. */
async function breakGlassUsed(shape: Shape, owner?: typeof FRANK): Promise<AccessRequest> {
  const { store } = ingress();
  const policy = POLICIES[shape];
  const made = await store.create(
    pendingRequest({
      policy: policy.name,
      role: policy.role,
      approvalsRequired: policy.approvalsRequired,
      breakGlass: { reason: 'INC-1: the exports are down', mention: '@here' },
      ...(owner ? { requester: owner } : {}),
    }),
  );
  const request = await ingress().awaitApproval(made, `approval-${++serial}`);
  const by = request.requester.slackUserId;
  await store.apply(request.id, { type: 'BREAK_GLASS', by, at: at(1), reviewDueAt: at(600), reason: 'INC-1' });
  await store.apply(request.id, { type: 'GRANTED', at: at(2), window: { start: at(2), end: at(62) } });
  return store.get(request.id);
}

/**
 * The request modal submitted by `user` with break-glass chosen (forged into the state where the
 * modal did not offer it): whether a break-glass request was recorded and its workflow started.
 */
async function breakGlass(shape: Shape, user: string): Promise<boolean> {
  const { slack, sfn, store } = ingress();
  const views = new Set(slack.views.keys());
  const { responses } = await ingress().command(user, '');
  const opened = [...slack.views.keys()].filter((k) => !views.has(k));
  if (opened.length !== 1) {
    expect(texts(responses())).not.toBe('');
    expect(sfn.executions).toHaveLength(0);
    return false;
  }
  const viewId = opened[0] as string;
  const offered = JSON.stringify(slack.views.get(viewId)?.view).includes('approval_mode');
  const payload = submissionOf(slack, user, viewId, {
    target: 'cluster1/svm1',
    role: POLICIES[shape].role,
    duration: '1h',
    start_mode: 'now',
    justification: 'Restore the exports before the batch window',
  }) as { view: { state: { values: Record<string, unknown> } } };
  payload.view.state.values.approval_mode = {
    approval_mode: {
      type: 'radio_buttons',
      selected_option: { text: { type: 'plain_text', text: 'x' }, value: 'break-glass' },
    },
  };
  payload.view.state.values.break_glass_reason = {
    break_glass_reason: { type: 'plain_text_input', value: 'INC-1: the exports are down' },
  };
  const { answer } = await ingress().interact(payload);
  // The execution is named after the request: a break-glass request was recorded and started.
  const started = await Promise.all(sfn.executions.map((e) => store.get(e.name)));
  const made = started.filter((r) => r.breakGlass !== undefined && r.requester.slackUserId === user);
  const allowed = sfn.executions.length === 1 && made.length === 1;
  // The modal offers break-glass exactly to whom a submission would be allowed.
  expect(offered).toBe(allowed);
  if (!allowed) {
    expect(made).toEqual([]);
    expect(sfn.executions).toHaveLength(0);
    expect(answer.body).toContain('response_action');
  }
  return allowed;
}

const pendingExtension = (r: AccessRequest) => (r.status === 'ACTIVE' ? r.extension : undefined);

const texts = (responses: Record<string, unknown>[]): string => responses.map((r) => String(r.text)).join('\n');

/** The modals opened since `count` views.open calls: their callback ids ('' for a notice). */
function openedSince(count: number): string[] {
  return ingress()
    .slack.callsTo('views.open')
    .slice(count)
    .map((c) => String((c.args.view as { callback_id?: string }).callback_id ?? ''));
}

/**
 * A button clicked on `user`'s Home tab, opened just before: whether the Home showed it, and the
 * modals the click opened. A Home click has no response_url: a refusal is told in a notice modal.
 */
async function onHome(user: string, actionId: string, request: AccessRequest) {
  await openHome(ingress(), user);
  const shown = buttonsOf(homeOf(ingress(), user)).includes(`${actionId} ${request.id}`);
  const before = ingress().slack.callsTo('views.open').length;
  await ingress().interact(homeClick(ingress(), user, actionId, request.id, { forged: true }));
  return { shown, opened: openedSince(before) };
}

/** Performs `action` as `user` on a fresh request of `shape`; whether it was allowed, and what it changed. */
async function perform(shape: Shape, action: Action, user: string): Promise<boolean> {
  const { store, sfn, slack } = ingress();
  const owner = user === FRANK.slackUserId ? FRANK : undefined;
  switch (action) {
    case 'audit': {
      const request = await pending(shape, owner);
      const before = new Set(slack.files.keys());
      const { responses } = await ingress().command(user, 'audit since 30d');
      const outcomes = (await ingress().exports?.settled()) ?? [];
      const file = [...slack.files.values()].find((f) => !before.has(f.id) && f.completed);
      if (!file) {
        expect(texts(responses())).toMatch(/Only approvers can export/);
        expect(outcomes.at(-1)).not.toBe('failed');
      }
      expect(file?.channel ?? slack.dmChannelOf(user)).toBe(slack.dmChannelOf(user));
      return file?.bytes?.toString('utf8').includes(request.id) === true;
    }
    case 'request': {
      const { responses } = await ingress().command(
        user,
        `svm1 ${POLICIES[shape].role} 1h Resync the mirror of vol_finance`,
      );
      const allowed = /Submitted: request/.test(texts(responses()));
      expect(sfn.executions).toHaveLength(allowed ? 1 : 0);
      return allowed;
    }
    case 'list': {
      // Newer than every request made so far: the list shows the newest first.
      const createdAt = new Date(Date.parse(T0) + ++serial * 60_000).toISOString().replace('.000Z', 'Z');
      const mine = await store.create(
        pendingRequest({ policy: POLICIES[shape].name, role: POLICIES[shape].role, createdAt }),
      );
      const { responses } = await ingress().command(user, 'list');
      const text = texts(responses());
      // Everyone may list, and sees only their own requests.
      expect(text.includes(mine.id)).toBe(user === 'U0ALICE');
      return responses().length > 0 && !/not allowed|cannot/i.test(text);
    }
    case 'approve':
    case 'cancel': {
      const request = await pending(shape, owner);
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
      const request = await pending(shape, owner);
      const before = await store.get(request.id);
      const views = new Set(slack.views.keys());
      const { responses } = await ingress().click(user, 'jit_deny', request);
      const opened = [...slack.views.keys()].filter((k) => !views.has(k));
      if (opened.length === 1)
        await ingress().submitView(user, opened[0] as string, { reason: 'Not during the freeze' });
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
      const request = await approved(shape, owner);
      const requester = request.requester.slackUserId;
      const views = new Set(slack.views.keys());
      const { responses } = await ingress().click(user, 'jit_cancel', request);
      const opened = [...slack.views.keys()].filter((k) => !views.has(k));
      // The requester cancels at once; an approver is asked why first.
      const mayCancel = ALLOWED[shape]['cancel approved'].some((a) => ACTORS[a] === user);
      expect(opened).toHaveLength(user !== requester && mayCancel ? 1 : 0);
      if (opened.length === 1)
        await ingress().submitView(user, opened[0] as string, { reason: 'The change window moved to Friday' });
      const after = await store.get(request.id);
      const allowed = after.status === 'CANCELLED';
      if (allowed && user !== requester) {
        expect(after).toMatchObject({ cancelledBy: user, reason: 'The change window moved to Friday' });
        // The requester is told at once, with the reason, in a new message.
        const dm = slack.messages
          .filter((m) => m.channel === slack.dmChannelOf('U0ALICE'))
          .map((m) => m.text)
          .join('\n');
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
    case 'home approve': {
      const request = await pending(shape, owner);
      const { shown, opened } = await onHome(user, 'jit_approve', request);
      const after = await store.get(request.id);
      const allowed = after.approvals.some((a) => a.by === user);
      // Home offers Approve exactly to whom a click would be allowed.
      expect(shown).toBe(allowed);
      if (!allowed) {
        expect(after).toEqual(await store.get(request.id));
        expect(after.approvals).toEqual([]);
        expect(sfn.resumed).toEqual([]);
        expect(opened).toEqual(['']);
      }
      return allowed;
    }
    case 'home deny': {
      const request = await pending(shape, owner);
      const { shown, opened } = await onHome(user, 'jit_deny', request);
      const reasonModal = [...slack.views.values()].filter((v) => v.view.callback_id === 'jit_deny_reason').at(-1);
      if (opened[0] === 'jit_deny_reason' && reasonModal)
        await ingress().submitView(user, reasonModal.id, { reason: 'Not during the freeze' });
      const after = await store.get(request.id);
      const allowed = after.status === 'DENIED';
      expect(shown).toBe(allowed);
      if (!allowed) {
        expect(opened).toEqual(['']);
        expect(after.status).toBe('PENDING');
        expect(sfn.resumed).toEqual([]);
      }
      return allowed;
    }
    case 'home cancel': {
      const request = await pending(shape, owner, true);
      const { shown, opened } = await onHome(user, 'jit_cancel', request);
      const after = await store.get(request.id);
      const allowed = after.status === 'CANCELLED';
      // Home shows Cancel on one's own open requests only (an approver cancels from the approval message).
      expect(shown).toBe(allowed);
      if (!allowed) {
        expect(after).toEqual(request);
        expect(opened).toEqual(['']);
      }
      return allowed;
    }
    case 'home revoke': {
      const request = await active(shape, owner, true);
      const { shown, opened } = await onHome(user, 'jit_revoke', request);
      const after = await store.get(request.id);
      const allowed = after.status === 'ACTIVE' && after.revokeRequestedBy === user;
      // Home shows Revoke now on one's own live grants; an approver revokes from the approval message.
      expect(shown).toBe(allowed && user === request.requester.slackUserId);
      if (!allowed) {
        expect(after).toEqual(request);
        expect(sfn.resumed).toEqual([]);
        expect(opened).toEqual(['']);
      }
      return allowed;
    }
    case 'again': {
      const request = await store.create(
        requestIn(
          'DENIED',
          pendingRequest({
            policy: POLICIES[shape].name,
            role: POLICIES[shape].role,
            ...(owner ? { requester: owner } : {}),
          }),
        ),
      );
      const before = slack.callsTo('views.open').length;
      const { responses } = await ingress().click(user, 'jit_request_again', request);
      const opened = openedSince(before);
      const allowed = opened.includes('jit_request');
      if (!allowed) {
        expect(opened).toEqual([]);
        expect(texts(responses())).not.toBe('');
      }
      return allowed;
    }
    case 'extend': {
      const request = await active(shape, owner);
      const views = new Set(slack.views.keys());
      const { responses } = await ingress().click(user, 'jit_extend', request);
      const opened = [...slack.views.keys()].filter((k) => !views.has(k));
      let answer = '';
      if (opened.length === 1) {
        const submitted = await ingress().submitView(user, opened[0] as string, {
          extend_by: '3600',
          extend_reason: 'The resync runs late',
        });
        answer = submitted.body;
      }
      const after = await store.get(request.id);
      const allowed = pendingExtension(after)?.by === user;
      if (!allowed) {
        expect(pendingExtension(after)).toBeUndefined();
        expect(after.version).toBe(request.version);
        expect(sfn.resumed).toEqual([]);
        expect(texts(responses()) + answer).not.toBe('');
      }
      return allowed;
    }
    case 'approve extension':
    case 'deny extension': {
      const request = await extensionAsked(shape, owner);
      const approve = action === 'approve extension';
      const views = new Set(slack.views.keys());
      const { responses } = await ingress().click(user, approve ? 'jit_extend_approve' : 'jit_extend_deny', request);
      const opened = [...slack.views.keys()].filter((k) => !views.has(k));
      // Deny asks why first, and only someone who may deny is asked.
      if (opened.length === 1) await ingress().submitView(user, opened[0] as string, { reason: 'Not this week' });
      const after = await store.get(request.id);
      const allowed = approve
        ? (pendingExtension(after)?.approvals ?? []).some((a) => a.by === user)
        : pendingExtension(after) === undefined;
      if (!allowed) {
        expect(opened).toEqual([]);
        expect(after).toEqual(request);
        expect(sfn.resumed).toEqual([]);
        expect(texts(responses())).not.toBe('');
      }
      return allowed;
    }
    case 'break-glass':
      return breakGlass(shape, user);
    case 'review': {
      const request = await breakGlassUsed(shape, owner);
      const { responses } = await ingress().click(user, 'jit_break_glass_acknowledge', request);
      const after = await store.get(request.id);
      const allowed = after.breakGlass?.review?.by === user;
      if (!allowed) {
        expect(after).toEqual(request);
        expect(texts(responses())).not.toBe('');
      }
      return allowed;
    }
    case 'revoke': {
      const request = await active(shape, owner);
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
    lines.push(
      `  policy ${shape}`,
      `    ${''.padEnd(width)}  ${ACTIONS.map((a) => a.padEnd(Math.max(a.length, 7))).join(' ')}`,
    );
    for (const actor of Object.keys(ACTORS) as ActorName[]) {
      const row = ACTIONS.map((action) =>
        (matrix.includes(`${shape}|${actor}|${action}|allowed`) ? '✓' : '·').padEnd(Math.max(7, action.length)),
      ).join(' ');
      lines.push(`    ${actor.padEnd(width)}  ${row}`);
    }
  }
  console.log(lines.join('\n'));
});

const CELLS = (Object.keys(POLICIES) as Shape[]).flatMap((shape) =>
  (Object.keys(ACTORS) as ActorName[]).flatMap((actor) => ACTIONS.map((action) => [shape, actor, action] as const)),
);

describe('authorization matrix', () => {
  it.each(Object.keys(POLICIES) as Shape[])(
    '%s: an approval of a request whose requester was removed after asking closes it, and grants nothing',
    async (shape) => {
      const { store, sfn } = ingress();
      const request = await pending(shape, FRANK);
      const { responses } = await ingress().click(POLICIES[shape].approver, 'jit_approve', request);
      expect(texts(responses())).toContain('The requester is no longer one of the requesters');
      expect(await store.get(request.id)).toMatchObject({ status: 'FAILED', stage: 'authorization', approvals: [] });
      // The workflow is resumed only to route on the stored status: it grants nothing for a FAILED request.
      expect(sfn.resumed).toHaveLength(1);
    },
  );

  it.each(CELLS)('%s: %s may %s only as configured', async (shape, actor, action) => {
    const allowed = await perform(shape, action, ACTORS[actor]);
    matrix.push(`${shape}|${actor}|${action}|${allowed ? 'allowed' : 'refused'}`);
    expect({ shape, actor, action, allowed }).toEqual({
      shape,
      actor,
      action,
      allowed: ALLOWED[shape][action].includes(actor),
    });
  });
});
