/**
 * The whole story in the Slack sandbox of the local stack, in a real browser (Debian's Chromium
 * through playwright-core): Alice asks, her own approval is refused, Bob approves, the entry shows
 * on the ONTAP panel, Alice revokes it early and it is gone; a second request is denied with a
 * reason. Screenshots of each step go to test-output/local-stack/. Skips, saying so, only when
 * /usr/bin/chromium is absent; under CI=true (.ci/run installs Chromium) its absence fails the file.
 */
import type { Locator } from 'playwright-core';
import { jitEntryRows } from '../../local/stack';
import { describeInBrowser, useStackInBrowser } from './sandbox/support/browser';
import { see } from './sandbox/support/see';

const inBrowser = describeInBrowser('local stack browser test');

inBrowser('the local stack in a browser', () => {
  const env = useStackInBrowser({ speed: 60 });
  const openChannel = async () => {
    const { page } = env();
    await page
      .getByRole('button', { name: '# jit-approvals' })
      .or(page.getByText('# jit-approvals').first())
      .first()
      .click();
  };
  const openAppDm = async () => env().page.getByText('JIT Access', { exact: false }).first().click();
  const approvalMessage = (): Locator => {
    const { page } = env();
    return page.locator('#messages article').filter({ has: page.getByRole('button', { name: 'Approve' }) });
  };
  const panel = (title: string): Locator => env().page.getByRole('region', { name: title });

  it('request, self-approval refused, approve, entry on the cluster, revoke now, gone', async () => {
    const { stack, page, shot, actAs, command, confirm } = env();
    await page.goto(`${stack.urls.sandbox}?as=U0ALICE`);
    await see(page.locator('#connection')).text('live');

    // Alice asks through the modal; a duration over the policy's maximum is refused inline.
    await command('/jit');
    const dialog = page.getByRole('dialog', { name: 'Request ONTAP access' });
    await see(dialog).visible();
    await dialog.getByLabel('Role').selectOption('vsadmin');
    // The role's choice goes to the app, which may update the form: type once that has landed.
    await see(page.locator('#modal-root')).attribute('aria-busy', 'false');
    await dialog.getByLabel('For how long').fill('12h');
    await dialog.getByLabel('Justification').fill('Fix the snapmirror schedule on svm1 (INC-4711)');
    await dialog.getByRole('button', { name: 'Submit' }).click();
    await see(dialog.getByRole('alert').first()).containsText('8 hours');
    await shot('01-modal-inline-error');
    await dialog.getByLabel('For how long').fill('2h');
    await dialog.getByRole('button', { name: 'Submit' }).click();
    await see(dialog).hidden();

    // The approval message reaches the channel; Alice's own Approve is refused, only to her.
    await see(approvalMessage()).visible();
    await see(approvalMessage()).containsText('vsadmin');
    await approvalMessage().getByRole('button', { name: 'Approve' }).click();
    await see(page.locator('#messages article', { hasText: 'own request' })).containsText('Only visible to you');
    await shot('02-self-approval-refused');

    // Bob approves: the message is updated in place, and the grant appears on the cluster.
    await actAs('U0BOB');
    const ts = await approvalMessage().getAttribute('data-ts');
    await approvalMessage().getByRole('button', { name: 'Approve' }).click();
    const decided = page.locator(`#messages article[data-ts="${ts}"]`);
    await see(decided.getByRole('button', { name: 'Approve' })).count(0);
    await see(decided).containsText('bob');
    await see(panel('ONTAP: JIT privilege users').locator('tbody tr', { hasText: 'alice' })).count(1);
    await see(panel('ONTAP: JIT privilege users').locator('tbody tr', { hasText: 'alice' })).containsText('vsadmin');
    // What the panel shows is what the cluster holds: exactly the approved account, SVM, role and window.
    const [entry] = jitEntryRows(stack.simulator!).filter((e) => e.account === 'alice');
    const granted = await stack.store.listByRequester('U0ALICE');
    expect(entry).toMatchObject({ svm: 'svm1', account: 'alice', role: 'vsadmin' });
    expect(entry?.comment).toContain(granted[0]?.id);
    await shot('03-approved-entry-on-cluster');

    // Alice on the cluster, from the sandbox: she elevates and deletes a volume; the audit log shows both.
    await actAs('U0ALICE');
    const shell = page.locator('#cluster-shell');
    for (const line of ['security jit-privilege elevate', 'volume delete -vserver svm1 -volume vol_old']) {
      await shell.locator('#cluster-shell-input').fill(line);
      await shell.getByRole('button', { name: 'Run' }).click();
      await see(shell.locator('#cluster-shell-result')).text('alice@svm1: success');
    }
    await see(panel('ONTAP: audit log (latest)').locator('tbody tr', { hasText: 'vol_old' })).count(1);
    await shot('03b-commands-on-the-cluster');

    // Alice revokes from her DM; the entry leaves the cluster and the request ends REVOKED.
    await openAppDm();
    const dm = page.locator('#messages article').filter({ has: page.getByRole('button', { name: 'Revoke now' }) });
    await see(dm).visible();
    await dm.getByRole('button', { name: 'Revoke now' }).click();
    await confirm('Revoke');
    await see(panel('ONTAP: JIT privilege users').locator('tbody tr', { hasText: 'alice' })).count(0);
    await see(panel('Requests').locator('tbody tr', { hasText: 'REVOKED' })).count(1);
    await shot('04-revoked-entry-gone');

    expect(jitEntryRows(stack.simulator!).filter((e) => e.account === 'alice')).toEqual([]);
    const [request] = await stack.store.listByRequester('U0ALICE');
    expect(request?.status).toBe('REVOKED');
    expect((await stack.store.auditTrail(request!.id)).map((e) => e.type)).toEqual([
      'REQUESTED',
      'APPROVE',
      'GRANTED',
      'REVOKE_REQUESTED',
      'REVOKED',
      'ACTIVITY_DIGEST',
    ]);
    // The digest of what she did is in the approval thread: one command, destructive.
    const digest = (await stack.store.auditTrail(request!.id)).at(-1);
    expect(digest?.detail).toMatch(/^1 command in 1 SSH session; 1 elevate, 0 resets; 1 change \(1 destructive\)/);
    await actAs('U0BOB');
    await openChannel();
    await page.locator(`#messages article[data-ts="${ts}"]`).locator('button.replies').click();
    await see(page.locator('#thread')).containsText('Activity of');
    await see(page.locator('#thread')).containsText('destructive');
    await shot('04b-activity-digest-in-thread');
    await actAs('U0ALICE');
  }, 180_000);

  it('deny with a reason', async () => {
    const { stack, page, pageErrors, shot, actAs, command } = env();
    await openChannel();
    await command('/jit svm1 vsadmin-volume 1h resize the home volumes');
    await actAs('U0CAROL');
    await see(approvalMessage()).visible();
    await approvalMessage().getByRole('button', { name: 'Deny' }).click();
    const reason = page.getByRole('dialog', { name: 'Deny request' });
    await see(reason).visible();
    await reason.getByLabel('Why is it denied?').fill('Change freeze until Monday');
    await reason.getByRole('button', { name: 'Deny' }).click();
    await see(reason).hidden();
    await see(page.locator('#messages article', { hasText: 'Change freeze until Monday' }).first()).visible();
    await see(approvalMessage()).count(0);
    await shot('05-denied-with-reason');

    const [latest] = await stack.store.listByRequester('U0ALICE');
    expect(latest).toMatchObject({ status: 'DENIED', deniedBy: 'U0CAROL', reason: 'Change freeze until Monday' });
    expect(jitEntryRows(stack.simulator!).filter((e) => e.account === 'alice')).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
