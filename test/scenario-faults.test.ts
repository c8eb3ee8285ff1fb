import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, type FaultKind, type FaultSpec } from '../src/scenario/fault-specs.ts';
import { formatIssue } from '../src/scenario/index.ts';
import { issuesIn, scenarioFrom } from './scenario-helpers.ts';

const ALL_THREE = ['d1', 'd2', 'd3'];

/** The resolved faults of a three-device, ten-minute scenario with these `faults:` entries. */
function faultsFrom(entries: string) {
  return scenarioFrom(`name: x\nfaults:\n${entries}`).faults;
}

function specOf(entry: string): FaultSpec | undefined {
  return faultsFrom(`  - ${entry}\n`)[0]?.spec;
}

const EXPECTED_KINDS =
  'partition, kill, clock, batch_failure, backup_restore, reinstall, suspend, upgrade, server_restart, server_restore, latency, loss, duplicate, reorder, tombstone_retention';

describe('resolving faults', () => {
  const defaults: [FaultKind, string, FaultSpec][] = [
    ['partition', '{}', { kind: 'partition', targets: ALL_THREE, mode: 'drop' }],
    ['kill', '{}', { kind: 'kill', targets: ALL_THREE, when: 'any', restartAfterMs: 10_000 }],
    ['clock', '{}', { kind: 'clock', targets: ALL_THREE, offsetMs: 0, skew: 0 }],
    ['batch_failure', '{}', { kind: 'batch_failure', mode: 'partial', appliedCount: 1, rejectShare: 0.5 }],
    ['backup_restore', '{}', { kind: 'backup_restore', targets: ALL_THREE, backupEveryMs: 300_000, ageMs: 600_000 }],
    ['reinstall', '{}', { kind: 'reinstall', targets: ALL_THREE }],
    ['suspend', '{}', { kind: 'suspend', targets: ALL_THREE, windowsPerHour: 0, windowMs: 30_000 }],
    ['upgrade', '{}', { kind: 'upgrade', targets: ALL_THREE, fromVersion: 1, fail: false }],
    ['server_restart', '{}', { kind: 'server_restart', downMs: 10_000 }],
    ['server_restore', '{}', { kind: 'server_restore', loseMs: 180_000 }],
    ['latency', '{}', { kind: 'latency', targets: ALL_THREE, latencyMsMin: 500, latencyMsMax: 3_000 }],
    ['loss', '{}', { kind: 'loss', targets: ALL_THREE, rate: 0.2 }],
    ['duplicate', '{}', { kind: 'duplicate', targets: ALL_THREE, rate: 0.1 }],
    ['reorder', '{}', { kind: 'reorder', targets: ALL_THREE, reorderMsMax: 2_000 }],
    ['tombstone_retention', '{}', { kind: 'tombstone_retention', olderThanMs: 600_000, everyMs: 60_000 }],
  ];

  it('has a defaults case for every fault kind', () => {
    expect(defaults.map(([kind]) => kind)).toStrictEqual([...FAULT_KINDS]);
  });

  it.each(defaults)('fills in the defaults of %s', (kind, settings, spec) => {
    expect(faultsFrom(`  - at: 1m\n    ${kind}: ${settings}\n`)).toStrictEqual([{ atMs: 60_000, spec }]);
  });

  it('resolves no faults and no nemesis when the file has neither', () => {
    const scenario = scenarioFrom('name: x\n');
    expect(scenario.faults).toStrictEqual([]);
    expect(scenario).not.toHaveProperty('nemesis');
  });

  it('keeps `for` in ms and starts a fault at 0ms', () => {
    expect(faultsFrom('  - { at: 0ms, for: 90s, server_restart: { down: 1m } }\n')).toStrictEqual([
      { atMs: 0, forMs: 90_000, spec: { kind: 'server_restart', downMs: 60_000 } },
    ]);
  });

  it.each([
    ['all', 5, ['d1', 'd2', 'd3', 'd4', 'd5']],
    ['d2', 3, ['d2']],
    ['[d3, d1, d3]', 3, ['d1', 'd3']],
    ['[d10, d2, d1]', 12, ['d1', 'd2', 'd10']],
  ])('resolves target %s among %i devices to %j', (target, devices, targets) => {
    const scenario = scenarioFrom(`name: x\ndevices: ${devices}\nfaults:\n  - { at: 1m, partition: { target: ${target} } }\n`);
    expect(scenario.faults[0]?.spec).toMatchObject({ targets });
  });

  it.each([
    ['-5m', -300_000],
    ['+90s', 90_000],
    ['90s', 90_000],
    ['-0s', 0],
  ])('reads the clock offset %s as %i ms', (offset, offsetMs) => {
    const spec = specOf(`{ at: 1m, clock: { offset: "${offset}", skew: -0.5 } }`);
    expect(spec).toStrictEqual({ kind: 'clock', targets: ALL_THREE, offsetMs, skew: -0.5 });
    expect(Object.is(spec?.kind === 'clock' && spec.offsetMs, offsetMs)).toBe(true);
  });

  it('maps every setting of every kind onto its camelCase field', () => {
    const faults = faultsFrom(
      [
        '  - { at: 1m, kill: { target: d2, when: during-sync, restart_after: 20s } }',
        '  - { at: 1m, batch_failure: { mode: reject, applied: 0, reject_share: 1 } }',
        '  - { at: 1m, backup_restore: { target: [d1], backup_every: 1m, age: 3m } }',
        '  - { at: 1m, suspend: { target: d3, windows: 1/min, window: 10s } }',
        '  - { at: 1m, partition: { mode: response-lost } }',
        '  - { at: 1m, upgrade: { target: d2, from: 2, fail: true } }',
        '',
      ].join('\n'),
    );
    expect(faults.map((fault) => fault.spec)).toStrictEqual([
      { kind: 'kill', targets: ['d2'], when: 'during-sync', restartAfterMs: 20_000 },
      { kind: 'batch_failure', mode: 'reject', appliedCount: 0, rejectShare: 1 },
      { kind: 'backup_restore', targets: ['d1'], backupEveryMs: 60_000, ageMs: 180_000 },
      { kind: 'suspend', targets: ['d3'], windowsPerHour: 60, windowMs: 10_000 },
      { kind: 'partition', targets: ALL_THREE, mode: 'response-lost' },
      { kind: 'upgrade', targets: ['d2'], fromVersion: 2, fail: true },
    ]);
  });

  it('resolves a full example file', () => {
    const scenario = scenarioFrom(`# yaml-language-server: $schema=../schema/scenario.schema.json
name: every fault
seed: 42
devices: 3
duration: 30m
system: { conflict: lww }
workload: { rate: 6/min }
faults:
  - at: 5m
    for: 6m
    partition: { target: [d1, d3], mode: drop }
  - at: 2m
    kill: { target: d2, when: during-sync, restart_after: 20s }
  - at: 1m
    for: 10m
    clock: { target: all, offset: -5m, skew: 0.02 }
  - at: 3m
    for: 2m
    batch_failure: { mode: partial, applied: 2 }
  - at: 20m
    backup_restore: { target: d1, backup_every: 5m, age: 10m }
  - at: 4m
    for: 26m
    suspend: { target: d2, windows: 2/h, window: 30s }
  - at: 6m
    server_restart: { down: 10s }
  - at: 1m
    for: 5m
    latency: { target: all, min: 500ms, max: 3s }
  - { at: 1m, for: 5m, loss: { target: d1, rate: 0.2 } }
  - { at: 1m, for: 5m, duplicate: { target: d1, rate: 0.1 } }
  - { at: 1m, for: 5m, reorder: { target: all, max: 2s } }
nemesis: { kinds: [partition, kill, clock], rate: 4/h, for: { min: 30s, max: 5m }, swarm: true }
checks: all
`);
    expect(scenario.faults).toStrictEqual([
      { atMs: 300_000, forMs: 360_000, spec: { kind: 'partition', targets: ['d1', 'd3'], mode: 'drop' } },
      { atMs: 120_000, spec: { kind: 'kill', targets: ['d2'], when: 'during-sync', restartAfterMs: 20_000 } },
      { atMs: 60_000, forMs: 600_000, spec: { kind: 'clock', targets: ALL_THREE, offsetMs: -300_000, skew: 0.02 } },
      { atMs: 180_000, forMs: 120_000, spec: { kind: 'batch_failure', mode: 'partial', appliedCount: 2, rejectShare: 0.5 } },
      { atMs: 1_200_000, spec: { kind: 'backup_restore', targets: ['d1'], backupEveryMs: 300_000, ageMs: 600_000 } },
      { atMs: 240_000, forMs: 1_560_000, spec: { kind: 'suspend', targets: ['d2'], windowsPerHour: 2, windowMs: 30_000 } },
      { atMs: 360_000, spec: { kind: 'server_restart', downMs: 10_000 } },
      { atMs: 60_000, forMs: 300_000, spec: { kind: 'latency', targets: ALL_THREE, latencyMsMin: 500, latencyMsMax: 3_000 } },
      { atMs: 60_000, forMs: 300_000, spec: { kind: 'loss', targets: ['d1'], rate: 0.2 } },
      { atMs: 60_000, forMs: 300_000, spec: { kind: 'duplicate', targets: ['d1'], rate: 0.1 } },
      { atMs: 60_000, forMs: 300_000, spec: { kind: 'reorder', targets: ALL_THREE, reorderMsMax: 2_000 } },
    ]);
    expect(scenario.nemesis).toStrictEqual({
      kinds: ['partition', 'kill', 'clock'],
      ratePerHour: 4,
      forMsMin: 30_000,
      forMsMax: 300_000,
      swarm: true,
    });
  });
});

