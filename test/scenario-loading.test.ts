import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHECK_NAMES, formatIssue, loadScenarioFile } from '../src/scenario/index.ts';
import { issuesFrom, issuesIn, scenarioFrom } from './scenario-helpers.ts';

describe('resolving a valid scenario', () => {
  it('fills in every default from a file with only a name', () => {
    expect(scenarioFrom('name: x\n')).toStrictEqual({
      name: 'x',
      seed: 1,
      devices: 3,
      durationMs: 600_000,
      quiesceTimeoutMs: 600_000,
      resumeMs: 300_000,
      system: {
        client: 'reference',
        server: 'reference',
        transport: 'simulated',
        timeScale: 60,
        conflict: 'server-wins',
        ordering: 'dependency',
        batchSize: 50,
        syncIntervalMs: 30_000,
        debounceMs: 2_000,
        retry: { baseMs: 1_000, maxMs: 300_000, budgetPerHour: 20 },
        requestTimeoutMs: 30_000,
        pokes: false,
      },
      network: { latencyMsMin: 20, latencyMsMax: 200 },
      workload: {
        ratePerSecond: 0.1,
        mix: { create: 0.3, update: 0.45, delete: 0.15, refresh: 0.1 },
        contention: 0.3,
        noteShare: 0.8,
        resolveDelayMsMin: 10_000,
        resolveDelayMsMax: 120_000,
      },
      faults: [],
      checks: [...CHECK_NAMES],
      allow: ['overwritten'],
      thresholds: {},
    });
  });

  it('maps snake_case keys and unit strings onto camelCase fields in milliseconds and per second', () => {
    const scenario = scenarioFrom(`
name: tuned
description: a faster network
duration: 2h
quiesce_timeout: 90s
system: { client: ./clients/mine.ts, conflict: manual, ordering: serial, batch_size: 10, sync_interval: 500ms, debounce: 0ms, retry: { base: 2s, max: 1m, budget: 1/min }, request_timeout: 5s }
network: { latency: { min: 0ms, max: 1s } }
workload: { rate: 2/s, contention: 1, note_share: 0, resolve_delay: { min: 1s, max: 5s } }
checks: [divergence]
`);
    expect(scenario).toMatchObject({
      description: 'a faster network',
      durationMs: 7_200_000,
      quiesceTimeoutMs: 90_000,
      system: {
        client: './clients/mine.ts',
        conflict: 'manual',
        ordering: 'serial',
        batchSize: 10,
        syncIntervalMs: 500,
        debounceMs: 0,
        retry: { baseMs: 2_000, maxMs: 60_000, budgetPerHour: 60 },
        requestTimeoutMs: 5_000,
      },
      network: { latencyMsMin: 0, latencyMsMax: 1_000 },
      workload: { ratePerSecond: 2, contention: 1, noteShare: 0, resolveDelayMsMin: 1_000, resolveDelayMsMax: 5_000 },
      checks: ['divergence'],
    });
  });

  it('weighs an operation left out of a given mix as 0', () => {
    expect(scenarioFrom('name: x\nworkload: { mix: { create: 1 } }\n').workload.mix).toEqual({ create: 1, update: 0, delete: 0, refresh: 0 });
  });

  it('accepts the committed baseline scenario', () => {
    const result = loadScenarioFile(fileURLToPath(new URL('../scenarios/baseline.yaml', import.meta.url)));
    expect(result.ok && result.scenario).toMatchObject({ name: 'baseline', seed: 42, devices: 3, durationMs: 600_000 });
  });
});

