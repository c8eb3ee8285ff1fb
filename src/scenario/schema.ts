// The scenario file format: one zod schema that validates a parsed YAML file, fills in every default and
// resolves it into the camelCase, unit-suffixed `Scenario` the simulator runs. The TypeScript types and the
// editor JSON Schema are both derived from it, so the format is described in exactly one place. Its fields are
// built from fields.ts; the `faults:` list and `nemesis:` settings live in faults.ts.

import { z } from 'zod';
import { CONFLICT_POLICIES } from '../protocol/v1.ts';
import { expecting } from './expectation.ts';
import { faultList, faultsFitScenario, nemesisSection, resolveFault, resolveNemesis } from './faults.ts';
import {
  duration,
  durationAtLeast,
  durationRange,
  integer,
  nonEmptyString,
  numberFrom,
  oneOfValues,
  rate,
  section,
  share,
  weight,
  whenFieldsParsed,
} from './fields.ts';
import { resolveThresholds, thresholdsSection } from './thresholds.ts';
import { perHour } from './units.ts';

/** Every checker a scenario can ask for; `checks: all` expands to this list. */
export const CHECK_NAMES = [
  'lost-write',
  'durability',
  'divergence',
  'duplicate',
  'resurrection',
  'integrity',
  'honest-status',
  'liveness',
  'retry-budget',
  'read-your-writes',
  'monotonic-reads',
  'writes-follow-reads',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/**
 * The lost-write classes a scenario may accept: `overwritten` for its policy, `reinstall` for writes a reinstall
 * wiped before they reached the server; `regressed`, `vanished` and `silent` never are.
 */
export const ALLOWABLE_LOSSES = ['overwritten', 'reinstall'] as const;

const SERVER_KINDS = ['reference'] as const;
const ORDERINGS = ['dependency', 'serial', 'parallel'] as const;
/** `virtual`: the run's clock and seeded streams stand in for the global clock, timers and randomness; `real`: they are left alone. */
export const GLOBALS = ['virtual', 'real'] as const;
/** `simulated`: the seeded in-process network; `http`: real sockets on loopback through undici, time scaled by `time_scale`. */
export const TRANSPORTS = ['simulated', 'http'] as const;

const httpUrl = z
  .url({ protocol: /^https?$/, error: expecting('an http:// or https:// URL like "http://127.0.0.1:8080"') })
  .meta({ description: 'Base URL of a server speaking sync protocol v1 (docs/protocol.md).' });

const externalServer = section(
  {
    url: httpUrl,
    token: z
      .union([nonEmptyString('a token'), z.record(z.string(), nonEmptyString('a token'))], {
        error: expecting('a token string (sent by every device) or a mapping of device id to token'),
      })
      .optional()
      .meta({ description: 'Bearer token sent as `authorization: Bearer …`: one for every device, or one per device ({ d1: …, d2: … }).' }),
  },
  'external server settings (url, token)',
);

const adapterServer = section(
  {
    adapter: nonEmptyString('a path to a server module').meta({
      description: 'Path (relative to this file) to a module whose default export starts a server of another protocol on 127.0.0.1 and hands over its records (see examples/pouchdb).',
    }),
  },
  'server adapter settings (adapter)',
);

const retrySection = section(
  {
    base: duration('1s', 'First retry delay after a failed sync; it doubles with each failure.'),
    max: duration('5m', 'Longest retry delay.'),
    budget: rate('20/h', 'Most sync attempts per hour while syncs keep failing, e.g. "20/h".', { allowZero: false }),
  },
  'retry settings (base, max, budget)',
).check(durationAtLeast('max', 'base'));

const systemSection = section(
  {
    client: nonEmptyString('"reference" or a path to a client module')
      .default('reference')
      .meta({ description: 'Sync client under test: "reference" or a path (relative to this file) to a module whose default export is a ClientFactory (docs/adapters.md); --client overrides it.' }),
    server: z
      .union([oneOfValues(SERVER_KINDS), externalServer, adapterServer], { error: expecting('"reference", a mapping { url, token } or a mapping { adapter }') })
      .default('reference')
      .meta({
        description:
          'Sync server: "reference" (run in-process), { url, token } of an external server speaking protocol v1, or { adapter } naming a module that starts a server of its own (both imply transport: http).',
      }),
    transport: oneOfValues(TRANSPORTS)
      .optional()
      .meta({ description: 'How devices reach the server: simulated (seeded, replayable; the default) or http (real sockets on 127.0.0.1, seeded but not byte-deterministic; the default for an external server).' }),
    time_scale: numberFrom(1, 10_000)
      .default(60)
      .meta({ description: 'With transport http, simulated ms per real ms: 60 makes one real second a simulated minute.' }),
    conflict: oneOfValues(CONFLICT_POLICIES)
      .default('server-wins')
      .meta({ description: 'Conflict policy of the reference client and server: server-wins, lww, field-merge or manual.' }),
    ordering: oneOfValues(ORDERINGS)
      .default('dependency')
      .meta({ description: 'How the reference client orders pushes: a note waits for its folder (dependency), strictly in order (serial), or all at once (parallel).' }),
    batch_size: integer(1, 1000).default(50).meta({ description: 'Most changes a client sends or pulls per request.' }),
    sync_interval: duration('30s', 'How often each online device syncs.'),
    debounce: duration('2s', 'The reference client syncs this long after the last local write (0ms: at once).', { allowZero: true }),
    retry: retrySection.prefault({}).meta({ description: 'Backoff of the reference client after a failed sync.' }),
    request_timeout: duration('30s', 'How long a client waits for a server response.'),
    pokes: z
      .boolean({ error: expecting('true or false') })
      .default(false)
      .meta({ description: 'Push pokes: devices keep a WebSocket to the server, which tells them after each push from another device; polling stays the fallback.' }),
    globals: oneOfValues(GLOBALS)
      .optional()
      .meta({
        description:
          'In simulation: virtual puts Date, setTimeout/setInterval/setImmediate, performance.now, Math.random, crypto.randomUUID and crypto.getRandomValues on the run\'s clock and seeded streams, and routes the global WebSocket and the ws package\'s client over the device\'s link, for a library that reads them (docs/adapters.md); real leaves them alone. Default: virtual with pokes or for a client module that declares `globals: \'virtual\'`, else real.',
      }),
  },
  'system settings',
).check(
  whenFieldsParsed((context) => {
    const { transport, server, globals, pokes } = context.value;
    if (transport === 'simulated' && server !== 'reference') {
      context.issues.push({
        code: 'custom',
        input: transport,
        path: ['transport'],
        message: 'expected transport: http for an external server (server: { url } or { adapter }), found "simulated"',
      });
    }
    const http = transport === 'http' || (transport === undefined && server !== 'reference');
    if (globals === 'virtual' && http) {
      context.issues.push({ code: 'custom', input: globals, path: ['globals'], message: 'expected globals: real with transport: http, whose time is real, found "virtual"' });
    }
    if (globals === 'real' && pokes && !http) {
      context.issues.push({ code: 'custom', input: globals, path: ['globals'], message: 'expected globals: virtual (or none) with pokes in simulation: its in-process sockets keep global timers, found "real"' });
    }
  }),
);

const latencyRange = durationRange(
  'latency bounds',
  { min: '20ms', max: '200ms' },
  { min: 'Shortest one-way network delay.', max: 'Longest one-way network delay.' },
);

const networkSection = section(
  { latency: latencyRange.prefault({}).meta({ description: 'One-way delay of each message, drawn uniformly.' }) },
  'network settings',
);

const operationMix = section(
  {
    create: weight().default(0).meta({ description: 'Weight of creating a folder or a note.' }),
    update: weight().default(0).meta({ description: 'Weight of editing fields of a record the user sees.' }),
    delete: weight().default(0).meta({ description: 'Weight of deleting a record.' }),
    refresh: weight().default(0).meta({ description: 'Weight of a pull-to-refresh.' }),
  },
  'operation weights (create, update, delete, refresh)',
).check(
  whenFieldsParsed((context) => {
    const { create, update, delete: remove, refresh } = context.value;
    if (create + update + remove + refresh > 0) return;
    context.issues.push({
      code: 'custom',
      input: context.value,
      message: 'expected at least one operation weight above 0, found all weights 0',
    });
  }),
);

const workloadSection = section(
  {
    rate: rate('6/min', 'Actions per device, e.g. "6/min", "2/s", "4/h".'),
    mix: operationMix
      .default({ create: 0.3, update: 0.45, delete: 0.15, refresh: 0.1 })
      .meta({ description: 'Relative weights of actions (refresh is pull-to-refresh); a key left out weighs 0.' }),
    contention: share().default(0.3).meta({ description: 'Share of edits aimed at records other devices created.' }),
    note_share: share().default(0.8).meta({ description: 'Share of creates that are notes rather than folders.' }),
    resolve_delay: durationRange(
      'resolve delay bounds',
      { min: '10s', max: '2m' },
      { min: 'Shortest time before a user settles a manual conflict.', max: 'Longest time before a user settles a manual conflict.' },
    )
      .prefault({})
      .meta({ description: 'How long users take to resolve a manual conflict once they see it, drawn uniformly.' }),
  },
  'workload settings',
);

const checkList = z.union(
  [
    z.literal('all'),
    z
      .array(oneOfValues(CHECK_NAMES), { error: expecting('a list of check names') })
      .min(1, { error: expecting('a non-empty list of check names') }),
  ],
  { error: expecting(`"all" or a non-empty list of check names (${CHECK_NAMES.join(', ')})`) },
);

const scenarioFile = section(
  {
    name: nonEmptyString('a non-empty string').meta({ description: 'Scenario name, used in reports.' }),
    description: z.string({ error: expecting('a string') }).optional().meta({ description: 'One line on what this scenario exercises.' }),
    seed: integer(0).default(1).meta({ description: 'The first seed, for every random choice; the same seed replays the same run. --seed and --seeds override it.' }),
    devices: integer(1, 64).default(3).meta({ description: 'Number of simulated devices, named d1, d2, …' }),
    duration: duration('10m', 'Simulated time during which devices make edits.'),
    quiesce_timeout: duration('10m', 'Simulated time allowed afterwards for all devices to converge.'),
    resume: duration(
      '5m',
      'After the first quiescence, users act again this long with every fault healed, then the devices quiesce again: proof that sync comes back (0ms skips it).',
      { allowZero: true },
    ),
    system: systemSection.prefault({}).meta({ description: 'The sync system under test.' }),
    network: networkSection.prefault({}).meta({ description: 'Simulated network conditions.' }),
    workload: workloadSection.prefault({}).meta({ description: 'The edits devices make.' }),
    faults: faultList
      .default([])
      .meta({ description: 'Faults at fixed times; each entry has `at`, an optional `for` and one fault kind.' }),
    nemesis: nemesisSection.optional().meta({ description: 'Faults drawn from the seed at a rate, on top of the listed ones.' }),
    checks: checkList.default('all').meta({ description: 'Checkers to run after the scenario: "all" or a list of names.' }),
    allow: z
      .array(oneOfValues(ALLOWABLE_LOSSES), { error: expecting(`a list of lost-write classes (${ALLOWABLE_LOSSES.join(', ')})`) })
      .default(['overwritten'])
      .meta({
        description:
          'Lost-write classes this scenario accepts for its policy. The default, [overwritten], accepts a concurrent write winning with its conflict logged, as server-wins, lww and field-merge settle concurrent edits by design (and every policy settles an edit against a delete); `allow: []` fails the run on a logged overwrite too. `reinstall` accepts the unsynced writes a reinstall wiped.',
      }),
    thresholds: thresholdsSection
      .default({})
      .meta({
        description:
          'Budgets: limits on the metrics report.json carries per case, e.g. { save_to_commit_p95: 30s, peak_queue_depth: 500 }. A case over a limit fails with a `budget` violation; the project config\'s thresholds apply too, this file\'s win per metric.',
      }),
  },
  'scenario settings',
)
  .check(faultsFitScenario)
  .meta({ title: 'sync-chaos scenario', description: 'A seeded chaos-test scenario for offline-first sync.' });

/** Validates a parsed scenario file and resolves it into a fully defaulted `Scenario`. */
export const scenarioSchema = scenarioFile.transform((file) => ({
  name: file.name,
  ...(file.description !== undefined && { description: file.description }),
  seed: file.seed,
  devices: file.devices,
  durationMs: file.duration,
  quiesceTimeoutMs: file.quiesce_timeout,
  resumeMs: file.resume,
  system: {
    client: file.system.client,
    server: file.system.server,
    transport: file.system.transport ?? (file.system.server === 'reference' ? 'simulated' : 'http'),
    timeScale: file.system.time_scale,
    conflict: file.system.conflict,
    ordering: file.system.ordering,
    batchSize: file.system.batch_size,
    syncIntervalMs: file.system.sync_interval,
    debounceMs: file.system.debounce,
    retry: { baseMs: file.system.retry.base, maxMs: file.system.retry.max, budgetPerHour: perHour(file.system.retry.budget) },
    requestTimeoutMs: file.system.request_timeout,
    pokes: file.system.pokes,
    ...(file.system.globals !== undefined && { globals: file.system.globals }),
  },
  network: {
    latencyMsMin: file.network.latency.min,
    latencyMsMax: file.network.latency.max,
  },
  workload: {
    ratePerSecond: file.workload.rate,
    mix: file.workload.mix,
    contention: file.workload.contention,
    noteShare: file.workload.note_share,
    resolveDelayMsMin: file.workload.resolve_delay.min,
    resolveDelayMsMax: file.workload.resolve_delay.max,
  },
  faults: file.faults.map((fault) => resolveFault(fault, file.devices)),
  ...(file.nemesis !== undefined && { nemesis: resolveNemesis(file.nemesis) }),
  checks: file.checks === 'all' ? [...CHECK_NAMES] : file.checks,
  allow: file.allow,
  thresholds: resolveThresholds(file.thresholds),
}));

/** A scenario as the simulator sees it: every default filled in, keys camelCase, durations in ms. */
export type Scenario = z.output<typeof scenarioSchema>;