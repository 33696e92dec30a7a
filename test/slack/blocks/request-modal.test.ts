import { loadConfig, parseConfig } from '../../../lambdas/config/load';
import type { Config } from '../../../lambdas/config/schema';
import { requesterPolicies } from '../../../lambdas/domain/request-form';
import { buildRequestModal, RequestModalMetadataSchema } from '../../../lambdas/slack/blocks/request-modal';
import { parseTargetValue, readRequestForm, shortDuration } from '../../../lambdas/slack/blocks/request-modal-state';
import { ViewStateSchema } from '../../../lambdas/slack/payloads';
import { viewState } from '../../support/slack';

const example = loadConfig();
const alice = { userId: 'U0ALICE', groups: new Set<string>() };
const requester = { account: 'alice', zone: 'Europe/Paris', name: 'Alice <Storage>' };

type Block = {
  type: string;
  block_id?: string;
  element?: Record<string, unknown>;
  optional?: boolean;
  dispatch_action?: boolean;
  text?: { text: string };
};
const blocks = (config: Config, selection = {}): Block[] =>
  buildRequestModal(config, requesterPolicies(config, alice), requester, selection).blocks as Block[];

/** Two clusters, an "any SVM" policy and an "any role" policy. */
const wide = parseConfig({
  clusters: [{ name: 'cluster1' }, { name: 'cluster2' }],
  slack: { approvalChannel: 'C0APPROVALS', accounts: { map: { U0ALICE: 'alice' } } },
  policies: [
    {
      name: 'named',
      clusters: ['cluster1'],
      svms: ['svm1'],
      roles: ['vsadmin'],
      requesters: 'anyone',
      approvers: { users: ['U0BOB'] },
      defaultDuration: '1h',
      maxDuration: '4h',
      approvalTimeout: '1h',
    },
    {
      name: 'anything-on-2',
      clusters: ['cluster2'],
      svms: ['*'],
      roles: ['readonly', 'vsadmin'],
      requesters: 'anyone',
      approvers: { users: ['U0BOB'] },
      defaultDuration: '90m',
      maxDuration: '2h',
      approvalTimeout: '1h',
    },
  ],
});

describe('buildRequestModal', () => {
  it('is a jit_request modal whose metadata carries only the account, time zone and name', () => {
    const view = buildRequestModal(example, requesterPolicies(example, alice), requester);
    expect(view).toMatchObject({
      type: 'modal',
      callback_id: 'jit_request',
      title: { type: 'plain_text', text: 'Request ONTAP access' },
    });
    expect(RequestModalMetadataSchema.parse(JSON.parse(String(view.private_metadata)))).toEqual({ v: 1, ...requester });
  });

  it('lists one cluster’s SVMs as plain options, and redraws target, role and duration for a selection', () => {
    const first = blocks(example);
    expect(first[1]).toMatchObject({ block_id: 'target', dispatch_action: true, label: { text: 'SVM on cluster1' } });
    const admin = blocks(example, { target: { cluster: 'cluster1', svm: 'cluster1' } });
    expect(admin.map((b) => b.block_id).filter(Boolean)).toEqual([
      'target',
      'role@cluster1/cluster1',
      'duration@cluster-admin',
      'start_mode',
      'start_date',
      'start_time',
      'justification',
      'ticket',
    ]);
    expect(admin[2]?.element).toMatchObject({
      type: 'static_select',
      options: [{ value: 'admin' }],
      initial_option: { value: 'admin' },
    });
    expect(admin[3]?.element).toMatchObject({ initial_value: '30m' });
  });

  it('escapes the account in the introduction', () => {
    const view = buildRequestModal(example, requesterPolicies(example, alice), { ...requester, account: 'a<b>' });
    expect((view.blocks[0] as Block).text?.text).toContain('`a&lt;b&gt;`');
  });

  it('groups SVMs by cluster, and asks for a typed SVM where a policy allows any, with the roles it names', () => {
    const first = blocks(wide);
    const target = first[1]?.element as {
      option_groups: { label: { text: string }; options: { value: string; text: { text: string } }[] }[];
    };
    expect(target.option_groups.map((g) => [g.label.text, g.options.map((o) => o.value)])).toEqual([
      ['Cluster cluster1', ['cluster1/svm1']],
      ['Cluster cluster2', ['cluster2/*']],
    ]);
    const any = blocks(wide, { target: { cluster: 'cluster2', svm: '*' } });
    expect(any.map((b) => b.block_id).slice(1, 5)).toEqual([
      'target',
      'svm_name',
      'role@cluster2/*',
      'duration@anything-on-2',
    ]);
    expect(any[3]?.element).toMatchObject({
      type: 'static_select',
      action_id: 'role',
      options: [{ value: 'readonly' }, { value: 'vsadmin' }],
    });
    expect(any[4]?.element).toMatchObject({ initial_value: '1h30m' });
  });
});

describe('readRequestForm', () => {
  it('reads what was typed back into a draft, with the block each field lives in', () => {
    const view = buildRequestModal(example, requesterPolicies(example, alice), requester);
    const values = viewState(view, {
      duration: '2h',
      start_mode: 'scheduled',
      start_date: '2026-11-23',
      start_time: '09:30',
      justification: 'why',
      ticket: null,
    });
    const form = readRequestForm(ViewStateSchema.parse(values), 'UTC');
    expect(form.draft).toEqual({
      cluster: 'cluster1',
      svm: 'svm1',
      svmTyped: false,
      role: 'vsadmin',
      duration: '2h',
      start: { mode: 'scheduled', date: '2026-11-23', time: '09:30', zone: 'Europe/Paris' },
      justification: 'why',
    });
    expect(form.blockIds).toMatchObject({
      target: 'target',
      role: 'role@cluster1/svm1',
      duration: 'duration@svm1-operators',
    });
  });

  it('takes the typed SVM for an "any SVM" choice', () => {
    const view = buildRequestModal(wide, requesterPolicies(wide, alice), requester, {
      target: { cluster: 'cluster2', svm: '*' },
    });
    const values = viewState(view, { svm_name: 'svm_typed', role: 'readonly', justification: 'x' });
    expect(readRequestForm(ViewStateSchema.parse(values), 'UTC').draft).toMatchObject({
      cluster: 'cluster2',
      svm: 'svm_typed',
      svmTyped: true,
      role: 'readonly',
    });
  });
});

describe('helpers', () => {
  it('write durations the way people type them', () => {
    expect([3600, 1800, 5400, 86_400, 90_061].map(shortDuration)).toEqual(['1h', '30m', '1h30m', '1d', '1d1h1m1s']);
  });

  it('read target values', () => {
    expect(parseTargetValue('cluster1/svm1')).toEqual({ cluster: 'cluster1', svm: 'svm1' });
    expect(parseTargetValue('svm1')).toBeUndefined();
    expect(parseTargetValue('/svm1')).toBeUndefined();
    expect(parseTargetValue('cluster1/')).toBeUndefined();
  });
});