describe('reporting problems', () => {
  it('reports a misspelt key, a wrong type and a bad duration together, each at its position', () => {
    const text = ['name: x', 'devices: three', 'duration: 10 minutes', 'workload: { rat: 6/min }', ''].join('\n');
    expect(issuesIn(text)).toStrictEqual([
      {
        file: 'scenarios/x.yaml',
        line: 2,
        col: 10,
        path: 'devices',
        message: 'expected an integer, found "three" (string)',
      },
      {
        file: 'scenarios/x.yaml',
        line: 3,
        col: 11,
        path: 'duration',
        message: 'expected a positive duration like "90s" (whole number of ms, s, m or h), found "10 minutes"',
      },
      {
        file: 'scenarios/x.yaml',
        line: 4,
        col: 13,
        path: 'workload.rat',
        message: "unknown key; did you mean 'rate'?",
      },
    ]);
  });

  it('formats an issue as file:line:col, key path and message', () => {
    const [issue] = issuesIn('name: x\nworkload:\n  rat: 6/min\n');
    expect(formatIssue(issue!)).toBe("scenarios/x.yaml:3:3 workload.rat: unknown key; did you mean 'rate'?");
  });

  it('suggests the snake_case key for a camelCase spelling', () => {
    expect(issuesIn('name: x\nsystem: { batchSize: 5 }\n')[0]?.message).toBe("unknown key; did you mean 'batch_size'?");
  });

  it('lists the valid keys when no key is close to an unknown one', () => {
    expect(issuesIn('name: x\nnetwork: { packet_loss: 0.1 }\n')[0]).toMatchObject({
      line: 2,
      col: 12,
      path: 'network.packet_loss',
      message: "unknown key; valid keys here are 'latency'",
    });
  });

  it('points a missing required key at the mapping that lacks it', () => {
    expect(issuesIn('# comment\n\nseed: 7\n')).toStrictEqual([
      { file: 'scenarios/x.yaml', line: 3, col: 1, path: 'name', message: 'missing required key' },
    ]);
  });

  it('points a latency minimum above its maximum at the maximum', () => {
    expect(issuesIn('name: x\nnetwork:\n  latency:\n    min: 1s\n    max: 10ms\n')).toStrictEqual([
      {
        file: 'scenarios/x.yaml',
        line: 5,
        col: 10,
        path: 'network.latency.max',
        message: 'expected a duration >= min (1s), found "10ms"',
      },
    ]);
  });

  it('reports an unreadable latency bound without comparing the bounds', () => {
    expect(issuesIn('name: x\nnetwork: { latency: { min: soon, max: 10ms } }\n')).toMatchObject([
      { path: 'network.latency.min', message: 'expected a duration like "90s" (whole number of ms, s, m or h), found "soon"' },
    ]);
  });

  it('points at the offending item of a list', () => {
    expect(issuesIn('name: x\nchecks: [divergence, typo]\n')).toMatchObject([
      { line: 2, col: 22, path: 'checks[1]', message: expect.stringMatching(/^expected one of "lost-write", .*"writes-follow-reads", found "typo"$/) },
    ]);
  });

  it.each([
    ['rate: 6 per minute', 'workload.rate', 'expected a rate like "6/min" (a number per s, min or h), found "6 per minute"'],
    ['mix: { create: 0 }', 'workload.mix', 'expected at least one operation weight above 0, found all weights 0'],
    ['contention: 1.5', 'workload.contention', 'expected a number from 0 to 1, found 1.5'],
  ])('rejects the workload setting %j', (setting, path, message) => {
    expect(issuesIn(`name: x\nworkload:\n  ${setting}\n`)).toMatchObject([{ line: 3, path, message }]);
  });

  it('rejects an out-of-range integer, a zero duration and an empty check list', () => {
    const issues = issuesIn('name: x\ndevices: 65\nsystem: { sync_interval: 0s }\nchecks: []\n');
    expect(issues.map(formatIssue)).toStrictEqual([
      'scenarios/x.yaml:2:10 devices: expected an integer from 1 to 64, found 65',
      'scenarios/x.yaml:3:26 system.sync_interval: expected a positive duration like "90s" (whole number of ms, s, m or h), found "0s"',
      'scenarios/x.yaml:4:9 checks: expected a non-empty list of check names, found an empty list',
    ]);
  });

  it('reports YAML syntax errors at their positions', () => {
    expect(issuesIn('name: x\nname: y\n')).toStrictEqual([
      { file: 'scenarios/x.yaml', line: 2, col: 1, path: '', message: 'duplicate key: a key may appear only once in a mapping' },
    ]);
    expect(issuesIn('name: x\ndescription: "unterminated\n')).toMatchObject([{ line: 3, col: 1, path: '' }]);
  });

  it('rejects an empty file and a top level that is not a mapping', () => {
    expect(issuesIn('# nothing here\n').map(formatIssue)).toStrictEqual([
      "scenarios/x.yaml:1:1 the file is empty; expected a mapping with at least a 'name' key",
    ]);
    expect(issuesIn('- name: x\n').map(formatIssue)).toStrictEqual([
      'scenarios/x.yaml:1:1 expected a mapping of scenario settings, found a list',
    ]);
  });

  it('reports a file that cannot be read at its first line', () => {
    expect(issuesFrom(loadScenarioFile('scenarios/does-not-exist.yaml'))).toStrictEqual([
      {
        file: 'scenarios/does-not-exist.yaml',
        line: 1,
        col: 1,
        path: '',
        message: 'cannot read the scenario file: no such file',
      },
    ]);
  });
});
