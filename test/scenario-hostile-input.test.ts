import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue, loadScenarioFile, MAX_ALIASES, MAX_LISTED_ISSUES, MAX_SCENARIO_BYTES, parseScenario } from '../src/scenario/index.ts';
import { issuesFrom, issuesIn } from './scenario-helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'sync-chaos-hostile-'));

describe('YAML that the loader once threw on', () => {
  it('refuses an alias beyond the alias limit at that alias, saying it is a limit', () => {
    const text = `name: &n x\ndescription: [${Array.from({ length: MAX_ALIASES + 1 }, () => '*n').join(', ')}]\n`;
    expect(issuesIn(text)).toStrictEqual([
      { file: 'scenarios/x.yaml', line: 2, col: 15 + 4 * MAX_ALIASES, path: '', message: 'too many aliases: a scenario file may use at most 100 (a limit against alias bombs)' },
    ]);
  });

  it('reads 100 aliases of one anchor as YAML and reports the schema problem they make', () => {
    const text = `name: &n x\ndescription: [${Array.from({ length: MAX_ALIASES }, () => '*n').join(', ')}]\n`;
    expect(issuesIn(text).map(formatIssue)).toStrictEqual(['scenarios/x.yaml:2:14 description: expected a string, found a list']);
  });

  it('refuses an alias bomb: few aliases, each doubling the last', () => {
    const levels = Array.from({ length: 30 }, (_, index) => `l${index + 1}: &l${index + 1} [*l${index}, *l${index}]`);
    const issues = issuesIn(['name: x', 'l0: &l0 [a, b]', ...levels, ''].join('\n'));
    expect(issues).toMatchObject([{ path: '', message: 'aliases repeat more than 100000 values in all (a limit against alias bombs)' }]);
    expect(issues[0]?.line).toBeGreaterThan(2);
  });

  it('reports an alias to an anchor that does not exist, or comes later, at the alias', () => {
    expect(issuesIn('name: x\ndescription: *nope\n').map(formatIssue)).toStrictEqual(['scenarios/x.yaml:2:14 alias *nope names no anchor &nope before it']);
    expect(issuesIn('description: *n\nname: &n x\n')).toMatchObject([{ line: 1, col: 14, message: 'alias *n names no anchor &n before it' }]);
  });

  it('reports an alias inside the value its anchor names', () => {
    expect(issuesIn('name: x\ndescription: &d [*d]\n')).toMatchObject([{ line: 2, col: 18, message: 'alias *d is inside the value it names' }]);
  });

  it('reports a YAML 1.1 merge of a scalar at the merged value, and accepts a merge of a mapping', () => {
    expect(issuesIn('%YAML 1.1\n---\nname: x\n<<: 5\n').map(formatIssue)).toStrictEqual([
      'scenarios/x.yaml:4:5 a merge (<<) takes a mapping, an alias of one or a list of them, found a scalar',
    ]);
    expect(issuesIn('%YAML 1.1\n---\nbase: &b { min: 1s }\nname: x\nnetwork: { latency: { <<: [*b, 7] } }\n')).toMatchObject([
      { line: 5, col: 32, message: 'a merge (<<) takes a mapping, an alias of one or a list of them, found a scalar' },
    ]);
    const merged = parseScenario('%YAML 1.1\n---\nname: x\nnetwork: { latency: { <<: { min: 1s }, max: 2s } }\n', 'x.yaml');
    expect(merged.ok && merged.scenario.network).toStrictEqual({ latencyMsMin: 1_000, latencyMsMax: 2_000 });
  });

  it('reports a duplicate key at the second one', () => {
    expect(issuesIn('name: x\nseed: 1\nname: y\n').map(formatIssue)).toStrictEqual([
      'scenarios/x.yaml:3:1 duplicate key: a key may appear only once in a mapping',
    ]);
  });

  it('reports a second document where it starts, without reading it', () => {
    expect(issuesIn('name: x\n---\nname: y\n: : [\n').map(formatIssue)).toStrictEqual([
      'scenarios/x.yaml:2:1 a scenario file holds one YAML document; a second one starts here',
    ]);
    expect(issuesIn('%YAML 1.2\n---\nname: x\n...\n---\nname: y\n')).toMatchObject([{ line: 5, col: 1 }]);
  });

  it('reports nesting too deep for the YAML reader at the place it gave up', () => {
    const issues = issuesIn(`name: x\ndescription: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`);
    expect(issues[0]).toMatchObject({ line: 2, path: '', message: 'the YAML nests too deeply to read here' });
  });
});

describe('a file with thousands of problems', () => {
  it('lists the first 50 in source order and counts the rest, for syntax errors', () => {
    const text = `name: x\nfaults: [\n${Array.from({ length: 2_000 }, (_, index) => `- a${index}\n`).join('')}`;
    const result = parseScenario(text, 'big.yaml');
    const { issues } = { issues: issuesFrom(result) };
    expect(issues).toHaveLength(MAX_LISTED_ISSUES);
    expect(issues.map(({ line, col }) => line * 1e6 + col)).toStrictEqual(issues.map(({ line, col }) => line * 1e6 + col).sort((a, b) => a - b));
    expect(result.ok || result.unlisted).toBeGreaterThan(5_000);
  });

  it('lists the first 50 and counts the rest, for schema problems', () => {
    const text = `name: x\nworkload:\n${Array.from({ length: 3_000 }, (_, index) => `  k${index}: 1\n`).join('')}`;
    const result = parseScenario(text, 'keys.yaml');
    expect(issuesFrom(result).map(({ line }) => line)).toStrictEqual(Array.from({ length: MAX_LISTED_ISSUES }, (_, index) => index + 3));
    expect(result.ok || result.unlisted).toBe(3_000 - MAX_LISTED_ISSUES);
  });
});

