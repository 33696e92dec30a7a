/**
 * What the browser tests of the local stack's sandbox share: Debian's Chromium (through
 * playwright-core), the rule for when it is absent, a page that collects its errors, screenshots
 * (copied under docs/ for the README only when asked), and the sandbox's own controls.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { eventually } from './see';

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

/** A headless Chromium with one page, its uncaught errors collected in `pageErrors`. */
export async function launchPage(): Promise<{ browser: Browser; page: Page; pageErrors: string[] }> {
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
  const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
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
