import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'sync-chaos-scenario-input-'));

function file(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

describe.skipIf(process.platform === 'win32')('sync-chaos validate on files that once crashed or hung it', () => {
  it('answers exit 2 with a located problem for each, no stack trace, and a capped list for a file with thousands', async () => {
    const reproducers = {
      aliases: file('aliases.yaml', `name: &n x\ndescription: [${Array.from({ length: 101 }, () => '*n').join(', ')}]\n`),
      anchor: file('anchor.yaml', 'name: x\ndescription: *nope\n'),
      merge: file('merge.yaml', '%YAML 1.1\n---\nname: x\n<<: 5\n'),
      overflow: file('overflow.yaml', 'name: x\nduration: 9007199254740991ms\nfaults:\n  - { at: 9007199254740991ms, for: 1ms, server_restart: {} }\n'),
      retryMax: file('retry-max.yaml', 'name: x\nsystem: { retry: { base: 1h, max: 1s } }\n'),
      budget: file('budget.yaml', 'name: x\nsystem: { retry: { budget: 0/h } }\n'),
      errors: file('errors.yaml', `name: x\nfaults: [\n${Array.from({ length: 5_000 }, (_, index) => `- a${index}\n`).join('')}`),
      huge: file('huge.yaml', `name: x\nfaults: [\n${Array.from({ length: 500_000 }, (_, index) => `- a${index}\n`).join('')}`),
      fifo: join(scratch, 'fifo.yaml'),
      device: '/dev/zero',
    };
    execFileSync('mkfifo', [reproducers.fifo]);
    const { code, stdout, stderr } = await runCli(['validate', ...Object.values(reproducers)]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).not.toMatch(/^\s+at /m);
    const lines = stderr.split('\n');
    const linesOf = (path: string) => lines.filter((line) => line.startsWith(`${path}:`));
    expect(linesOf(reproducers.aliases)).toStrictEqual([`${reproducers.aliases}:2:415 too many aliases: a scenario file may use at most 100 (a limit against alias bombs)`]);
    expect(linesOf(reproducers.anchor)).toStrictEqual([`${reproducers.anchor}:2:14 alias *nope names no anchor &nope before it`]);
    expect(linesOf(reproducers.merge)).toStrictEqual([`${reproducers.merge}:4:5 a merge (<<) takes a mapping, an alias of one or a list of them, found a scalar`]);
    expect(linesOf(reproducers.overflow)).toStrictEqual([
      `${reproducers.overflow}:2:11 duration: expected a duration of at most 10000h, found "9007199254740991ms"`,
      `${reproducers.overflow}:4:11 faults[0].at: expected a duration of at most 10000h, found "9007199254740991ms"`,
    ]);
    expect(linesOf(reproducers.retryMax)).toStrictEqual([`${reproducers.retryMax}:2:35 system.retry.max: expected a duration >= base (1h), found "1s"`]);
    expect(linesOf(reproducers.budget)).toStrictEqual([
      `${reproducers.budget}:2:28 system.retry.budget: expected a positive rate like "6/min" (a number per s, min or h), found "0/h"`,
    ]);
    const errorLines = linesOf(reproducers.errors);
    expect(errorLines).toHaveLength(51);
    expect(errorLines.at(-1)).toMatch(new RegExp(`^${reproducers.errors}: \\d+ more problems not listed$`));
    expect(linesOf(reproducers.huge)).toStrictEqual([
      `${reproducers.huge}:1:1 cannot read the scenario file: it holds 4888908 bytes; a scenario file may hold at most 1048576 bytes (1 MiB)`,
    ]);
    expect(linesOf(reproducers.fifo)).toStrictEqual([`${reproducers.fifo}:1:1 cannot read the scenario file: it is a FIFO (named pipe), not a regular file`]);
    expect(linesOf('/dev/zero')).toStrictEqual(['/dev/zero:1:1 cannot read the scenario file: it is a character device, not a regular file']);
  });

  it('refuses the hang reproducer (a sync interval of 285 years), and ends its largest allowed form as a failing case', async () => {
    const settings = (interval: string) => `name: hang\ndevices: 1\nduration: 10s\nresume: 5s\nsystem: { request_timeout: 1ms, sync_interval: ${interval} }\n`;
    const refused = await runCli(['validate', file('hang.yaml', settings('9007199254740s'))]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('hang.yaml:5:48 system.sync_interval: expected a duration of at most 10000h, found "9007199254740s"');
    const { code, stdout } = await runCli(['run', file('hang-bounded.yaml', settings('10000h'))]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/\[liveness\] d1 still had \d+ records? waiting to sync when the quiescence after the chaos phase timed out/);
  });
});
