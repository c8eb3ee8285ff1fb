// `run` flags that cannot work are bad input before any case runs: an --out that cannot hold the
// run folder (a file, a path through a file, a device, an empty name, /proc, /sys), a seed past
// 2^53 - 1 or too many of them, --seed beside a --seeds range, and more workers than the cap.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.ts';

const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-flags-'));
const aFile = join(folder, 'a-file');
writeFileSync(aFile, 'not a folder\n');
const cap = availableParallelism() * 4;

/** Each reproducer: the flags after `run scenarios/baseline.yaml`, and what stderr must say. */
const REPRODUCERS: [string, string[], string][] = [
  ['--out naming a file', ['--reporter', 'json', '--out', aFile], `--out ${JSON.stringify(aFile)}: cannot create the run folder there (it exists and is not a folder)`],
  ['--out under a file', ['--reporter', 'junit', '--out', join(aFile, 'runs')], 'cannot create the run folder there (a part of the path is a file, not a folder)'],
  ['--out /dev/null', ['--reporter', 'markdown', '--out', '/dev/null'], '--out "/dev/null": cannot create the run folder there (it exists and is not a folder)'],
  ['an empty --out', ['--reporter', 'json', '--out', ''], '--out "": an empty folder name'],
  ['--out under /proc (node spins there)', ['--reporter', 'json', '--out', '/proc/sync-chaos-reports'], '--out "/proc/sync-chaos-reports": cannot create the run folder there (the path cannot exist here)'],
  ['--out under /sys with --trace', ['--trace', '--out', '/sys/sync-chaos-reports'], '--out "/sys/sync-chaos-reports": cannot create the run folder there (not writable by this user)'],
  ['a huge --seeds count', ['--seeds', '999999999999'], '--seeds 999999999999: 999999999999 seeds is more than the 1000000 one run takes'],
  ['a --seed past 2^53 - 1', ['--seed', '9007199254740992', '--seeds', '3'], '--seed: seed 9007199254740992 is past 9007199254740991'],
  ['--seed with a --seeds range', ['--seed', '5', '--seeds', '1..3'], '--seed 5 with the range --seeds 1..3: both say where the seeds start'],
  ['more --workers than the cap', ['--workers', String(cap + 1)], `--workers ${cap + 1}: at most ${cap} here (4 per core, ${availableParallelism()} cores)`],
];

describe('run flags', () => {
  it.concurrent.each(REPRODUCERS)('turns away %s with exit 2 before any case runs', async (_name, flags, message) => {
    const { code, stdout, stderr } = await runCli(['run', 'scenarios/baseline.yaml', ...flags]);
    expect({ code, stderr }).toEqual({ code: 2, stderr: expect.stringContaining(message) });
    expect(stdout).toBe('');
  });

  it('creates a missing --out with its parents, and takes the cap itself as --workers', async () => {
    const out = join(folder, 'new', 'deeper');
    const { code, stderr } = await runCli(['run', 'scenarios/baseline.yaml', '--reporter', 'json', '--workers', String(cap), '--out', out]);
    expect(code).toBe(0);
    expect(stderr).toContain(`reports: ${join(out, '')}`);
  });
});
