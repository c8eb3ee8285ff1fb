import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
/** Only a developer machine without Debian's chromium may skip; CI (CI set) installs it and must run this. */
const skip = !existsSync(CHROMIUM) && !process.env.CI;
if (skip) console.warn(`report.html browser test SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium); it always runs when CI is set`);

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Set it to a folder to keep screenshots of the report before and after the steps (nothing is written otherwise). */
const SHOTS_DIR = process.env.SYNC_CHAOS_SHOTS_DIR;

/** A short failing case with one fault: deletes the client never pushes, some of them saved while d1 and d2 are cut off. */
const PARTITION = { startMs: 20_000, stopMs: 60_000 };
const SCENARIO = `name: deletes-under-partition
seed: 42
devices: 3
duration: 2m
workload:
  rate: 12/min
  mix: { create: 0.3, update: 0.4, delete: 0.3 }
  contention: 0.3
faults:
  - { at: 20s, for: 40s, partition: { target: [d1, d2], mode: drop } }
allow: [overwritten]
`;

interface ReportViolation {
  checker: string;
  summary: string;
  record?: { id: string };
  writes?: { device: string; op: number; atMs: number }[];
}

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS_DIR) return;
  mkdirSync(SHOTS_DIR, { recursive: true });
  await page.screenshot({ path: join(SHOTS_DIR, `report-html-${name}.png`), fullPage: true });
}

const zoomWindow = async (page: Page) => {
  const box = page.locator('#timeline-box');
  return { fromMs: Number(await box.getAttribute('data-from-ms')), toMs: Number(await box.getAttribute('data-to-ms')) };
};

