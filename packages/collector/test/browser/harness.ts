// Starts what the browser tests need, for real: the collector from its compiled entry on a
// random port with a temporary SQLite file, and Debian's Chromium driven by playwright-core.
// Nothing is downloaded: a missing browser or a missing Explorer build fails loudly.

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.SLUICE_CHROMIUM ?? '/usr/bin/chromium';

/** Repository root, from dist/test/browser/. */
const REPO = path.join(__dirname, '../../../../..');
export const ARTIFACTS = path.join(REPO, 'test-artifacts', 'explorer');

interface CollectorModule {
  startCollector(options: Record<string, unknown>): Promise<RunningCollector>;
}

export interface RunningCollector {
  url: string;
  token: string | null;
  close(): Promise<void>;
}

export interface Harness {
  collector: RunningCollector;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

const COLLECTOR_ENTRY = path.join(__dirname, '../../src/index.js');
const UI_INDEX = path.join(__dirname, '../../../ui/dist/index.html');

export async function startCollector(options: { token?: string | null } = {}): Promise<{
  collector: RunningCollector;
  dir: string;
}> {
  if (!existsSync(UI_INDEX))
    throw new Error(`the Explorer is not built (${UI_INDEX} missing): run npm run build`);
  const mod = require(COLLECTOR_ENTRY) as CollectorModule;
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-explorer-'));
  const collector = await mod.startCollector({
    host: '127.0.0.1',
    port: 0,
    storeUrl: path.join(dir, 'collector.db'),
    autoCloseAfterMs: 0,
    ...(options.token !== undefined ? { token: options.token } : {}),
  });
  return { collector, dir };
}

export async function launch(): Promise<{ context: BrowserContext; profile: string }> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  const profile = mkdtempSync(path.join(tmpdir(), 'sluice-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1360, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return { context, profile };
}

export async function harness(options: { token?: string | null } = {}): Promise<Harness> {
  const { collector, dir } = await startCollector(options);
  let browser: { context: BrowserContext; profile: string };
  try {
    browser = await launch();
  } catch (err) {
    await collector.close();
    throw err;
  }
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  // A script error in the Explorer must fail the test that caused it.
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  (page as Page & { scriptErrors?: string[] }).scriptErrors = errors;
  return {
    collector,
    context: browser.context,
    page,
    async close() {
      await browser.context.close().catch(() => {});
      await collector.close();
      rmSync(browser.profile, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function scriptErrors(page: Page): string[] {
  return (page as Page & { scriptErrors?: string[] }).scriptErrors ?? [];
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export async function api<T>(collector: RunningCollector, pathAndQuery: string): Promise<T> {
  const headers: Record<string, string> = {};
  if (collector.token) headers.authorization = `Bearer ${collector.token}`;
  const res = await fetch(`${collector.url}${pathAndQuery}`, { headers });
  if (!res.ok) throw new Error(`${pathAndQuery}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
