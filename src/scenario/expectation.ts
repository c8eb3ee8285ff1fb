// The "expected X, found Y" wording shared by every scenario field, so all messages read alike.
// A field states what it accepts once; the found side is rendered from the offending input, with its
// type added when the type itself is what went wrong (`found "three" (string)`).

import type { z } from 'zod';

const MISSING_KEY_MESSAGE = 'missing required key';

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
  const quoted = values.map((value) => JSON.stringify(value));
  return quoted.length === 1 ? quoted.join('') : `one of ${quoted.join(', ')}`;
}

/** How a YAML value reads in a message: scalars as written (quoted if strings), collections by kind. */
function describeValue(value: unknown, withType: boolean): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return withType ? `${text} (${typeof value})` : text;
}