describe.skipIf(skip)('report.html in a real browser', () => {
  it('opens offline with tiles matching report.json, filters to one checker, and a click on a violation zooms the timeline to it and lists only the faults during its writes', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sync-chaos-html-'));
    const scenario = join(out, 'deletes-under-partition.yaml');
    writeFileSync(scenario, SCENARIO);
    const { code } = await runCli(['run', scenario, '--client', 'fixtures/clients/never-pushes-deletes.ts', '--reporter', 'html', '--reporter', 'json', '--out', out]);
    expect(code).toBe(1);
    const report = JSON.parse(readFileSync(join(out, 'latest', 'report.json'), 'utf8'));
    const reported = report.cases[0];
    const violations: ReportViolation[] = reported.violations;
    const resurrections = violations.filter((violation) => violation.checker === 'resurrection');
    expect(resurrections.length).toBeGreaterThan(0);
    expect(resurrections.length).toBeLessThan(violations.length);
    expect(reported).not.toHaveProperty('timeline');
    const during = (violation: ReportViolation) => violation.writes!.every((write) => write.atMs >= PARTITION.startMs && write.atMs <= PARTITION.stopMs);
    const inPartition = resurrections.find(during)!;
    const outside = resurrections.find((violation) => violation.writes!.every((write) => write.atMs > PARTITION.stopMs + 10_000))!;
    expect(inPartition).toBeDefined();
    expect(outside).toBeDefined();

    const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'sync-chaos-chromium-')), { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 } });
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
      expect(await page.locator('#timeline .lane-label').allTextContents()).toEqual(['server', 'd1', 'd2', 'd3']);
      // root cause first: the resurrections lead the list, the divergences they cause come after
      expect(await page.locator('button.violation').first().getAttribute('data-checker')).toBe('resurrection');
      expect(await page.locator('#checker-counts').textContent()).toContain(`${resurrections.length} resurrection`);

      const tiles = page.locator('[data-stat]');
      expect(await tiles.count()).toBeGreaterThanOrEqual(12);
      for (const tile of await tiles.all()) {
        const path = (await tile.getAttribute('data-stat'))!;
        const value = path.split('.').reduce((at, name) => at[name], reported);
        expect(`${path}: ${await tile.locator('b').textContent()}`).toBe(`${path}: ${value}`);
      }
      expect(await page.locator('[data-stat="summary.resurrected"] b').textContent()).toBe(String(resurrections.length));
      expect(await page.locator('#legend').textContent()).toMatch(/devices:d1d2d3faults:partition/);
      const full = await zoomWindow(page);
      expect(full).toEqual({ fromMs: 0, toMs: reported.simulatedMs });
      await shot(page, '1-before');

      await page.locator('#filter-checker').selectOption('resurrection');
      expect(await page.locator('button.violation').count()).toBe(resurrections.length);
      expect(new Set(await page.locator('button.violation').evaluateAll((buttons) => buttons.map((button) => button.getAttribute('data-checker'))))).toEqual(new Set(['resurrection']));
      // only the filtered violations' writes are marked on the timeline
      const cited = new Set(resurrections.flatMap((violation) => violation.writes!.map((write) => `${write.device}:${write.op}`)));
      expect(await page.locator('#timeline .write.involved').count()).toBe(cited.size);
      await page.locator('#group-by').selectOption('record');
      expect(await page.locator('details.group').count()).toBe(new Set(resurrections.map((violation) => violation.record!.id)).size);
      const ofRecord = (violation: ReportViolation) => resurrections.filter((each) => each.record!.id === violation.record!.id).map((each) => `[resurrection] ${each.summary}`);
      await page.locator('#search').fill(inPartition.record!.id.slice(0, 8));
      // the list follows the search box once typing pauses
      await expect.poll(() => page.locator('button.violation').allTextContents()).toEqual(ofRecord(inPartition));
      await shot(page, '2-filtered');

      await page.locator('button.violation', { hasText: inPartition.summary }).click();
      const history = page.locator('#history');
      await expect.poll(() => history.locator('h3').first().textContent()).toContain(inPartition.record!.id);
      const zoomed = await zoomWindow(page);
      expect(zoomed.fromMs).toBeLessThanOrEqual(inPartition.writes![0]!.atMs);
      expect(zoomed.toMs).toBeGreaterThanOrEqual(inPartition.writes!.at(-1)!.atMs);
      expect(zoomed.toMs - zoomed.fromMs).toBeLessThan(full.toMs / 10);
      expect(await page.locator('#timeline .write.chosen').count()).toBe(inPartition.writes!.length);
      expect(await history.locator('h3').nth(1).textContent()).toBe('Faults during these writes (1)');
      expect(await history.locator('ul.faults li').textContent()).toMatch(/^partition \(drop\) on d1, d2: 20\.0s – 1m00s$/);
      expect(await page.locator('svg.chart').count()).toBe(2);
      await expect.poll(() => page.locator('svg.chart .fault-band[data-kind="partition"]').first().isVisible()).toBe(true);
      expect(await page.locator('#timeline .fault[data-kind="partition"]').count()).toBe(2);
      await shot(page, '3-zoomed');

      // a delete saved well after the partition healed (beyond the zoom's 5s of context): no fault overlapped its writes
      await page.locator('#search').fill(outside.record!.id.slice(0, 8));
      await expect.poll(() => page.locator('button.violation').allTextContents()).toEqual(ofRecord(outside));
      await page.locator('button.violation', { hasText: outside.summary }).click();
      await expect.poll(() => history.locator('h3').nth(1).textContent()).toBe('Faults during these writes (0)');
      expect(await page.locator('svg.chart .fault-band').count()).toBe(0);

      await page.locator('#reset-zoom').click();
      expect(await zoomWindow(page)).toEqual(full);
      expect(await page.locator('svg.chart .fault-band[data-kind="partition"]').count()).toBe(2);

      // a drag across the middle of the timeline zooms to the part it crossed
      const lanes = (await page.locator('#timeline').boundingBox())!;
      await page.mouse.move(lanes.x + lanes.width * 0.4, lanes.y + lanes.height / 2);
      await page.mouse.down();
      await page.mouse.move(lanes.x + lanes.width * 0.6, lanes.y + lanes.height / 2, { steps: 4 });
      await page.mouse.up();
      const dragged = await zoomWindow(page);
      expect(dragged.fromMs).toBeGreaterThan(full.toMs * 0.3);
      expect(dragged.toMs).toBeLessThan(full.toMs * 0.7);

      await context.grantPermissions(['clipboard-read', 'clipboard-write']);
      await page.locator('#copy-replay').click();
      await expect.poll(() => page.locator('#copy-replay').textContent()).toBe('Copied');
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(reported.replay);

      expect(problems).toEqual([]);
      expect(requests.filter((each) => each !== url)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
