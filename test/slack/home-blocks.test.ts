/** The Home view and the "Request again" form as pure functions of what they are given. */
import { policiesForRequester } from '../../lambdas/domain/policy';
import type { Home } from '../../lambdas/lifecycle/home';
import { HOME_BLOCKS_MAX, homeView } from '../../lambdas/slack/blocks/home';
import { buildRequestModal } from '../../lambdas/slack/blocks/request-modal';
import { requestAgainForm } from '../../lambdas/slack/blocks/request-prefill';
import { configWith, rawPolicy } from '../support/configs';
import { pendingRequest, requestIn } from '../support/requests';

const NOW = Date.parse('2026-11-22T10:30:00Z');
const alice = { userId: 'U0ALICE', groups: new Set<string>() };

describe('the Home view', () => {
  it('holds at most 100 blocks with every list full, escapes user text, and tells the time left', () => {
    const many = <T>(make: () => T): T[] => Array.from({ length: 10 }, make);
    const hostile = { role: '<!channel>', justification: `<!here> ${'y'.repeat(490)}` };
    const home: Home = {
      userId: 'U0ALICE',
      mayRequest: true,
      live: { items: many(() => requestIn('ACTIVE')), more: 3 },
      open: { items: many(() => pendingRequest(hostile)), more: 0 },
      ended: many(() => requestIn('DENIED')),
      waiting: { items: many(() => ({ request: pendingRequest(hostile), approvedByMe: false })), more: 7 },
    };
    const view = homeView(home, 'C0APPROVALS', NOW);
    expect(view.blocks.length).toBeLessThanOrEqual(HOME_BLOCKS_MAX);
    const text = JSON.stringify(view);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<!here>');
    expect(text).toContain('32 minutes left');
    expect(text).toContain('and 3 more live grants');
    expect(text).toContain('and 7 more waiting');
  });

  it('shows an approval already given without buttons', () => {
    const request = pendingRequest({ approvalsRequired: 2 });
    const home: Home = {
      userId: 'U0BOB',
      mayRequest: true,
      live: { items: [], more: 0 },
      open: { items: [], more: 0 },
      ended: [],
      waiting: { items: [{ request, approvedByMe: true }], more: 0 },
    };
    const text = JSON.stringify(homeView(home, 'C0APPROVALS', NOW));
    expect(text).toContain('You approved it');
    expect(text).not.toContain('jit_approve');
  });
});

describe('Request again, filled in', () => {
  it('types the SVM under a policy for any SVM, and keeps text within the form limits', () => {
    const config = configWith([], [{ ...rawPolicy(), svms: ['*'] }]);
    const policies = policiesForRequester(config.policies, alice);
    const ended = requestIn('DENIED', pendingRequest({ svm: { name: 'svm_data7' }, justification: 'z'.repeat(900) }));
    const { selection, prefill } = requestAgainForm(config, policies, ended);
    expect(selection).toEqual({ target: { cluster: 'cluster1', svm: '*' }, role: 'vsadmin' });
    expect(prefill.svmName).toBe('svm_data7');
    expect(prefill.justification).toHaveLength(500);
    const modal = buildRequestModal(config, policies, { account: 'alice', zone: 'UTC' }, selection, prefill);
    expect(JSON.stringify(modal.blocks)).toContain('"initial_value":"svm_data7"');
  });
});
