/**
 * Opens a report in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) the
 * way a person would, and says what they would see: console errors, page errors, requests that
 * tried to leave the machine (a report must open offline), and for every chart whether it drew an
 * SVG with marks. Each call uses a fresh profile directory, removed afterwards.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export function chromiumMissingReason(): string | null {
  return existsSync(CHROMIUM_PATH) ? null : `${CHROMIUM_PATH} not found (apt-get install chromium)`;
}

export interface ChartSeen {
  id: string;
  kind: string;
  svgs: number;
  /** Mark groups that draw data (role mark or cell) with at least one item. */
  markGroups: number;
  markItems: number;
}

export interface PageSeen {
  consoleErrors: string[];
  externalRequests: string[];
  chartsDone: boolean;
  chartsRendered: number;
  charts: ChartSeen[];
  title: string;
  text: string;
}

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Runs in the page (a string: the project's tsconfig has no DOM types). */
const IN_PAGE = `(() => {
  const charts = Array.from(document.querySelectorAll('figure.chart')).map((fig) => {
    const groups = Array.from(fig.querySelectorAll('svg g')).filter((g) =>
      /(^|\\s)mark-[\\w-]+\\s+role-(mark|cell)(\\s|$)/.test(g.getAttribute('class') || ''));
    const withItems = groups.filter((g) => g.children.length > 0);
    return {
      id: fig.id.replace(/^figure-/, ''),
      kind: fig.getAttribute('data-kind') || '',
      svgs: fig.querySelectorAll('svg').length,
      markGroups: withItems.length,
      markItems: withItems.reduce((n, g) => n + g.children.length, 0),
    };
  });
  return {
    charts,
    chartsRendered: Number(document.body.getAttribute('data-charts-rendered') || '0'),
    title: document.title,
    text: document.body.innerText,
  };
})()`;

export async function openReport(htmlPath: string, screenshotPath?: string): Promise<PageSeen> {
  const profile = mkdtempSync(join(tmpdir(), 'cnisim-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    viewport: { width: 1200, height: 900 },
  });
  const consoleErrors: string[] = [];
  const externalRequests: string[] = [];
  try {
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:') || url.startsWith('blob:'))
        return route.continue();
      externalRequests.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load', timeout: 60_000 });
    let chartsDone = true;
    try {
      await page.waitForSelector('body[data-charts-done="true"]', { timeout: 60_000 });
    } catch {
      chartsDone = false;
    }
    const seen = (await page.evaluate(IN_PAGE)) as Omit<
      PageSeen,
      'consoleErrors' | 'externalRequests' | 'chartsDone'
    >;
    if (screenshotPath) await page.screenshot({ path: screenshotPath, fullPage: true });
    return { consoleErrors, externalRequests, chartsDone, ...seen };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
