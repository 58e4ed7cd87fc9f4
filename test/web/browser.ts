// Headless Chromium for the web client's end-to-end tests (playwright-core
// driving Debian's chromium), plus the build they need and small steps the
// tests share. One browser per test file; one context (its own storage, so
// its own customer) per visitor.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type Locator, type Page, chromium } from 'playwright-core';
import { waitFor } from '../helpers/cluster.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'screenshots');

export const PHONE = { width: 390, height: 844 };
export const LAPTOP = { width: 1366, height: 900 };

/** `npm test` builds first; a test file run alone builds when there is no build yet. */
export function ensureWebBuild(): void {
  if (existsSync(join(ROOT, 'client', 'web', 'dist', 'index.html'))) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'client/web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
}

/** A new visitor: fresh storage, phone or laptop sized. Browser errors are collected for the test to check. */
export async function visitor(browser: Browser, baseURL: string, viewport: typeof PHONE): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const phone = viewport.width < 600;
  const context = await browser.newContext({ baseURL, viewport, deviceScaleFactor: phone ? 2 : 1, isMobile: phone, hasTouch: phone, locale: 'en-GB', timezoneId: 'Europe/London' });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  return { context, page, problems };
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage, animations: 'disabled', caret: 'hide' });
}

/** Waits until the locator's text matches (a live update, a quote arriving). */
export async function waitForText(locator: Locator, expected: string | RegExp, timeoutMs = 20_000): Promise<string> {
  let last = '';
  try {
    return await waitFor(
      `text ${String(expected)}`,
      async () => {
        last = (await locator.innerText({ timeout: 1_000 })).trim();
        return (typeof expected === 'string' ? last.includes(expected) : expected.test(last)) ? last : null;
      },
      timeoutMs,
    );
  } catch {
    // What the page was saying instead (its alerts and status messages), for a failure that happened elsewhere.
    const said = await locator.page().locator('[role=alert], [role=status], [aria-live]').allInnerTexts().catch(() => []);
    throw new Error(`expected ${locator.toString()} to show ${String(expected)}, last saw ${JSON.stringify(last)}; the page said ${JSON.stringify(said.filter((t) => t.trim()))}`);
  }
}

export interface Details {
  firstName: string;
  lastName: string;
  phone: string;
  postcode: string;
  address: string;
}

const LABELS: Record<keyof Details, string> = { firstName: 'First name', lastName: 'Last name', phone: 'Phone', postcode: 'Postcode', address: 'Address' };

export async function fillDetails(page: Page, details: Partial<Details>): Promise<void> {
  for (const [key, value] of Object.entries(details) as [keyof Details, string][]) {
    await page.getByLabel(LABELS[key], { exact: true }).fill(value);
  }
}

/** The token the app keeps for a returning customer. */
export function storedToken(page: Page): Promise<string | null> {
  return page.evaluate(() => localStorage.getItem('just-hungry.token'));
}

/**
 * What axe-core finds wrong with the page as it is now (every rule axe runs by
 * default, WCAG A/AA and best practice), plus the page's count of level-one
 * headings when it is not one: an empty list means nothing. `state` names
 * the screen in the messages.
 */
export async function accessibilityProblems(page: Page, state: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_SCRIPT });
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return {
      violations: results.violations.map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`.trim()).join(' | ')}`),
      headingsOne: document.querySelectorAll('h1').length,
    };
  });
  const problems = found.violations.map((v) => `${state}: ${v}`);
  if (found.headingsOne !== 1) problems.push(`${state}: ${found.headingsOne} level-one headings`);
  return problems;
}

/** WCAG 2.5.5's size for a touch target. */
export const TOUCH_TARGET_PX = 44;

/**
 * Controls on the page smaller than TOUCH_TARGET_PX either way. A control's
 * target is its label when it has one around it (a radio's whole row); skip
 * links are measured although they sit out of view until focused.
 */
export function smallTouchTargets(page: Page, state: string): Promise<string[]> {
  return page.evaluate(
    ({ state, minPx }) => {
      const small: string[] = [];
      for (const element of document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, summary')) {
        const target = element.closest('label') ?? element;
        const box = target.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue; // not shown
        // Half a pixel for rounding: 2.75rem is 44 px.
        if (box.width + 0.5 < minPx || box.height + 0.5 < minPx) {
          const name = element.getAttribute('aria-label') ?? (target.textContent ?? '').trim().slice(0, 40);
          small.push(`${state}: ${element.tagName.toLowerCase()} "${name}" is ${Math.round(box.width)}×${Math.round(box.height)} px`);
        }
      }
      return small;
    },
    { state, minPx: TOUCH_TARGET_PX },
  );
}

/** The focused element, as a screen reader would name it: its role-ish tag and accessible name. */
export function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return 'body';
    const name = element.getAttribute('aria-label') ?? (element.textContent ?? '').replace(/\s+/g, ' ').trim();
    return `${element.tagName.toLowerCase()} "${name}"`;
  });
}

/** The token the app keeps for a member of staff signed in to this tab (sessionStorage: the tab's only). */
export function storedStaffToken(page: Page): Promise<string | null> {
  return page.evaluate(() => sessionStorage.getItem('just-hungry.staff-token'));
}

/** Signs a member of staff in on the page shown (a staff screen, /staff or /cluster), as they would: pasting their token. */
export async function signInStaff(page: Page, token: string): Promise<void> {
  await page.getByLabel('Staff token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
