/**
 * "Ends soon" and Extend in the Slack sandbox of the local stack, in a real browser (Debian's
 * Chromium through playwright-core), on a policy whose grants may be extended once by up to an hour
 * with an approval: Alice's grant is approved by Bob; the "ends soon" DM reaches her with Extend;
 * the modal says the entry will be replaced; she asks for an hour more; Bob approves the extension
 * in the approval message's thread; her DM says the new end, and the ONTAP simulator's entry ends
 * exactly one hour later than before. Every step waits on what the page or the store shows, never
 * on a fixed time. Screenshots go to test-output/local-stack/; with JIT_DOCS_SCREENSHOTS=1 the
 * README's copies under docs/ are replaced too. Skips, saying so, only when /usr/bin/chromium is
 * absent; under CI=true its absence fails the file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { parse } from 'yaml';
import { jitEntryRows } from '../../../local/stack';
import { describeInBrowser, useStackInBrowser } from './support/browser';
import { eventually, see } from './support/see';

const EXAMPLE = join(__dirname, '../../../config/example.yaml');
/**
 * Business time runs this much faster: the 35-minute grant gets its "ends soon" (15 minutes before
 * its end, the default notice) after 80 real seconds, and leaves a real minute to extend it.
 */
const SPEED = 15;
/** Long enough for the "ends soon" DM of a 35-minute grant to arrive on a loaded machine. */
const ENDS_SOON_WAIT_MS = 180_000;
const HOUR_MS = 3_600_000;

const inBrowser = describeInBrowser('Extend browser test');

