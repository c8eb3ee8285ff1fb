// Determinism of the system under test: the same scenario and seed must give the same event log, byte for
// byte, or a failure found is not a replay. `run --check-determinism` runs each case twice and compares the
// two logs here: the first event that differs, and what most likely made it differ (a real clock, real
// randomness, a real timer or a promise the simulation does not drive).
import type { EventLog, HistoryEvent } from '../history/events.ts';
import type { CheckResult, Violation } from './types.ts';

/** An id drawn from real randomness (Math.random, crypto.randomUUID) where the seed's would be. */
const RANDOM_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|0\.\d{6,}/i;
/** Milliseconds since 1970 from a real clock: any time after 2001, where simulated time starts at 0. */
const REAL_EPOCH_MS = 1e12;
const MAX_VALUE_CHARS = 40;

export function checkDeterminism(first: EventLog, second: EventLog): CheckResult {
  const divergence = firstDivergence(first, second);
  if (divergence === undefined) return { valid: true, violations: [] };
  const { index, before, after } = divergence;
  const violation: Violation = {
    checker: 'determinism',
    summary: `the same seed gave another event log: event ${index + 1} ${difference(before, after)}; likely cause: ${likelyCause(before, after)}`,
  };
  return { valid: false, violations: [violation] };
}

function firstDivergence(first: EventLog, second: EventLog): { index: number; before?: HistoryEvent; after?: HistoryEvent } | undefined {
  const others = second[Symbol.iterator]();
  let index = 0;
  for (const before of first) {
    const next = others.next();
    const after = next.done ? undefined : next.value;
    if (after === undefined || JSON.stringify(before) !== JSON.stringify(after)) return { index, before, ...(after && { after }) };
    index++;
  }
  const rest = others.next();
  return rest.done ? undefined : { index, after: rest.value };
}

/** `(commit at 7200 ms) differs in id: 6157a9a7-… in the first run, 0b3f2c1e-… in the second`. */
function difference(before: HistoryEvent | undefined, after: HistoryEvent | undefined): string {
  const label = (event: HistoryEvent | undefined) => (event === undefined ? 'nothing (the log ended)' : `${event.type} at ${event.t} ms`);
  if (before === undefined || after === undefined || before.type !== after.type || before.t !== after.t) {
    return `is ${label(before)} in the first run and ${label(after)} in the second`;
  }
  const fields = differingFields(before, after, '');
  const shown = fields.slice(0, 3).map(({ path, values }) => `${path} ${values.map(shortened).join(' then ')}`);
  return `(${label(before)}) differs in ${shown.join('; ')}${fields.length > 3 ? ` and ${fields.length - 3} more` : ''} (first run, then second)`;
}

function shortened(value: unknown): string {
  const text = value === undefined ? 'absent' : typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

/** What made two events differ, judged from the values that differ. */
function likelyCause(before: HistoryEvent | undefined, after: HistoryEvent | undefined): string {
  if (before === undefined || after === undefined || before.type !== after.type || before.t !== after.t) {
    return 'a real timer (setTimeout, setInterval) or a promise the simulation does not drive: the events came in another order or at another time';
  }
  const changed = differingFields(before, after, '').flatMap(({ values }) => values);
  const random = (value: unknown) => (typeof value === 'string' ? RANDOM_ID.test(value) : typeof value === 'number' && value > 0 && value < 1);
  if (changed.some(random)) {
    return 'real randomness (Math.random, crypto.randomUUID): an id or a random number differs; take them from env.random()';
  }
  if (changed.some((value) => typeof value === 'number' && value > REAL_EPOCH_MS)) {
    return 'a real clock (Date.now, new Date): a time from today differs; take time from env.now()';
  }
  return 'a value from outside the seed (a real clock, real randomness, real I/O, or state kept between runs)';
}

/** Every leaf of two JSON values that differs, by its path, with the value on each side. */
function differingFields(a: unknown, b: unknown, path: string): { path: string; values: [unknown, unknown] }[] {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((key) =>
      differingFields((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`),
    );
  }
  return a === b ? [] : [{ path, values: [a, b] }];
}