describe('resolving the nemesis', () => {
  it('fills in the fault lengths and swarm mode', () => {
    expect(scenarioFrom('name: x\nnemesis: { kinds: [loss], rate: 1/min }\n').nemesis).toStrictEqual({
      kinds: ['loss'],
      ratePerHour: 60,
      forMsMin: 30_000,
      forMsMax: 300_000,
      swarm: false,
    });
  });

  it('reports every bad nemesis setting at once', () => {
    expect(issuesIn('name: x\nnemesis: { kinds: [partition, kil], for: { min: 1m, max: 10s }, swarm: yes }\n').map(formatIssue)).toStrictEqual([
      'scenarios/x.yaml:2:10 nemesis.rate: missing required key',
      `scenarios/x.yaml:2:31 nemesis.kinds[1]: expected one of ${EXPECTED_KINDS.split(', ').map((kind) => `"${kind}"`).join(', ')}, found "kil"`,
      'scenarios/x.yaml:2:58 nemesis.for.max: expected a duration >= min (1m), found "10s"',
      'scenarios/x.yaml:2:72 nemesis.swarm: expected true or false, found "yes" (string)',
    ]);
  });

  it('rejects an empty list of kinds', () => {
    expect(issuesIn('name: x\nnemesis: { kinds: [], rate: 4/h }\n')).toMatchObject([
      { line: 2, col: 19, path: 'nemesis.kinds', message: 'expected a non-empty list of fault kinds, found an empty list' },
    ]);
  });
});

