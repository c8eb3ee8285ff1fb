import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
/** Only a developer machine without Debian's chromium may skip; CI (CI set) installs it and must run this. */
const skip = !existsSync(CHROMIUM) && !process.env.CI;
if (skip) console.warn(`report.html browser test SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium); it always runs when CI is set`);

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe.skipIf(skip)('report.html in a real browser', () => {
  it('opens offline without console errors, shows the violations, and a click on one shows its write history', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sync-chaos-html-'));
    const { code } = await runCli(['run', 'scenarios/baseline.yaml', '--client', 'fixtures/clients/never-pushes-deletes.ts', '--reporter', 'html', '--reporter', 'json', '--out', out]);
    expect(code).toBe(1);
    const report = JSON.parse(readFileSync(join(out, 'latest', 'report.json'), 'utf8'));
    const violations: { summary: string; record: { id: string } }[] = report.cases[0].violations;
    expect(violations.length).toBeGreaterThan(0);
    expect(report.cases[0]).not.toHaveProperty('timeline');

    const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'sync-chaos-chromium-')), { executablePath: CHROMIUM, headless: true, args: ARGS });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(String(error)));
      page.on('request', (request) => requests.push(request.url()));
      const url = pathToFileURL(join(out, 'latest', 'report.html')).href;
      await page.goto(url);

      await expect.poll(() => page.locator('button.violation').count()).toBe(violations.length);
      expect(await page.locator('tr.case-row').count()).toBe(1);
      expect(await page.locator('#timeline .lane-label').allTextContents()).toEqual(['server', 'd1', 'd2', 'd3']);
      expect(await page.locator('#timeline .write.involved').count()).toBeGreaterThan(0);
      expect(await page.locator('button.violation').first().textContent()).toBe(`[divergence] ${violations[0]!.summary}`);

      await page.locator('button.violation').first().click();
      const history = page.locator('#history');
      await expect.poll(() => history.locator('h3').first().textContent()).toContain(violations[0]!.record.id);
      const rows = history.locator('table.write-history tbody tr');
      expect(await rows.count()).toBeGreaterThan(0);
      expect(await rows.first().locator('td').nth(2).textContent()).toBe('create');
      expect(await page.locator('#timeline .write.chosen').count()).toBe(await rows.count());
      expect(await page.locator('svg.chart').count()).toBe(2);

      expect(problems).toEqual([]);
      expect(requests.filter((each) => each !== url)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
