// The programmatic API, `import { run } from 'sync-chaos'`, for teams that drive sweeps from their
// own test suite: it resolves with the very cases the JSON reporter writes, prints nothing by
// default, and takes the project config's settings.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { run } from '../src/index.ts';

const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-api-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const scenario = join(folder, 'tiny.yaml');
writeFileSync(scenario, 'name: tiny\nseed: 1\ndevices: 2\nduration: 30s\nresume: 0ms\n');

describe('run() from the package', () => {
  it('resolves with the cases report.json holds, and prints nothing unless a reporter is asked for', async () => {
    const printed = vi.spyOn(process.stdout, 'write');
    const outcome = await run({ scenarios: [scenario], seeds: 2, workers: 1, reporters: ['json'], out: join(folder, 'reports'), config: false });
    const written = printed.mock.calls.map(([text]) => String(text));
    printed.mockRestore();
    const report = JSON.parse(readFileSync(join(folder, 'reports/latest/report.json'), 'utf8'));
    expect(outcome).toEqual({ exitCode: 0, verdict: report.verdict, totals: report.totals, cases: report.cases });
    expect(outcome.cases.map((entry) => [entry.scenario, entry.seed, entry.verdict])).toEqual([['tiny', 1, 'pass'], ['tiny', 2, 'pass']]);
    expect(written).toEqual([]);
  });

  it('rejects options the CLI would refuse', async () => {
    await expect(run({ scenarios: [scenario], seed: 3, seeds: '1..2', config: false })).rejects.toThrow(/--seed 3 with the range --seeds 1\.\.2/);
  });
});
