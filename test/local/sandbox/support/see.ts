/**
 * Retrying checks on Playwright locators (playwright-core has no `expect`): each waits up to twenty
 * seconds for the page to reach the expected state, then fails with jest's message.
 */
import type { Locator } from 'playwright-core';

// Generous: a loaded 2-core CI machine redraws slowly; a passing check returns as soon as it holds.
const TIMEOUT_MS = 20_000;

/** Retries an assertion until it passes or the time is up (then throws its last failure). */
export async function eventually(assertion: () => Promise<void> | void, timeoutMs = TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Checks on one locator, each retried until the page gets there. */
export function see(locator: Locator) {
  return {
    visible: () => locator.waitFor({ state: 'visible', timeout: TIMEOUT_MS }),
    hidden: () => locator.waitFor({ state: 'hidden', timeout: TIMEOUT_MS }),
    attached: () => locator.waitFor({ state: 'attached', timeout: TIMEOUT_MS }),
    text: (expected: string | string[]) =>
      eventually(async () =>
        expect(
          Array.isArray(expected) ? await locator.allTextContents() : await locator.textContent({ timeout: 1000 }),
        ).toEqual(expected),
      ),
    containsText: (expected: string) =>
      eventually(async () => expect(await locator.textContent({ timeout: 1000 })).toContain(expected)),
    value: (expected: string) =>
      eventually(async () => expect(await locator.inputValue({ timeout: 1000 })).toBe(expected)),
    checked: () => eventually(async () => expect(await locator.isChecked({ timeout: 1000 })).toBe(true)),
    attribute: (name: string, expected: string) =>
      eventually(async () => expect(await locator.getAttribute(name, { timeout: 1000 })).toBe(expected)),
    count: (expected: number) => eventually(async () => expect(await locator.count()).toBe(expected)),
    focused: () =>
      eventually(async () =>
        expect(
          await locator.evaluate((el) => el === el.ownerDocument.activeElement, undefined, { timeout: 1000 }),
        ).toBe(true),
      ),
  };
}
