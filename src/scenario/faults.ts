// The `faults:` list and `nemesis:` settings of a scenario file. Each fault entry is a start time, an optional
// length and exactly one fault kind with its settings. The checks that need the rest of the file (targets
// among `devices`, times within `duration`) run on the whole file, for every entry that parsed; the resolution
// turns entries into the ScheduledFault and NemesisSettings the simulator consumes (src/faults/types.ts).

import { z } from 'zod';
import {
  FAULT_KINDS,
  type BatchFailureMode,
  type FaultKind,
  type FaultSpec,
  type KillMoment,
  type NemesisSettings,
  type PartitionMode,
  type ScheduledFault,
} from './fault-specs.ts';
import type { KeyPath } from './key-path.ts';
import { expecting, quoted } from './expectation.ts';
import {
  duration,
  durationRange,
  durationValue,
  integer,
  maxAtLeastMin,
  numberFrom,
  oneOfValues,
  rate,
  rateValue,
  section,
  share,
  signedDuration,
} from './fields.ts';
import { formatDuration, perHour } from './units.ts';

const DEVICE_ID_PATTERN = /^d[1-9]\d*$/;

/** The members of a string union as a tuple for z.enum; leaving one out is a compile error. */
function everyMember<T extends string>() {
  type Missing<V extends readonly T[]> = Exclude<T, V[number]>;
  return <const V extends readonly [T, ...T[]]>(values: V & ([Missing<V>] extends [never] ? unknown : { missing: Missing<V> })) =>
    values;
}

export const PARTITION_MODES = everyMember<PartitionMode>()(['drop', 'hold', 'response-lost']);
export const KILL_MOMENTS = everyMember<KillMoment>()(['any', 'during-sync', 'during-write', 'idle']);
export const BATCH_FAILURE_MODES = everyMember<BatchFailureMode>()(['partial', 'response-lost', 'reject']);

function deviceId() {
  const error = expecting('a device id like "d1"');
  return z.string({ error }).regex(DEVICE_ID_PATTERN, { error });
}

/** `all`, one device id or a list of them; whether the ids exist is checked against `devices` later. */
function target() {
  return z
    .union([z.literal('all'), deviceId(), z.array(deviceId()).min(1, { error: expecting('a non-empty list of device ids') })], {
      error: expecting('"all", a device id like "d1" or a non-empty list of device ids'),
    })
    .default('all')
    .meta({ description: 'Devices the fault hits: "all", one device id like "d2", or a list of them.' });
}

type Target = z.output<ReturnType<typeof target>>;

function messageShare(what: string, fallback: number) {
  return share().default(fallback).meta({ description: `Share of messages to or from the target devices that are ${what}.` });
}

