/**
 * The sandbox in a real browser (Debian's Chromium through playwright-core), against a real Bolt
 * app on loopback: slash command → modal drawn from Block Kit → inline errors → submit → message in
 * the channel → another person clicks a button → the message is updated in place. Screenshots of
 * each step go to test-output/sandbox/. Skips, saying so, only when /usr/bin/chromium is absent;
 * under CI=true (.ci/run installs Chromium) its absence fails the file instead.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createSandboxHandler, type SandboxHandler } from '../../../local/sandbox/handler';
import { type SlackApiStandIn, startSlackApi } from '../../../local/slack-api/server';
import { startBoltIngress, type TestIngress } from './support/bolt-ingress';
import { command as commandIn, describeInBrowser, launchPage } from './support/browser';
import { see } from './support/see';

const SHOTS = join(__dirname, '../../../test-output/sandbox');
const SECRET = 'browser-test-signing-secret';
const JUSTIFICATION = '<!channel> <http://evil|click> & fix snapmirror';

const inBrowser = describeInBrowser('Slack sandbox browser test');

inBrowser('the Slack sandbox in a browser', () => {
  let slack: SlackApiStandIn;
  let ingress: TestIngress;
  let handler: SandboxHandler;
  let server: Server;
  let browser: Browser;
  let page: Page;
  let url: string;
  let pageErrors: string[] = [];
  const approved = (): boolean => ingress.actions.some((a) => JSON.stringify(a.actions).includes('"approve"'));

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    slack = await startSlackApi({ botToken: 'xoxb-test' });
    ingress = await startBoltIngress({ signingSecret: SECRET, slackApiUrl: slack.url, approvalChannel: 'C0APPROVALS' });
    handler = createSandboxHandler({
      slack,
      ingressUrl: ingress.url,
      signingSecret: SECRET,
      timeScale: 60,
      panelRefreshMs: 500,
      panels: [
        {
          title: 'ONTAP cluster1: JIT entries',
          fetch: async () =>
            approved()
              ? [
                  {
                    owner: { name: 'svm1', uuid: 'b4f3…' },
                    account: 'alice',
                    role: 'vsadmin',
                    state: 'active',
                    end_time: '14:00',
                  },
                ]
              : [],
        },
        {
          title: 'Audit trail',
          fetch: async (context) =>
            context.selected
              ? [
                  { at: '12:00', event: 'REQUESTED', by: 'alice' },
                  ...(approved() ? [{ at: '12:01', event: 'APPROVED', by: 'bob' }] : []),
                ]
              : 'Select a request message to see its audit trail.',
        },
      ],
    });
    server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sandbox/`;
    ({ browser, page, pageErrors } = await launchPage({ viewport: { width: 1400, height: 900 }, consoleErrors: true }));
  });

  afterAll(async () => {
    await browser?.close();
    handler?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await ingress?.close();
    await slack?.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const command = (line: string) => commandIn(page, line);
  const request = () => page.locator('#messages article', { hasText: 'Access request' });

  it('takes a request from slash command to an approved message, as Slack would', async () => {
    await page.goto(`${url}?as=U0ALICE`);
    await see(page.locator('body[data-user="U0ALICE"]')).attached();
    await see(page.getByRole('heading', { name: '# jit-approvals' })).visible();
    await see(page.locator('#time-scale')).text('⏱ Time runs 60× faster');
    await see(page.locator('#connection')).text('live');

    // An immediate answer to a slash command shows only to the person who typed it.
    await command('/jit help');
    const usage = page.locator('#messages article', { hasText: 'Usage:' });
    await see(usage).containsText('Only visible to you');
    await see(usage.locator('code').first()).text('/jit');
    await shot('01-slash-command-answer');

    // The app opens a modal with views.open; it is drawn from its Block Kit.
    await command('/jit');
    const dialog = page.getByRole('dialog', { name: 'Request access' });
    await see(dialog).visible();
    await see(dialog.getByLabel('SVM')).focused();
    await see(dialog.getByRole('radio', { name: 'vsadmin', exact: true })).checked();
    await see(dialog.getByLabel('For how long')).value('1h');
    await see(dialog.getByText('At most 8h.')).visible();
    await see(dialog.getByLabel('Start on (optional)')).attribute('type', 'date');
    await see(dialog.getByLabel('Start at (optional)')).attribute('type', 'time');
    await see(dialog.locator('.mention', { hasText: '#jit-approvals' })).visible();
    await shot('02-modal-opened');

    // A select with dispatch_action sends block_actions; the app updates the view; the choice stays.
    await dialog.getByLabel('SVM').selectOption('svm1');
    await see(dialog.getByText('svm1 has no active grant.')).visible();
    await see(dialog.getByLabel('SVM')).value('svm1');

    // The Slack client refuses an empty required field itself.
    await dialog.getByRole('button', { name: 'Request' }).click();
    await see(dialog.getByRole('alert')).text('Please complete this required field.');
    expect(ingress.received.filter((r) => r.kind === 'view_submission')).toHaveLength(0);

    // The app refuses a bad duration with response_action: errors, shown under its block.
    await dialog.getByRole('radio', { name: 'vsadmin-volume' }).check();
    await dialog.getByLabel('Why').fill(JUSTIFICATION);
    await dialog.getByLabel('For how long').fill('12h');
    await dialog.getByRole('button', { name: 'Request' }).click();
    await see(dialog.getByRole('alert')).text('"12h" is not a duration of at most 8h, e.g. 2h.');
    await see(dialog.getByLabel('For how long')).attribute('aria-invalid', 'true');
    await see(dialog.getByLabel('Why')).value(JUSTIFICATION);
    await see(dialog.getByRole('radio', { name: 'vsadmin-volume' })).checked();
    await shot('03-modal-inline-errors');

    // Fixed and submitted: the modal closes and the app's message appears in the channel.
    await dialog.getByLabel('For how long').fill('2h');
    await dialog.getByRole('button', { name: 'Request' }).click();
    await see(dialog).hidden();
    await see(request()).visible();
    await see(request().getByRole('heading', { name: 'Access request' })).visible();
    await see(page.locator('#messages article', { hasText: 'Your request REQ-1 was sent' })).containsText(
      'Only visible to you',
    );
    // The justification shows as the characters typed: no @channel ping, no link.
    await see(request().locator('blockquote')).text(JUSTIFICATION);
    await see(request().locator('a')).count(0);
    await see(request().locator('.mention-broadcast')).count(0);
    await see(request().locator('.mention')).text(['@alice']);
    await shot('04-request-posted');

    // Bob, an approver, sees the request but not Alice's ephemeral message.
    await page.getByLabel('You are').selectOption('U0BOB');
    await see(page.locator('body[data-user="U0BOB"]')).attached();
    await see(request()).visible();
    await see(page.getByText('Your request REQ-1 was sent')).count(0);

    // A button with a confirm dialog asks first; "Keep it" sends nothing.
    const before = ingress.received.length;
    await request().getByRole('button', { name: 'Deny' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Deny this request?' });
    await see(confirm).containsText('@alice will be told.');
    await shot('05-confirm-dialog');
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    await see(confirm).hidden();
    expect(ingress.received.length).toBe(before);

    // Approve: the app updates the message in place (chat.update) and replies in its thread.
    const ts = await request().getAttribute('data-ts');
    await request().getByRole('button', { name: 'Approve' }).click();
    const updated = page.locator(`#messages article[data-ts="${ts}"]`);
    await see(updated).containsText('Approved by @bob');
    await see(updated).containsText('(edited)');
    await see(updated.getByRole('button', { name: 'Approve' })).count(0);
    await see(page.locator('#messages article')).count(1);
    await updated.getByRole('button', { name: '1 reply' }).click();
    await see(page.locator('#thread')).containsText('Granted vsadmin on svm1 until 14:00.');

    // The side panels: the cluster as the simulator would show it, and the selected request's trail.
    await see(page.getByRole('region', { name: 'ONTAP cluster1: JIT entries' }).locator('tbody tr')).count(1);
    await updated.getByRole('button', { name: 'Show in side panels' }).click();
    await see(page.getByRole('region', { name: 'Audit trail' }).locator('tbody tr')).count(2);
    await see(page.getByRole('region', { name: 'Requests sent to the app' }).locator('summary').first()).containsText(
      'block_actions · U0BOB · HTTP 200',
    );
    await shot('06-approved-in-place-with-thread-and-panels');

    expect(pageErrors).toEqual([]);
  });

  it('sent the app only requests that carried a valid Slack signature, which Bolt parsed', () => {
    expect(ingress.received.map((r) => [r.kind, r.status])).toEqual([
      ['command /jit help', 200],
      ['command /jit', 200],
      ['block_actions', 200],
      ['view_submission', 200],
      ['view_submission', 200],
      ['block_actions', 200],
    ]);
    expect(ingress.received.every((r) => r.validSignature)).toBe(true);
    expect(ingress.received.every((r) => r.contentType === 'application/x-www-form-urlencoded')).toBe(true);
    const plain = (text: string) => ({ type: 'plain_text', text, emoji: true });
    expect(ingress.submissions.at(-1)).toEqual({
      svm: { svm: { type: 'static_select', selected_option: { text: plain('svm1'), value: 'svm1' } } },
      role: {
        role: {
          type: 'radio_buttons',
          selected_option: {
            text: plain('vsadmin-volume'),
            value: 'vsadmin-volume',
            description: plain('Volumes only'),
          },
        },
      },
      duration: { duration: { type: 'plain_text_input', value: '2h' } },
      justification: { justification: { type: 'plain_text_input', value: JUSTIFICATION } },
      start_date: { start_date: { type: 'datepicker', selected_date: null } },
      start_time: { start_time: { type: 'timepicker', selected_time: null } },
    });
    const click = ingress.actions.at(-1)!;
    expect(click).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0BOB', username: 'bob', name: 'bob', team_id: 'T0LOCAL' },
      container: { type: 'message', channel_id: 'C0APPROVALS', is_ephemeral: false },
      channel: { id: 'C0APPROVALS', name: 'jit-approvals' },
      actions: [{ type: 'button', action_id: 'approve', block_id: 'decision', value: 'REQ-1', style: 'primary' }],
    });
    expect(String(click.response_url)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/response\/R/);
  });
});
