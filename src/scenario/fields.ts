// The building blocks of the scenario schema: one zod field per kind of value a scenario file holds (strings,
// numbers, enums, durations, rates, mappings), each worded "expected X, found Y", so that every section of the
// format, scenario settings and faults alike, validates and reports its problems the same way.

import { z } from 'zod';
import { expecting, oneOf } from './expectation.ts';
import {
  DURATION_PATTERN,
  RATE_PATTERN,
  SIGNED_DURATION_PATTERN,
  formatDuration,
  parseDuration,
  parseRate,
  parseSignedDuration,
} from './units.ts';

const DURATION_NOTATION = 'whole number of ms, s, m or h';

export function nonEmptyString(expected: string) {
  const error = expecting(expected, 'a string');
  return z.string({ error }).min(1, { error });
}

export function integer(min: number, max?: number) {
  const range = max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  const error = expecting(range, 'an integer');
  const atLeastMin = z.int({ error }).min(min, { error });
  return max === undefined ? atLeastMin : atLeastMin.max(max, { error });
}

/** A number from `min` to `max`, both included. */
export function numberFrom(min: number, max: number) {
  const error = expecting(`a number from ${min} to ${max}`, 'a number');
  return z.number({ error }).min(min, { error }).max(max, { error });
}

export function share() {
  return numberFrom(0, 1);
}

export function weight() {
  return numberFrom(0, MAX_WEIGHT);
}

export function oneOfValues<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: expecting(oneOf(values)) });
}

/** The longest duration (and the largest clock shift either way): far beyond any run, and small enough that no sum of durations leaves the safe integers. */
export const MAX_DURATION_MS = 10_000 * 3_600_000;
/** The highest rate of anything, per second. */
export const MAX_RATE_PER_SECOND = 1_000;
/** The largest operation weight; weights are relative, so this only keeps their sum finite. */
const MAX_WEIGHT = 1_000_000;

interface UnitBounds {
  /** The smallest value accepted, in the parsed unit. */
  minimum: number;
  /** The largest magnitude accepted, in the parsed unit, and how the "expected" side words it. */
  maximum: number;
  maximumExpected: string;
}

/** A string in a unit notation, checked against `pattern` (which editors also see) and resolved by `parse`. */
function unitValue(expected: string, pattern: RegExp, parse: (text: string) => number | undefined, bounds: UnitBounds) {
  const error = expecting(expected);
  const tooLarge = expecting(bounds.maximumExpected);
  return z
    .string({ error })
    .regex(pattern, { error })
    .transform((text, context) => {
      const value = parse(text);
      // The pattern matched, so a value parse cannot give is one too large to hold.
      const problem = value === undefined || Math.abs(value) > bounds.maximum ? tooLarge : value < bounds.minimum ? error : undefined;
      if (problem === undefined) return value as number;
      context.issues.push({ code: 'custom', input: text, message: problem({ code: 'custom', input: text }) });
      return z.NEVER;
    });
}

const DURATION_BOUNDS = { maximum: MAX_DURATION_MS, maximumExpected: `a duration of at most ${formatDuration(MAX_DURATION_MS)}` };

/** A duration in ms with no default: positive unless `allowZero`. */
export function durationValue({ allowZero = false } = {}) {
  const expected = `${allowZero ? 'a' : 'a positive'} duration like "90s" (${DURATION_NOTATION})`;
  return unitValue(expected, DURATION_PATTERN, parseDuration, { minimum: allowZero ? 0 : 1, ...DURATION_BOUNDS });
}

export function duration(fallback: string, description: string, options: { allowZero?: boolean } = {}) {
  return durationValue(options).prefault(fallback).meta({ description });
}

/** A shift in ms that may be negative, such as a clock offset ("-5m"). */
export function signedDuration(fallback: string, description: string) {
  const expected = `a duration like "-5m" or "90s" (${DURATION_NOTATION}, optionally signed)`;
  return unitValue(expected, SIGNED_DURATION_PATTERN, parseSignedDuration, { minimum: -MAX_DURATION_MS, ...DURATION_BOUNDS })
    .prefault(fallback)
    .meta({ description });
}

/** Events per second, with no default: at least 0, or above it unless `allowZero`. */
export function rateValue({ allowZero = true } = {}) {
  const expected = `${allowZero ? 'a' : 'a positive'} rate like "6/min" (a number per s, min or h)`;
  return unitValue(expected, RATE_PATTERN, parseRate, {
    minimum: allowZero ? 0 : Number.MIN_VALUE,
    maximum: MAX_RATE_PER_SECOND,
    maximumExpected: `a rate of at most ${MAX_RATE_PER_SECOND}/s`,
  });
}

export function rate(fallback: string, description: string, options: { allowZero?: boolean } = {}) {
  return rateValue(options).prefault(fallback).meta({ description });
}

/**
 * Wraps a check that compares an object's fields. Zod still runs object checks after a field failed
 * non-fatally (that field then holds its raw input), so the comparison runs only when every field parsed.
 */
export function whenFieldsParsed<T>(check: (context: z.core.ParsePayload<T>) => void) {
  return (context: z.core.ParsePayload<T>) => {
    if (context.issues.length === 0) check(context);
  };
}

export function section<Shape extends z.core.$ZodLooseShape>(shape: Shape, what: string) {
  return z.strictObject(shape, { error: expecting(`a mapping of ${what}`) });
}

/** Checks that a mapping's `high` duration is at least its `low` one, reporting at `high`. */
export function durationAtLeast<High extends string, Low extends string>(high: High, low: Low) {
  return whenFieldsParsed<Record<High | Low, number>>((context) => {
    const [highMs, lowMs] = [context.value[high], context.value[low]];
    if (lowMs <= highMs) return;
    context.issues.push({
      code: 'custom',
      input: context.value,
      path: [high],
      message: `expected a duration >= ${low} (${formatDuration(lowMs)}), found "${formatDuration(highMs)}"`,
    });
  });
}

export const maxAtLeastMin = durationAtLeast('max', 'min');

/** A `{ min, max }` pair of durations, with max checked against min. */
export function durationRange(what: string, defaults: { min: string; max: string }, descriptions: { min: string; max: string }) {
  return section(
    {
      min: duration(defaults.min, descriptions.min, { allowZero: true }),
      max: duration(defaults.max, descriptions.max, { allowZero: true }),
    },
    `${what} (min, max)`,
  ).check(maxAtLeastMin);
}