const faultKinds = {
  partition: section(
    {
      target: target(),
      mode: oneOfValues(PARTITION_MODES)
        .default('drop')
        .meta({ description: 'drop: airplane mode; hold: messages arrive on heal; response-lost: requests arrive, answers are lost.' }),
    },
    'partition settings (target, mode)',
  )
    .optional()
    .meta({ description: "Cut devices off the server (airplane mode), or lose the server's answers." }),
  kill: section(
    {
      target: target(),
      when: oneOfValues(KILL_MOMENTS).default('any').meta({ description: 'What the app is doing when it dies.' }),
      restart_after: duration('10s', 'How long the app stays dead before it boots again.'),
    },
    'kill settings (target, when, restart_after)',
  )
    .optional()
    .meta({ description: 'Kill the app process; it boots again from its database after restart_after.' }),
  clock: section(
    {
      target: target(),
      offset: signedDuration('0ms', 'Jump of the device clock, e.g. "-5m" (behind) or "90s" (ahead).'),
      skew: numberFrom(-0.5, 0.5).default(0).meta({ description: 'Drift of the device clock: 0.02 runs 2% fast, -0.02 2% slow.' }),
    },
    'clock settings (target, offset, skew)',
  )
    .optional()
    .meta({ description: 'Shift the device clock and make it drift.' }),
  batch_failure: section(
    {
      mode: oneOfValues(BATCH_FAILURE_MODES)
        .default('partial')
        .meta({ description: 'partial: apply the first changes of a push, then fail; response-lost: apply all, lose the answer; reject: reject some changes.' }),
      applied: integer(0).default(1).meta({ description: 'Changes applied before a partial push fails.' }),
      reject_share: share().default(0.5).meta({ description: 'Share of changes rejected in reject mode.' }),
    },
    'batch failure settings (mode, applied, reject_share)',
  )
    .optional()
    .meta({ description: 'Make the server fail pushes part-way, lose its answers, or reject changes.' }),
  backup_restore: section(
    {
      target: target(),
      backup_every: duration('5m', 'How often each device is backed up.'),
      age: duration('10m', 'How old the backup put back is.'),
    },
    'backup restore settings (target, backup_every, age)',
  )
    .optional()
    .meta({ description: 'Back devices up on a schedule and restore an old backup, rebooting the app on stale data.' }),
  reinstall: section({ target: target() }, 'reinstall settings (target)')
    .optional()
    .meta({
      description:
        'Delete the app and install it again: the store and data folder are wiped and the app boots fresh, pulling everything anew. Writes the server had are kept; the unsynced ones are lost to the reinstall (`allow: [reinstall]` accepts that).',
    }),
  suspend: section(
    {
      target: target(),
      windows: rate('0/h', 'Background sync windows the OS grants a suspended app, e.g. "2/h".'),
      window: duration('30s', 'Length of each background sync window.'),
    },
    'suspend settings (target, windows, window)',
  )
    .optional()
    .meta({ description: 'Background the app: no timers and no network, save for the windows the OS grants.' }),
  upgrade: section(
    {
      target: target(),
      from: z
        .literal([1, 2], { error: expecting('1 or 2') })
        .default(1)
        .meta({ description: 'The schema version of the build the devices run until the update (the latest is 3).' }),
      fail: z
        .boolean({ error: expecting('true or false') })
        .default(false)
        .meta({ description: 'The new build\'s last migration fails: it runs degraded on the old schema until the fault heals.' }),
    },
    'upgrade settings (target, from, fail)',
  )
    .optional()
    .meta({ description: 'Update the app: the devices run an older build from the start and boot the latest over its database at `at`.' }),
  server_restart: section({ down: duration('10s', 'How long the server is down while it restarts.') }, 'server restart settings (down)')
    .optional()
    .meta({ description: 'Restart the server; its committed data survives.' }),
  server_restore: section({ lose: duration('3m', 'How old the backup put back is: the commits of that last stretch are lost.') }, 'server restore settings (lose)')
    .optional()
    .meta({
      description:
        'Restore the server from an older backup: the commits it made in the last `lose` are gone, and its epoch moves on so that clients can tell. Clients must push again what the server no longer has, or surface it.',
    }),
  latency: section(
    {
      target: target(),
      min: duration('500ms', 'Shortest one-way delay during the fault.', { allowZero: true }),
      max: duration('3s', 'Longest one-way delay during the fault.', { allowZero: true }),
    },
    'latency settings (target, min, max)',
  )
    .check(maxAtLeastMin)
    .optional()
    .meta({ description: 'Delay each message to or from the target devices, drawn uniformly.' }),
  loss: section({ target: target(), rate: messageShare('lost', 0.2) }, 'loss settings (target, rate)')
    .optional()
    .meta({ description: 'Lose a share of the messages to or from the target devices.' }),
  duplicate: section({ target: target(), rate: messageShare('delivered twice', 0.1) }, 'duplicate settings (target, rate)')
    .optional()
    .meta({ description: 'Deliver a share of the messages to or from the target devices twice.' }),
  reorder: section(
    {
      target: target(),
      max: duration('2s', 'Longest extra delay of a message, so that later ones overtake it.', { allowZero: true }),
    },
    'reorder settings (target, max)',
  )
    .optional()
    .meta({ description: 'Delay messages to or from the target devices at random so that they arrive out of order.' }),
  tombstone_retention: section(
    {
      older_than: duration('10m', 'How long the server keeps a tombstone before it forgets the delete.'),
      every: duration('1m', 'How often the server prunes the tombstones older than that.'),
    },
    'tombstone retention settings (older_than, every)',
  )
    .optional()
    .meta({
      description:
        'Make the server prune tombstones older than `older_than` while the fault lasts. A device whose pull cursor is behind a pruned delete is told to resync from a snapshot (docs/protocol.md), and must not bring the deleted records back.',
    }),
} satisfies Record<FaultKind, z.ZodOptional>;

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindsIn(fault: Record<string, unknown>): FaultKind[] {
  return FAULT_KINDS.filter((kind) => fault[kind] !== undefined);
}