describe('reporting bad faults', () => {
  it('names an entry without a fault kind, and one with two', () => {
    const text = ['name: x', 'faults:', '  - at: 1m', '    for: 2m', '  - at: 1m', '    partition: {}', '    kill: {}', ''].join('\n');
    expect(issuesIn(text).map(formatIssue)).toStrictEqual([
      `scenarios/x.yaml:3:5 faults[0]: expected exactly one fault kind (${EXPECTED_KINDS}), found none`,
      `scenarios/x.yaml:5:5 faults[1]: expected exactly one fault kind (${EXPECTED_KINDS}), found partition and kill`,
    ]);
  });

  it('suggests the fault kind or setting a misspelt key meant', () => {
    const text = 'name: x\nfaults:\n  - { at: 1m, partition: { tagret: d1 } }\n  - { at: 1m, kil: {} }\n';
    expect(issuesIn(text).map(formatIssue)).toStrictEqual([
      "scenarios/x.yaml:3:28 faults[0].partition.tagret: unknown key; did you mean 'target'?",
      `scenarios/x.yaml:4:5 faults[1]: expected exactly one fault kind (${EXPECTED_KINDS}), found none`,
      "scenarios/x.yaml:4:15 faults[1].kil: unknown key; did you mean 'kill'?",
    ]);
  });

  it('points at a device beyond the scenario, in a list and alone', () => {
    const text = 'name: x\nfaults:\n  - { at: 1m, partition: { target: [d1, d7] } }\n  - { at: 1m, kill: { target: d4 } }\n';
    expect(issuesIn(text)).toStrictEqual([
      {
        file: 'scenarios/x.yaml',
        line: 3,
        col: 41,
        path: 'faults[0].partition.target[1]',
        message: 'expected a device from d1 to d3, found "d7"',
      },
      {
        file: 'scenarios/x.yaml',
        line: 4,
        col: 31,
        path: 'faults[1].kill.target',
        message: 'expected a device from d1 to d3, found "d4"',
      },
    ]);
  });

  it.each([
    ['phone', 'faults[0].partition.target', 'expected a device id like "d1", found "phone"'],
    ['d0', 'faults[0].partition.target', 'expected a device id like "d1", found "d0"'],
    ['7', 'faults[0].partition.target', 'expected "all", a device id like "d1" or a non-empty list of device ids, found 7'],
    ['[d1, phone]', 'faults[0].partition.target[1]', 'expected a device id like "d1", found "phone"'],
    ['[]', 'faults[0].partition.target', 'expected a non-empty list of device ids, found an empty list'],
  ])('rejects the target %s', (target, path, message) => {
    expect(issuesIn(`name: x\nfaults:\n  - { at: 1m, partition: { target: ${target} } }\n`)).toMatchObject([{ line: 3, path, message }]);
  });

  it('points at a start or an end beyond the chaos phase', () => {
    const text = 'name: x\nduration: 10m\nfaults:\n  - { at: 12m, server_restart: {} }\n  - { at: 5m, for: 7m, loss: { rate: 1 } }\n  - { at: 5m, for: 5m, loss: { rate: 1 } }\n';
    expect(issuesIn(text).map(formatIssue)).toStrictEqual([
      'scenarios/x.yaml:4:11 faults[0].at: expected a time within duration (10m), found "12m"',
      'scenarios/x.yaml:5:20 faults[1].for: expected a time within duration (10m), found at + for = 12m',
    ]);
  });

  it.each([
    ['{ at: soon, loss: { rate: 0.1 } }', 'faults[0].at', 'expected a duration like "90s" (whole number of ms, s, m or h), found "soon"'],
    ['{ at: 1m, for: 0s, loss: { rate: 0.1 } }', 'faults[0].for', 'expected a positive duration like "90s" (whole number of ms, s, m or h), found "0s"'],
    ['{ for: 1m, loss: { rate: 0.1 } }', 'faults[0].at', 'missing required key'],
    ['{ at: 1m, loss: { rate: 1.5 } }', 'faults[0].loss.rate', 'expected a number from 0 to 1, found 1.5'],
    ['{ at: 1m, duplicate: { rate: -0.1 } }', 'faults[0].duplicate.rate', 'expected a number from 0 to 1, found -0.1'],
    ['{ at: 1m, latency: { min: 2s, max: 1s } }', 'faults[0].latency.max', 'expected a duration >= min (2s), found "1s"'],
    ['{ at: 1m, reorder: { max: 2 } }', 'faults[0].reorder.max', 'expected a duration like "90s" (whole number of ms, s, m or h), found 2 (number)'],
    ['{ at: 1m, clock: { skew: 0.6 } }', 'faults[0].clock.skew', 'expected a number from -0.5 to 0.5, found 0.6'],
    [
      '{ at: 1m, clock: { offset: "-5 m" } }',
      'faults[0].clock.offset',
      'expected a duration like "-5m" or "90s" (whole number of ms, s, m or h, optionally signed), found "-5 m"',
    ],
    ['{ at: 1m, batch_failure: { applied: -1 } }', 'faults[0].batch_failure.applied', 'expected an integer >= 0, found -1'],
    ['{ at: 1m, kill: { when: later } }', 'faults[0].kill.when', 'expected one of "any", "during-sync", "during-write", "idle", found "later"'],
    ['{ at: 1m, suspend: { windows: 2 per hour } }', 'faults[0].suspend.windows', 'expected a rate like "6/min" (a number per s, min or h), found "2 per hour"'],
    ['{ at: 1m, upgrade: { from: 3 } }', 'faults[0].upgrade.from', 'expected 1 or 2, found 3'],
    ['{ at: 1m, upgrade: { fail: yes } }', 'faults[0].upgrade.fail', 'expected true or false, found "yes" (string)'],
    ['partition', 'faults[0]', 'expected a mapping of fault settings (at, for and one fault kind), found "partition" (string)'],
  ])('rejects the fault %s', (entry, path, message) => {
    expect(issuesIn(`name: x\nfaults:\n  - ${entry}\n`)).toMatchObject([{ line: 3, path, message }]);
  });

  it('checks targets and times even when other parts of the file are wrong', () => {
    const text = 'name: x\nworkload: { rat: 1/s }\nfaults:\n  - { at: 1m, kill: { target: d5 } }\n  - { at: 20m, kill: { when: later } }\n  - { at: 20m, kill: {} }\n';
    expect(issuesIn(text).map(formatIssue)).toStrictEqual([
      "scenarios/x.yaml:2:13 workload.rat: unknown key; did you mean 'rate'?",
      'scenarios/x.yaml:4:31 faults[0].kill.target: expected a device from d1 to d3, found "d5"',
      'scenarios/x.yaml:5:30 faults[1].kill.when: expected one of "any", "during-sync", "during-write", "idle", found "later"',
      'scenarios/x.yaml:6:11 faults[2].at: expected a time within duration (10m), found "20m"',
    ]);
  });

  it('does not compare targets with a device count that failed', () => {
    expect(issuesIn('name: x\ndevices: many\nfaults:\n  - { at: 1m, kill: { target: d5 } }\n').map((issue) => issue.path)).toStrictEqual(['devices']);
  });
});
