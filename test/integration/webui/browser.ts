// Debian's chromium driven by playwright-core (installed in web-ui/'s own
// package, so it is loaded from there), for the admin web UI tests. Only the
// part of Playwright's API these tests use is typed here: the root package
// compiles without web-ui/node_modules.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '../harness/paths.js';

export const CHROMIUM = '/usr/bin/chromium';
const WEB_UI = join(repoRoot, 'web-ui');

// As root and on a machine without internet access: no sandbox, no GPU, and
// none of Chromium's own background connections (refused here, and slow).
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface Locator {
  click(opts?: { timeout?: number }): Promise<void>;
  fill(value: string, opts?: { timeout?: number }): Promise<void>;
  check(opts?: { timeout?: number }): Promise<void>;
  selectOption(value: string | { label: string }, opts?: { timeout?: number }): Promise<string[]>;
  press(key: string): Promise<void>;
  focus(): Promise<void>;
  waitFor(opts?: { state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number }): Promise<void>;
  textContent(): Promise<string | null>;
  innerText(): Promise<string>;
  inputValue(): Promise<string>;
  getAttribute(name: string): Promise<string | null>;
  isVisible(): Promise<boolean>;
  count(): Promise<number>;
  first(): Locator;
  nth(i: number): Locator;
  filter(opts: { hasText?: string | RegExp }): Locator;
  locator(selector: string): Locator;
  getByRole(role: string, opts?: { name?: string | RegExp; exact?: boolean }): Locator;
  getByLabel(text: string | RegExp, opts?: { exact?: boolean }): Locator;
  getByText(text: string | RegExp, opts?: { exact?: boolean }): Locator;
}

export interface Page {
  goto(url: string, opts?: { waitUntil?: 'load' | 'domcontentloaded' | 'networkidle' }): Promise<unknown>;
  url(): string;
  locator(selector: string): Locator;
  getByRole(role: string, opts?: { name?: string | RegExp; exact?: boolean }): Locator;
  getByLabel(text: string | RegExp, opts?: { exact?: boolean }): Locator;
  getByText(text: string | RegExp, opts?: { exact?: boolean }): Locator;
  screenshot(opts: { path: string; fullPage?: boolean }): Promise<Buffer>;
  evaluate<T>(fn: () => T): Promise<T>;
  evaluate<T, A>(fn: (arg: A) => T, arg: A): Promise<T>;
  waitForEvent(event: 'download', opts?: { timeout?: number }): Promise<Download>;
  waitForFunction(fn: () => unknown, arg?: unknown, opts?: { timeout?: number; polling?: number }): Promise<unknown>;
  getByTestId(id: string): Locator;
  keyboard: { press(key: string): Promise<void>; type(text: string): Promise<void> };
  on(event: 'console', cb: (m: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', cb: (e: Error) => void): void;
  on(event: 'dialog', cb: (d: { accept(): Promise<void>; message(): string }) => void): void;
  setDefaultTimeout(ms: number): void;
}

export interface Download {
  suggestedFilename(): string;
  path(): Promise<string | null>;
}

export interface BrowserContext {
  newPage(): Promise<Page>;
  grantPermissions(permissions: string[], opts?: { origin?: string }): Promise<void>;
  close(): Promise<void>;
}

export interface Browser {
  newContext(opts: { ignoreHTTPSErrors?: boolean; acceptDownloads?: boolean; viewport?: { width: number; height: number }; locale?: string; timezoneId?: string }): Promise<BrowserContext>;
  close(): Promise<void>;
}

interface PlaywrightCore {
  chromium: { launch(opts: { executablePath: string; args: string[]; headless?: boolean; timeout?: number }): Promise<Browser> };
}

function playwrightPath(): string | undefined {
  try {
    return createRequire(join(WEB_UI, 'package.json')).resolve('playwright-core');
  } catch {
    return undefined;
  }
}

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserSkipReason(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} missing: apt-get install chromium (scripts/setup.sh does)`;
  if (!playwrightPath()) return 'playwright-core missing in web-ui/node_modules: run scripts/setup.sh';
  if (!existsSync(join(WEB_UI, 'dist', 'index.html'))) return 'web-ui/dist not built: run scripts/setup.sh';
  return undefined;
}

export async function launchChromium(): Promise<Browser> {
  const path = playwrightPath();
  if (!path) throw new Error('playwright-core is not installed in web-ui/node_modules');
  const pw = createRequire(join(WEB_UI, 'package.json'))('playwright-core') as PlaywrightCore;
  return pw.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
}

/** A page of either driver (Playwright here, Puppeteer for Firefox) as far as screenshots go. */
export interface Screenshotter {
  screenshot(opts: { path: string; fullPage?: boolean }): Promise<unknown>;
}

/**
 * Screenshots of one test, numbered in the order taken, in
 * web-ui/test-artifacts/<name>/ (gitignored): what a person would have seen
 * at each step. The folder is printed as the test starts.
 */
export function artifacts(name: string): { dir: string; shot: (page: Screenshotter, step: string) => Promise<void> } {
  const dir = join(WEB_UI, 'test-artifacts', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.stdout.write(`screenshots of ${name}: ${dir}\n`);
  let n = 0;
  return {
    dir,
    shot: async (page, step) => {
      n += 1;
      await page.screenshot({ path: join(dir, `${String(n).padStart(2, '0')}-${step}.png`), fullPage: true });
    },
  };
}

/** What has the keyboard focus: enough to say which control it is. */
export interface Focused {
  tag: string;
  id: string;
  name: string;
  text: string;
  label: string;
}

/**
 * Presses Tab until `want` holds for the focused element, as a keyboard user
 * would (at most `max` presses); fails naming where the focus went.
 */
export async function tabTo(page: Page, what: string, want: (f: Focused) => boolean, max = 80): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      const id = el?.id ?? '';
      const label = id ? (document.querySelector(`label[for="${CSS.escape(id)}"]`)?.textContent ?? '') : '';
      return { tag: el?.tagName.toLowerCase() ?? '', id, name: el?.getAttribute('name') ?? '', text: (el?.textContent ?? '').trim().slice(0, 40), label: label.trim() };
    });
    if (want(f)) return;
    seen.push(f.label || f.name || f.text || f.tag);
  }
  throw new Error(`Tab never reached ${what} in ${max} presses; went through: ${seen.join(' | ')}`);
}