/** `partition, kill and clock`. */
function listInWords(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

const faultEntry = section(
  {
    at: durationValue({ allowZero: true }).meta({ description: 'When the fault starts, from the start of the run.' }),
    for: durationValue().optional().meta({ description: 'How long the fault lasts; without it, until the chaos phase ends.' }),
    ...faultKinds,
  },
  'fault settings (at, for and one fault kind)',
).superRefine(
  (fault, context) => {
    const kinds = kindsIn(fault);
    if (kinds.length === 1) return;
    context.addIssue({
      code: 'custom',
      input: fault,
      message: `expected exactly one fault kind (${FAULT_KINDS.join(', ')}), found ${kinds.length === 0 ? 'none' : listInWords(kinds)}`,
    });
  },
  // Also when another key of the entry failed: which kinds it names is known all the same.
  { when: ({ value }) => isMapping(value) },
).meta({ oneOf: FAULT_KINDS.map((kind) => ({ required: [kind] })) }); // so editors also demand exactly one kind

type FaultEntry = z.output<typeof faultEntry>;

export const faultList = z.array(faultEntry, { error: expecting('a list of faults') });

export const nemesisSection = section(
  {
    kinds: z
      .array(oneOfValues(FAULT_KINDS), { error: expecting('a list of fault kinds') })
      .min(1, { error: expecting('a non-empty list of fault kinds') })
      .meta({ description: 'Fault kinds the nemesis draws from.' }),
    rate: rateValue().meta({ description: 'How often the nemesis starts a fault, e.g. "4/h".' }),
    for: durationRange(
      'fault length bounds',
      { min: '30s', max: '5m' },
      { min: 'Shortest fault the nemesis draws.', max: 'Longest fault the nemesis draws.' },
    )
      .prefault({})
      .meta({ description: 'How long each drawn fault lasts, drawn uniformly.' }),
    swarm: z
      .boolean({ error: expecting('true or false') })
      .default(false)
      .meta({ description: "Draw each fault's settings from the seed too, within src/scenario/swarm-ranges.ts, and print them; without swarm, drawn faults take each kind's defaults." }),
  },
  'nemesis settings (kinds, rate, for, swarm)',
);

/** The parts of a parsed scenario file the fault checks need. */
interface FaultContext {
  devices: number;
  duration: number;
  faults: FaultEntry[];
}

type RawIssue = z.core.$ZodRawIssue;

/**
 * Checks each fault against the scenario: its targets among the devices and its times within the chaos phase.
 * Runs even when other parts of the file failed, comparing only values that parsed; `when` admits only a
 * mapping with a list of faults, so every issue that could spoil a value here sits at or below its path.
 */
function checkFaultsFit(file: FaultContext, context: z.core.$RefinementCtx<FaultContext>): void {
  const parsed = (path: KeyPath) =>
    !context.issues.some((issue) => issue.code !== 'unrecognized_keys' && startsWith(issue.path ?? [], path));
  file.faults.forEach((fault, index) => {
    const path = ['faults', index];
    if (!parsed(path)) return;
    if (parsed(['devices'])) context.issues.push(...targetIssues(fault, file.devices, path));
    if (parsed(['duration'])) context.issues.push(...timeIssues(fault, file.duration, path));
  });
}

export const faultsFitScenario = z.superRefine(checkFaultsFit, {
  when: ({ value }) => isMapping(value) && Array.isArray(value['faults']),
});

function startsWith(path: KeyPath, prefix: KeyPath): boolean {
  return prefix.every((segment, index) => path[index] === segment);
}

function kindOf(fault: FaultEntry): FaultKind {
  const [kind] = kindsIn(fault);
  if (kind === undefined) throw new Error('a validated fault entry holds no fault kind');
  return kind;
}

function targetIssues(fault: FaultEntry, devices: number, entryPath: PropertyKey[]): RawIssue[] {
  const kind = kindOf(fault);
  const settings = fault[kind];
  if (settings === undefined || !('target' in settings)) return [];
  const path = [...entryPath, kind, 'target'];
  const listed =
    typeof settings.target === 'string' ? [{ id: settings.target, path }] : settings.target.map((id, index) => ({ id, path: [...path, index] }));
  return listed
    .filter(({ id }) => id !== 'all' && deviceNumber(id) > devices)
    .map(({ id, path: itemPath }) => ({
      code: 'custom',
      input: id,
      path: itemPath,
      message: `expected a device from d1 to d${devices}, found ${quoted(id)}`,
    }));
}

function timeIssues(fault: FaultEntry, durationMs: number, entryPath: PropertyKey[]): RawIssue[] {
  const expected = `expected a time within duration (${formatDuration(durationMs)})`;
  if (fault.at > durationMs) {
    return [{ code: 'custom', input: fault.at, path: [...entryPath, 'at'], message: `${expected}, found "${formatDuration(fault.at)}"` }];
  }
  const end = fault.at + (fault.for ?? 0);
  if (end <= durationMs) return [];
  return [{ code: 'custom', input: fault.for, path: [...entryPath, 'for'], message: `${expected}, found at + for = ${formatDuration(end)}` }];
}

function deviceNumber(id: string): number {
  return Number(id.slice(1));
}

/** Device ids in device order without repeats; `all` is every device of the scenario. */
function targetsOf(target: Target, devices: number): string[] {
  if (target === 'all') return Array.from({ length: devices }, (_, index) => `d${index + 1}`);
  const ids = typeof target === 'string' ? [target] : target;
  return [...new Set(ids)].sort((a, b) => deviceNumber(a) - deviceNumber(b));
}

type KindSettings<K extends FaultKind> = NonNullable<FaultEntry[K]>;
type Resolvers = { [K in FaultKind]: (settings: KindSettings<K>, devices: number) => Extract<FaultSpec, { kind: K }> };

const RESOLVERS: Resolvers = {
  partition: ({ target, mode }, devices) => ({ kind: 'partition', targets: targetsOf(target, devices), mode }),
  kill: ({ target, when, restart_after }, devices) => ({ kind: 'kill', targets: targetsOf(target, devices), when, restartAfterMs: restart_after }),
  clock: ({ target, offset, skew }, devices) => ({ kind: 'clock', targets: targetsOf(target, devices), offsetMs: offset, skew }),
  batch_failure: ({ mode, applied, reject_share }) => ({ kind: 'batch_failure', mode, appliedCount: applied, rejectShare: reject_share }),
  backup_restore: ({ target, backup_every, age }, devices) => ({
    kind: 'backup_restore',
    targets: targetsOf(target, devices),
    backupEveryMs: backup_every,
    ageMs: age,
  }),
  reinstall: ({ target }, devices) => ({ kind: 'reinstall', targets: targetsOf(target, devices) }),
  suspend: ({ target, windows, window }, devices) => ({
    kind: 'suspend',
    targets: targetsOf(target, devices),
    windowsPerHour: perHour(windows),
    windowMs: window,
  }),
  upgrade: ({ target, from, fail }, devices) => ({ kind: 'upgrade', targets: targetsOf(target, devices), fromVersion: from, fail }),
  server_restart: ({ down }) => ({ kind: 'server_restart', downMs: down }),
  server_restore: ({ lose }) => ({ kind: 'server_restore', loseMs: lose }),
  latency: ({ target, min, max }, devices) => ({ kind: 'latency', targets: targetsOf(target, devices), latencyMsMin: min, latencyMsMax: max }),
  loss: ({ target, rate }, devices) => ({ kind: 'loss', targets: targetsOf(target, devices), rate }),
  duplicate: ({ target, rate }, devices) => ({ kind: 'duplicate', targets: targetsOf(target, devices), rate }),
  reorder: ({ target, max }, devices) => ({ kind: 'reorder', targets: targetsOf(target, devices), reorderMsMax: max }),
  tombstone_retention: ({ older_than, every }) => ({ kind: 'tombstone_retention', olderThanMs: older_than, everyMs: every }),
};

function resolveSpec<K extends FaultKind>(kind: K, fault: FaultEntry, devices: number): FaultSpec {
  const settings = fault[kind];
  if (settings === undefined) throw new Error(`a validated ${kind} fault entry holds no ${kind} settings`);
  return RESOLVERS[kind](settings, devices);
}

export function resolveFault(fault: FaultEntry, devices: number): ScheduledFault {
  return {
    atMs: fault.at,
    ...(fault.for !== undefined && { forMs: fault.for }),
    spec: resolveSpec(kindOf(fault), fault, devices),
  };
}

/**
 * The spec a scenario file's entry for `kind` resolves to when it sets nothing but its targets: every
 * other setting at the schema's default. The nemesis draws these when it is not in swarm mode.
 */
export function defaultFaultSpec<K extends FaultKind>(kind: K, targets: readonly string[]): Extract<FaultSpec, { kind: K }> {
  const { spec } = resolveFault(faultEntry.parse({ at: '0ms', [kind]: {} }), 0);
  return ('targets' in spec ? { ...spec, targets: [...targets] } : spec) as Extract<FaultSpec, { kind: K }>;
}

export function resolveNemesis(nemesis: z.output<typeof nemesisSection>): NemesisSettings {
  return {
    kinds: nemesis.kinds,
    ratePerHour: perHour(nemesis.rate),
    forMsMin: nemesis.for.min,
    forMsMax: nemesis.for.max,
    swarm: nemesis.swarm,
  };
}
