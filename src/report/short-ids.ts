// Short ids for what a person reads: a record id is printed as its first 8 characters, as git
// abbreviates commits, so a line names a record without a 36-character UUID; report.json keeps them whole.
import type { Violation } from '../check/index.ts';

export const SHORT_ID_CHARS = 8;

const UUID = /\b([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/** `text` with every UUID, and every id of `ids` longer than a short id, cut to its first 8 characters. */
export function shortIds(text: string, ids: Iterable<string> = []): string {
  let short = text.replace(UUID, (_uuid, head: string) => head);
  for (const id of [...new Set(ids)].filter((each) => each.length > SHORT_ID_CHARS).sort((a, b) => b.length - a.length)) short = short.split(id).join(id.slice(0, SHORT_ID_CHARS));
  return short;
}

/** A shortener for the lines about `violations`: it knows their record ids, whatever shape the client gives them. */
export function idShortener(violations: readonly Violation[]): (text: string) => string {
  const ids = violations.flatMap((violation) => [violation.record?.id, violation.refersTo?.id].filter((id): id is string => id !== undefined));
  return (text) => shortIds(text, ids);
}
