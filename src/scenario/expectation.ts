// The "expected X, found Y" wording shared by every scenario field, so all messages read alike.
// A field states what it accepts once; the found side is rendered from the offending input, with its
// type added when the type itself is what went wrong (`found "three" (string)`). Whatever a file holds is
// echoed on one line and cut short: no newline, control character or escape sequence reaches the terminal.

import type { z } from 'zod';

const MISSING_KEY_MESSAGE = 'missing required key';
/** The longest string value quoted in a message, in characters. */
const MAX_QUOTED_CHARS = 60;
/** C0 and C1 controls, DEL, line and paragraph separators, and the bidirectional overrides that reorder a line. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A zod error map for one field. `expected` describes an acceptable value; `expectedType`, used when
 * the value has the wrong type altogether, defaults to the same text.
 */
export function expecting(expected: string, expectedType: string = expected): (issue: z.core.$ZodRawIssue) => string {
  return (issue) => {
    if (issue.input === undefined) return MISSING_KEY_MESSAGE;
    const wrongType = issue.code === 'invalid_type';
    return `expected ${wrongType ? expectedType : expected}, found ${describeValue(issue.input, wrongType)}`;
  };
}

/** `"a"` or `one of "a", "b"`, for enum-like fields. */
export function oneOf(values: readonly string[]): string {
  const each = values.map((value) => JSON.stringify(value));
  return each.length === 1 ? each.join('') : `one of ${each.join(', ')}`;
}

/** Text from a scenario file as it may appear in a message: unprintable characters escaped, cut after `maxChars`. */
export function printable(text: string, maxChars = Infinity): string {
  return shortened(text, maxChars, escapeUnprintable);
}

/** A string value quoted for a message (`"d1"`), escaped and cut like printable(). */
export function quoted(text: string): string {
  return shortened(text, MAX_QUOTED_CHARS, (kept) => escapeUnprintable(JSON.stringify(kept)));
}

function shortened(text: string, maxChars: number, render: (kept: string) => string): string {
  return text.length > maxChars ? `${render(text.slice(0, maxChars))}… (${text.length} characters)` : render(text);
}

function escapeUnprintable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** How a YAML value reads in a message: scalars as written (quoted if strings), collections by kind. */
function describeValue(value: unknown, withType: boolean): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = typeof value === 'string' ? quoted(value) : String(value);
  return withType ? `${text} (${typeof value})` : text;
}
