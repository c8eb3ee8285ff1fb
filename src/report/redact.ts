// Reports stay private by default: a violation summary may name a field value a device or the
// server holds, and with a user's own client that value can be user data. Every quoted value the
// simulated users did not write themselves (their tokens and reference ids), and every value a
// device or the server held that they did not write, quoted or not, becomes a short hash.
import { createHash } from 'node:crypto';
import type { Violation } from '../check/types.ts';
import type { Fields } from '../adapter.ts';
import type { EventLog } from '../history/events.ts';

/** A JSON string literal as the checkers quote values: `"t:d2:w17"`, `"Dear diary"`. */
const QUOTED = /"(?:[^"\\]|\\.)*"/g;

/** Every value the simulated users wrote: these are the harness's own tokens, safe to show. */
export function writtenValues(events: EventLog): Set<string> {
  const values = new Set<string>();
  for (const event of events) {
    if (event.type !== 'invoke' && event.type !== 'ok') continue;
    for (const value of Object.values(event.fields ?? {})) if (value !== null) values.add(value);
  }
  return values;
}

/** Values some device showed or the server committed (in the history or the final states) that no simulated user wrote. */
export function foreignValues(events: EventLog, held: readonly { fields: Fields }[], known: ReadonlySet<string>): Set<string> {
  const values = new Set<string>();
  const take = (fields: Fields) => {
    for (const value of Object.values(fields)) if (value !== null && value !== '' && !known.has(value)) values.add(value);
  };
  for (const record of held) take(record.fields);
  for (const event of events) {
    if (event.type === 'read') for (const record of event.records) take(record.fields);
    else if (event.type === 'commit') take(event.fields);
  }
  return values;
}

/** `sha256:1a2b3c4d`: the same value always hashes alike, so a reader can still tell two values apart. */
export function hashOf(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 8)}`;
}

/** The summary with each quoted value that is not one of `known` replaced by its hash. */
export function redactSummary(summary: string, known: ReadonlySet<string>): string {
  return summary.replace(QUOTED, (literal) => {
    const value = parseLiteral(literal);
    return value !== undefined && known.has(value) ? literal : hashOf(value ?? literal);
  });
}

/**
 * The violations with their summaries redacted: quoted values first, then any `foreign` value
 * standing on its own (between spaces, brackets, quotes or punctuation), longest first.
 */
export function redactViolations(violations: readonly Violation[], known: ReadonlySet<string>, foreign: ReadonlySet<string>): Violation[] {
  const alternatives = [...foreign].sort((a, b) => b.length - a.length).map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const bare = alternatives.length === 0 ? undefined : new RegExp(`(?<=^|[\\s("'=:,])(?:${alternatives.join('|')})(?=$|[\\s)"',.;:])`, 'gu');
  return violations.map((violation) => {
    const quoted = redactSummary(violation.summary, known);
    return { ...violation, summary: bare ? quoted.replace(bare, (value) => hashOf(value)) : quoted };
  });
}

function parseLiteral(literal: string): string | undefined {
  try {
    return JSON.parse(literal) as string;
  } catch {
    return undefined;
  }
}
