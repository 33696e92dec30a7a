/**
 * What the browser tests of the local stack's sandbox share: Debian's Chromium (through
 * playwright-core), the rule for when it is absent, a page that collects its errors, screenshots
 * (copied under docs/ for the README only when asked), the sandbox's own controls, and the local
 * stack with a page on it for a file's tests.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../../../local/stack';
import { freePort } from '../../../support/npm-start';
import { eventually, see } from './see';

/** Where Debian puts Chromium (`apt-get install -y chromium`; .ci/run installs it). */
export const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(__dirname, '../../../../test-output/local-stack');
const DOCS = join(__dirname, '../../../../docs');

/**
 * `describe` when Chromium is there; otherwise `describe.skip`, saying so, except under CI=true,
 * where its absence fails the file (`what` names the test in the message).
 */
export function describeInBrowser(what: string): jest.Describe {
  if (existsSync(CHROMIUM)) return describe;
  const missing = `${CHROMIUM} is absent (apt-get install -y chromium)`;
  if (process.env.CI === 'true') throw new Error(`The ${what} cannot run: ${missing}.`);
  console.warn(`Skipping the ${what}: ${missing}.`);
  return describe.skip;
}

/** How the page is opened. */
export interface PageOptions {
  /** The page's size. @default 1440×960 */
  readonly viewport?: { width: number; height: number };
  /** Also collect what the page logs at error level. @default false */
  readonly consoleErrors?: boolean;
}

/** A headless Chromium with one page, its uncaught errors (and, if asked, console errors) collected in `pageErrors`. */
export async function launchPage(
  options: PageOptions = {},
): Promise<{ browser: Browser; page: Page; pageErrors: string[] }> {
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 1440, height: 960 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  if (options.consoleErrors)
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  return { browser, page, pageErrors };
}

/**
 * A screenshot in test-output/local-stack/; with `readme` and JIT_DOCS_SCREENSHOTS=1 also copied
 * to docs/ (a test run never changes tracked files unless asked).
 */
export async function screenshot(page: Page, name: string, readme?: string): Promise<void> {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path });
  if (readme && process.env.JIT_DOCS_SCREENSHOTS === '1') copyFileSync(path, join(DOCS, readme));
}

/** Chooses who the sandbox acts as; the page redraws on every change, so a choice lost to a redraw is made again. */
export function actAs(page: Page, user: string): Promise<void> {
  return eventually(async () => {
    await page.getByLabel('You are').selectOption(user);
    expect(await page.locator('body').getAttribute('data-user', { timeout: 1000 })).toBe(user);
  });
}

/** Types a slash command into the sandbox's composer and sends it. */
export async function command(page: Page, line: string): Promise<void> {
  await page.getByLabel('Slash command').fill(line);
  await page.getByLabel('Slash command').press('Enter');
}

/** Answers the sandbox's confirmation dialog (a button's `confirm`) with its `label` button, and sees it close. */
export async function confirmDialog(page: Page, label: string): Promise<void> {
  const dialog = page.getByRole('alertdialog');
  await see(dialog).visible();
  await dialog.getByRole('button', { name: label }).click();
  await see(dialog).hidden();
}

/** The local stack and a page on its sandbox, with the sandbox's controls bound to the page. */
export interface StackInBrowser {
  readonly stack: LocalStack;
  readonly page: Page;
  /** The page's uncaught errors so far. */
  readonly pageErrors: string[];
  /** A screenshot of the page (see `screenshot`). */
  shot(name: string, readme?: string): Promise<void>;
  /** Chooses who the sandbox acts as. */
  actAs(user: string): Promise<void>;
  /** Sends a slash command. */
  command(line: string): Promise<void>;
  /** Answers a confirmation dialog with its `label` button. */
  confirm(label: string): Promise<void>;
}

/**
 * For a `describe`: starts the local stack (on a free port, with `options`) and a page before its tests,
 * closes both after them, and gives them to the tests through the returned getter.
 */
export function useStackInBrowser(options: Omit<LocalStackOptions, 'port'> = {}): () => StackInBrowser {
  let stack: LocalStack | undefined;
  let browser: Browser | undefined;
  let opened: StackInBrowser | undefined;
  beforeAll(async () => {
    stack = await startLocalStack({ port: await freePort(), ...options });
    const launched = await launchPage();
    browser = launched.browser;
    const { page, pageErrors } = launched;
    opened = {
      stack,
      page,
      pageErrors,
      shot: (name, readme) => screenshot(page, name, readme),
      actAs: (user) => actAs(page, user),
      command: (line) => command(page, line),
      confirm: (label) => confirmDialog(page, label),
    };
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });
  return () => {
    if (!opened) throw new Error('The local stack and its page start before the tests: use them inside a test.');
    return opened;
  };
}
