// The scenario file format: one zod schema that validates a parsed YAML file, fills in every default and
// resolves it into the camelCase, unit-suffixed `Scenario` the simulator runs. The TypeScript types and the
// editor JSON Schema are both derived from it, so the format is described in exactly one place.

import { z } from 'zod';
import { expecting, oneOf } from './expectation.ts';
import { DURATION_PATTERN, RATE_PATTERN, formatDuration, parseDuration, parseRate } from './units.ts';

/** Every checker a scenario can ask for; `checks: all` expands to this list. */
export const CHECK_NAMES = ['divergence'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

const SERVER_KINDS = ['reference'] as const;
const CONFLICT_POLICIES = ['server-wins'] as const;

function nonEmptyString(expected: string) {
  const error = expecting(expected, 'a string');
  return z.string({ error }).min(1, { error });
}

function integer(min: number, max?: number) {
  const range = max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  const error = expecting(range, 'an integer');
  const atLeastMin = z.int({ error }).min(min, { error });
  return max === undefined ? atLeastMin : atLeastMin.max(max, { error });
}

function share() {
  const error = expecting('a number from 0 to 1', 'a number');
  return z.number({ error }).min(0, { error }).max(1, { error });
}

function weight() {
  const error = expecting('a number >= 0', 'a number');
  return z.number({ error }).min(0, { error });
}

function oneOfValues<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: expecting(oneOf(values)) });
}

/** A string in a unit notation, checked against `pattern` (which editors also see) and resolved by `parse`. */
function unitValue(expected: string, pattern: RegExp, parse: (text: string) => number | undefined, minimum: number) {
  const error = expecting(expected);
  return z
    .string({ error })
    .regex(pattern, { error })
    .transform((text, context) => {
      const value = parse(text);
      if (value !== undefined && value >= minimum) return value;
      context.issues.push({ code: 'custom', input: text, message: error({ code: 'custom', input: text }) });
      return z.NEVER;
    });
}

function duration(fallback: string, description: string, { allowZero = false } = {}) {
  const expected = `${allowZero ? 'a' : 'a positive'} duration like "90s" (whole number of ms, s, m or h)`;
  return unitValue(expected, DURATION_PATTERN, parseDuration, allowZero ? 0 : 1)
    .prefault(fallback)
    .meta({ description });
}

function rate(fallback: string, description: string) {
  return unitValue('a rate like "6/min" (a number per s, min or h)', RATE_PATTERN, parseRate, 0)
    .prefault(fallback)
    .meta({ description });
}

/**
 * Wraps a check that compares an object's fields. Zod still runs object checks after a field failed
 * non-fatally (that field then holds its raw input), so the comparison runs only when every field parsed.
 */
function whenFieldsParsed<T>(check: (context: z.core.ParsePayload<T>) => void) {
  return (context: z.core.ParsePayload<T>) => {
    if (context.issues.length === 0) check(context);
  };
}

function section<Shape extends z.core.$ZodLooseShape>(shape: Shape, what: string) {
  return z.strictObject(shape, { error: expecting(`a mapping of ${what}`) });
}

const systemSection = section(
  {
    client: nonEmptyString('"reference" or a path to a client module')
      .default('reference')
      .meta({ description: 'Sync client under test: "reference" or a path to a client module.' }),
    server: oneOfValues(SERVER_KINDS).default('reference').meta({ description: 'Sync server implementation.' }),
    conflict: oneOfValues(CONFLICT_POLICIES)
      .default('server-wins')
      .meta({ description: 'Conflict resolution policy the server applies.' }),
    batch_size: integer(1, 1000).default(50).meta({ description: 'Most changes a client sends or pulls per request.' }),
    sync_interval: duration('30s', 'How often each online device syncs.'),
    request_timeout: duration('30s', 'How long a client waits for a server response.'),
  },
  'system settings',
);

const latencyRange = section(
  {
    min: duration('20ms', 'Shortest one-way network delay.', { allowZero: true }),
    max: duration('200ms', 'Longest one-way network delay.', { allowZero: true }),
  },
  'latency bounds (min, max)',
).check(
  whenFieldsParsed((context) => {
    const { min, max } = context.value;
    if (min <= max) return;
    context.issues.push({
      code: 'custom',
      input: context.value,
      path: ['max'],
      message: `expected a duration >= min (${formatDuration(min)}), found "${formatDuration(max)}"`,
    });
  }),
);

const networkSection = section(
  { latency: latencyRange.prefault({}).meta({ description: 'One-way delay of each message, drawn uniformly.' }) },
  'network settings',
);

const operationMix = section(
  {
    create: weight().default(0),
    update: weight().default(0),
    delete: weight().default(0),
  },
  'operation weights (create, update, delete)',
).check(
  whenFieldsParsed((context) => {
    const { create, update, delete: remove } = context.value;
    if (create + update + remove > 0) return;
    context.issues.push({
      code: 'custom',
      input: context.value,
      message: 'expected at least one operation weight above 0, found all weights 0',
    });
  }),
);

const workloadSection = section(
  {
    rate: rate('6/min', 'Edits per device, e.g. "6/min", "2/s", "4/h".'),
    mix: operationMix
      .default({ create: 0.3, update: 0.5, delete: 0.2 })
      .meta({ description: 'Relative weights of operations; a key left out weighs 0.' }),
    contention: share().default(0.3).meta({ description: 'Share of edits aimed at records other devices created.' }),
    note_share: share().default(0.8).meta({ description: 'Share of creates that are notes rather than folders.' }),
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
    seed: integer(0).default(1).meta({ description: 'Seed for every random choice; the same seed replays the same run.' }),
    devices: integer(1, 64).default(3).meta({ description: 'Number of simulated devices.' }),
    duration: duration('10m', 'Simulated time during which devices make edits.'),
    quiesce_timeout: duration('10m', 'Simulated time allowed afterwards for all devices to converge.'),
    system: systemSection.prefault({}).meta({ description: 'The sync system under test.' }),
    network: networkSection.prefault({}).meta({ description: 'Simulated network conditions.' }),
    workload: workloadSection.prefault({}).meta({ description: 'The edits devices make.' }),
    checks: checkList.default('all').meta({ description: 'Checkers to run after the scenario: "all" or a list of names.' }),
  },
  'scenario settings',
).meta({ title: 'sync-chaos scenario', description: 'A seeded chaos-test scenario for offline-first sync.' });

/** Validates a parsed scenario file and resolves it into a fully defaulted `Scenario`. */
export const scenarioSchema = scenarioFile.transform((file) => ({
  name: file.name,
  ...(file.description !== undefined && { description: file.description }),
  seed: file.seed,
  devices: file.devices,
  durationMs: file.duration,
  quiesceTimeoutMs: file.quiesce_timeout,
  system: {
    client: file.system.client,
    server: file.system.server,
    conflict: file.system.conflict,
    batchSize: file.system.batch_size,
    syncIntervalMs: file.system.sync_interval,
    requestTimeoutMs: file.system.request_timeout,
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
  },
  checks: file.checks === 'all' ? [...CHECK_NAMES] : file.checks,
}));

/** A scenario as the simulator sees it: every default filled in, keys camelCase, durations in ms. */
export type Scenario = z.output<typeof scenarioSchema>;