/** The shipped example, its svm1 policy letting a grant be extended once by up to an hour, approved. */
function extendableConfig(): string {
  const config = parse(readFileSync(EXAMPLE, 'utf8')) as { policies: Record<string, unknown>[] };
  config.policies = config.policies.map((p) =>
    p.name === 'svm1-operators' ? { ...p, extension: { by: 'PT1H', times: 1, approval: 'required' } } : p,
  );
  const file = join(mkdtempSync(join(tmpdir(), 'jit-extend-browser-')), 'config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

inBrowser('"ends soon" and Extend in the local stack, in a browser', () => {
  const env = useStackInBrowser({ speed: SPEED, configPath: extendableConfig() });
  /** Opens a conversation from the sidebar: the approval channel, or the person's DM with the app. */
  const open = async (conversation: 'channel' | 'dm') => {
    const { page } = env();
    await page.getByRole('button', { name: conversation === 'channel' ? '# jit-approvals' : /^● / }).click();
    await see(page.locator('#channel-topic')).containsText(conversation === 'dm' ? 'direct messages' : 'Acting as');
  };
  const message = (text: string | RegExp): Locator => env().page.locator('#messages article', { hasText: text });
  const aliceEntry = () => jitEntryRows(env().stack.simulator!).filter((e) => e.account === 'alice');
  const endOf = (row: Record<string, string>): number => Date.parse(row.end ?? '');

  it('warns that access ends soon; an hour more, approved in the thread, moves the entry an hour', async () => {
    const { stack, page, pageErrors, shot, actAs, command } = env();
    await page.goto(`${stack.urls.sandbox}?as=U0ALICE`);
    await see(page.locator('#connection')).text('live');
    await see(page.locator('#time-scale')).text(`⏱ Time runs ${SPEED}× faster`);
    await command('/jit svm1 vsadmin 35m rebuild the snapmirror relationships of vol_data');
    await eventually(async () => expect((await stack.store.listByRequester('U0ALICE'))[0]?.status).toBe('PENDING'));
    const id = (await stack.store.listByRequester('U0ALICE'))[0]?.id ?? '';

    // Bob approves on the approval message; the grant goes live and its entry is on the cluster.
    await actAs('U0BOB');
    await open('channel');
    const approval = message(id).first();
    await approval.getByRole('button', { name: 'Approve', exact: true }).click();
    await eventually(async () => expect((await stack.store.get(id)).status).toBe('ACTIVE'));
    await eventually(() => expect(aliceEntry()).toHaveLength(1));
    const before = aliceEntry()[0]!;
    const granted = await stack.store.get(id);
    if (granted.status !== 'ACTIVE') throw new Error(`expected ${id} to be live, not ${granted.status}`);
    expect(endOf(before)).toBe(Date.parse(granted.window.end));

    // Fifteen business minutes before the end, Alice's DM tells her, with Extend.
    await actAs('U0ALICE');
    await open('dm');
    const endsSoon = message('Finish what you are doing');
    await endsSoon.waitFor({ state: 'visible', timeout: ENDS_SOON_WAIT_MS });
    await see(endsSoon).containsText('vsadmin on svm1 (cluster cluster1) ends');
    await see(endsSoon).containsText('in about 15 minutes');
    await see(endsSoon.getByRole('button', { name: 'Extend' })).visible();
    await shot('09-ends-soon', 'ends-soon.png');

    // Extend opens the modal, which says the entry will be replaced before she confirms.
    await endsSoon.getByRole('button', { name: 'Extend' }).click();
    const dialog = page.getByRole('dialog', { name: 'Extend access' });
    await see(dialog).visible();
    await see(dialog).containsText('ONTAP cannot change an access entry, so extending replaces it.');
    await see(dialog).containsText('ends your elevated session');
    await see(dialog).containsText('It needs the approval of');
    // The choices go up to the policy's hour; she takes the hour.
    await dialog.getByLabel('How much longer').selectOption('3600');
    await see(dialog.getByLabel('How much longer')).value('3600');
    await dialog.getByLabel('Why').fill('the resync of vol_data needs another hour');
    await shot('10-extend-modal', 'extend-modal.png');
    await dialog.getByRole('button', { name: 'Extend' }).click();
    // Closed means the app accepted the ask; an answer shown in the modal says why it did not.
    await see(dialog)
      .hidden()
      .catch(async (error: unknown) => {
        throw new Error(`The Extend modal stayed open: ${await dialog.textContent()}`, { cause: error });
      });
    await see(message('is waiting for approval')).visible();
    // Asked, not applied: the entry is as it was until an approver says yes.
    expect(aliceEntry()).toEqual([before]);

    // Bob approves the extension in the approval message's thread, where the ask mentions him.
    await actAs('U0BOB');
    await open('channel');
    await message(id)
      .first()
      .getByRole('button', { name: /\d+ repl(y|ies)$/ })
      .click();
    const ask = page.locator('#thread article', { hasText: 'asks to extend' });
    await see(ask).containsText('the resync of vol_data needs another hour');
    await see(ask.getByRole('button', { name: 'Approve extension' })).visible();
    await shot('11-extension-approval', 'extension-approval.png');
    await ask.getByRole('button', { name: 'Approve extension' }).click();

    // The entry was replaced by one that ends exactly an hour later; Alice's DM says the new end.
    await eventually(async () => {
      const stored = await stack.store.get(id);
      expect(stored.status === 'ACTIVE' && stored.extensions?.length).toBe(1);
    }, ENDS_SOON_WAIT_MS);
    await eventually(() => expect(aliceEntry().map(endOf)).toEqual([endOf(before) + HOUR_MS]));
    const after = aliceEntry()[0]!;
    expect(after).toMatchObject({ svm: before.svm, role: 'vsadmin', start: before.start });
    await actAs('U0ALICE');
    await open('dm');
    await see(message('is extended: it now ends')).containsText('vsadmin on svm1 (cluster cluster1)');
    await shot('12-extended', 'extended.png');
    const extended = await stack.store.get(id);
    if (extended.status !== 'ACTIVE') throw new Error(`expected ${id} to be live, not ${extended.status}`);
    expect(Date.parse(extended.window.end)).toBe(endOf(before) + HOUR_MS);
    expect(pageErrors).toEqual([]);
  }, 420_000);
});
