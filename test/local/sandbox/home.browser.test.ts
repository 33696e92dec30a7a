/**
 * The Home tab and "Request again" in the Slack sandbox of the local stack, in a real browser
 * (Debian's Chromium through playwright-core): Alice asks; Bob opens his Home and approves from
 * "Waiting for me"; Alice's Home shows the live grant, she revokes it there; it ends, and "Request
 * again" opens the form filled in as before, whose submission is a new request on her Home.
 * Screenshots go to test-output/local-stack/; with JIT_DOCS_SCREENSHOTS=1 the README's copies under
 * docs/ are replaced too (opt-in, so a test run leaves the working tree as it was). Skips, saying so,
 * only when /usr/bin/chromium is absent; under CI=true its absence fails the file.
 */
import type { Locator } from 'playwright-core';
import { jitEntryRows } from '../../../local/stack';
import { describeInBrowser, useStackInBrowser } from './support/browser';
import { eventually, see } from './support/see';

const inBrowser = describeInBrowser('Home tab browser test');

inBrowser('the Home tab in the local stack, in a browser', () => {
  const env = useStackInBrowser({ speed: 60 });
  const home = (): Locator => env().page.locator('.home-tab');
  /** Opens the Home tab, which tells the app (app_home_opened); resolves once its answer is drawn. */
  const openHome = async () => {
    const { page } = env();
    await page.getByRole('button', { name: /Home$/ }).click();
    await see(page.locator('#messages')).attribute('aria-busy', 'false');
    await see(home().getByRole('heading', { name: 'My access' })).visible();
  };
  /** The Home block (a section with its button) that names a request. */
  const item = (id: string): Locator => home().locator('.bk-section', { hasText: id });

  it('an approver approves from Home; the requester sees her grant there and revokes it', async () => {
    const { stack, page, shot, actAs, command, confirm } = env();
    await page.goto(`${stack.urls.sandbox}?as=U0ALICE`);
    await see(page.locator('#connection')).text('live');
    await command('/jit svm1 vsadmin 2h fix the snapmirror schedule on vol_data');
    await eventually(async () => expect((await stack.store.listByRequester('U0ALICE'))[0]?.status).toBe('PENDING'));
    const [asked] = await stack.store.listByRequester('U0ALICE');
    const id = asked?.id ?? '';

    // Bob's Home lists what waits for him, with the same Approve and Deny as the approval message.
    await actAs('U0BOB');
    await openHome();
    await see(home().getByRole('heading', { name: 'Waiting for me' })).visible();
    await see(item(id)).containsText('fix the snapmirror schedule');
    await shot('06-home-approver', 'home-approver.png');
    await home().getByRole('button', { name: 'Approve' }).first().click();
    // Approved and granted; his Home, published again, no longer lists it.
    await eventually(async () => expect((await stack.store.get(id)).status).toBe('ACTIVE'));
    await see(item(id)).count(0);

    // Alice's Home: the live grant, the time left, and Revoke now.
    await actAs('U0ALICE');
    await openHome();
    await see(item(id)).containsText('left');
    await see(item(id).getByRole('button', { name: 'Revoke now' })).visible();
    await shot('07-home-requester', 'home-requester.png');
    await item(id).getByRole('button', { name: 'Revoke now' }).click();
    await confirm('Revoke');
    await eventually(async () => expect((await stack.store.get(id)).status).toBe('REVOKED'));
    expect(jitEntryRows(stack.simulator!).filter((e) => e.account === 'alice')).toEqual([]);
    // Opened again, the Home shows it among the ended ones, with Request again.
    await openHome();
    await see(item(id).getByRole('button', { name: 'Request again' })).visible();
  }, 180_000);

  it('Request again opens the form filled in as before; submitting it makes a new request', async () => {
    const { stack, page, pageErrors, shot } = env();
    const [ended] = await stack.store.listByRequester('U0ALICE');
    const id = ended?.id ?? '';
    await item(id).getByRole('button', { name: 'Request again' }).click();
    const dialog = page.getByRole('dialog', { name: 'Request ONTAP access' });
    await see(dialog).visible();
    await see(dialog).containsText(`Filled in from request ${id}`);
    await see(dialog.getByLabel('For how long')).value('2h');
    await see(dialog.getByLabel('Justification')).value('fix the snapmirror schedule on vol_data');
    await shot('08-request-again', 'request-again.png');
    await dialog.getByRole('button', { name: 'Submit' }).click();
    await see(dialog).hidden();
    const [again] = await stack.store.listByRequester('U0ALICE');
    expect(again).toMatchObject({ status: 'PENDING', role: 'vsadmin', svm: { name: 'svm1' }, durationSeconds: 7200 });
    expect(again?.id).not.toBe(id);
    // Submitted from Home: the Home shows the new request, open, with Cancel.
    await see(item(again?.id ?? '').getByRole('button', { name: 'Cancel request' })).visible();
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