describe('files that are not scenario files', () => {
  it('refuses a file over the size cap without parsing it', () => {
    const path = join(scratch, 'huge.yaml');
    writeFileSync(path, `name: x\ndescription: "${'a'.repeat(MAX_SCENARIO_BYTES)}"\n`);
    expect(issuesFrom(loadScenarioFile(path))).toStrictEqual([
      { file: path, line: 1, col: 1, path: '', message: `cannot read the scenario file: it holds ${MAX_SCENARIO_BYTES + 24} bytes; a scenario file may hold at most 1048576 bytes (1 MiB)` },
    ]);
  });

  it('refuses a directory', () => {
    expect(issuesFrom(loadScenarioFile(scratch))).toMatchObject([{ line: 1, col: 1, message: 'cannot read the scenario file: it is a directory, not a regular file' }]);
  });

  it.skipIf(process.platform === 'win32')('refuses a FIFO without waiting for a writer', () => {
    const fifo = join(scratch, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(issuesFrom(loadScenarioFile(fifo))).toMatchObject([{ message: 'cannot read the scenario file: it is a FIFO (named pipe), not a regular file' }]);
  });

  it.skipIf(!existsSync('/dev/zero'))('refuses a device without reading from it', () => {
    expect(issuesFrom(loadScenarioFile('/dev/zero'))).toMatchObject([{ file: '/dev/zero', message: 'cannot read the scenario file: it is a character device, not a regular file' }]);
  });
});

describe('echoing what a file holds', () => {
  it('escapes newlines and escape sequences in an unknown key, so a message stays one line and forges none', () => {
    const [issue] = issuesIn('name: x\n"evil\\nscenarios/x.yaml:1:1 \\e[31mok": 1\n');
    const line = formatIssue(issue!);
    expect(line).toBe('scenarios/x.yaml:2:1 evil\\nscenarios/x.yaml:1:1 \\u001b[31mok: unknown key; valid keys here are ' + line.split('valid keys here are ')[1]);
    expect(line).not.toMatch(/[\n\u001b]/);
  });

  it('cuts a long key and a long value to a readable length, saying how long they were', () => {
    expect(issuesIn(`name: x\n${'k'.repeat(1_000)}: 1\n`)[0]?.path).toBe(`${'k'.repeat(40)}… (1000 characters)`);
    const [issue] = issuesIn(`name: x\nsystem: { conflict: "${'\u202e'.repeat(3)}${'v'.repeat(100_000)}" }\n`);
    expect(issue?.message).toMatch(/^expected one of .*, found "\\u202e\\u202e\\u202ev{57}"… \(100003 characters\)$/);
  });

  it('escapes a device id echoed from a fault target', () => {
    const id = `d${'9'.repeat(500)}`;
    expect(issuesIn(`name: x\nfaults: [{ at: 1m, kill: { target: ${id} } }]\n`)[0]?.message).toBe(
      `expected a device from d1 to d3, found "d${'9'.repeat(59)}"… (501 characters)`,
    );
  });
});

describe('limits in the schema', () => {
  it('bounds durations, so that a fault at the largest time plus its length cannot overflow', () => {
    const text = 'name: x\nduration: 9007199254740991ms\nfaults:\n  - { at: 9007199254740991ms, for: 1ms, server_restart: {} }\n';
    expect(issuesIn(text).map(formatIssue)).toStrictEqual([
      'scenarios/x.yaml:2:11 duration: expected a duration of at most 10000h, found "9007199254740991ms"',
      'scenarios/x.yaml:4:11 faults[0].at: expected a duration of at most 10000h, found "9007199254740991ms"',
    ]);
    expect(issuesIn('name: x\nfaults: [{ at: 1m, clock: { offset: -10001h } }]\n')[0]?.message).toBe('expected a duration of at most 10000h, found "-10001h"');
  });

  it('bounds rates and weights', () => {
    expect(issuesIn('name: x\nworkload: { rate: 1001/s }\n')[0]?.message).toBe('expected a rate of at most 1000/s, found "1001/s"');
    expect(issuesIn(`name: x\nnemesis: { kinds: [kill], rate: 1${'0'.repeat(400)}/h }\n`)[0]?.message).toMatch(/^expected a rate of at most 1000\/s, found "10{59}"… \(403 characters\)$/);
    expect(issuesIn('name: x\nworkload: { mix: { create: 1e308, update: 1e308 } }\n').map(({ path }) => path)).toStrictEqual(['workload.mix.create', 'workload.mix.update']);
  });

  it("checks the reference client's retry rules at load, at the setting that breaks them", () => {
    expect(issuesIn('name: x\nsystem: { retry: { base: 1h, max: 1s } }\n').map(formatIssue)).toStrictEqual([
      'scenarios/x.yaml:2:35 system.retry.max: expected a duration >= base (1h), found "1s"',
    ]);
    expect(issuesIn('name: x\nsystem: { retry: { budget: 0/h } }\n').map(formatIssue)).toStrictEqual([
      'scenarios/x.yaml:2:28 system.retry.budget: expected a positive rate like "6/min" (a number per s, min or h), found "0/h"',
    ]);
  });
});
