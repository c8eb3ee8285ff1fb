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
  const error = expecting('a number >= 0', 'a number');
  return z.number({ error }).min(0, { error });
}

export function oneOfValues<const T extends readonly [string, ...string[]]>(values: T) {
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

/** A duration in ms with no default: positive unless `allowZero`. */
export function durationValue({ allowZero = false } = {}) {
  const expected = `${allowZero ? 'a' : 'a positive'} duration like "90s" (${DURATION_NOTATION})`;
  return unitValue(expected, DURATION_PATTERN, parseDuration, allowZero ? 0 : 1);
}

export function duration(fallback: string, description: string, options: { allowZero?: boolean } = {}) {
  return durationValue(options).prefault(fallback).meta({ description });
}

/** A shift in ms that may be negative, such as a clock offset ("-5m"). */
export function signedDuration(fallback: string, description: string) {
  const expected = `a duration like "-5m" or "90s" (${DURATION_NOTATION}, optionally signed)`;
  return unitValue(expected, SIGNED_DURATION_PATTERN, parseSignedDuration, -Infinity)
    .prefault(fallback)
    .meta({ description });
}

/** Events per second, with no default. */
export function rateValue() {
  return unitValue('a rate like "6/min" (a number per s, min or h)', RATE_PATTERN, parseRate, 0);
}

export function rate(fallback: string, description: string) {
  return rateValue().prefault(fallback).meta({ description });
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

/** Checks that a mapping's `max` duration is at least its `min`, reporting at `max`. */
export const maxAtLeastMin = whenFieldsParsed<{ min: number; max: number }>((context) => {
  const { min, max } = context.value;
  if (min <= max) return;
  context.issues.push({
    code: 'custom',
    input: context.value,
    path: ['max'],
    message: `expected a duration >= min (${formatDuration(min)}), found "${formatDuration(max)}"`,
  });
});

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
