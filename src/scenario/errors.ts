// Scenario problems as a user reads them: file:line:col, the key path, and what was expected versus found.
// Turns zod issues into these, giving each unknown key its own issue (at the key, with a did-you-mean hint)
// and reporting a list's bad items rather than a vague "invalid union". Keys are echoed escaped and cut short,
// and a file with thousands of problems lists only the first of them.

import type { z } from 'zod';
import { printable } from './expectation.ts';
import { scenarioJsonSchema } from './json-schema.ts';
import type { KeyPath, Locate } from './key-path.ts';

/** The most issues listed for one file; the rest are counted. */
export const MAX_LISTED_ISSUES = 50;
/** The longest key echoed in a key path, in characters. */
const MAX_KEY_CHARS = 40;

export interface ScenarioIssue {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
}

interface Problem {
  path: KeyPath;
  target: 'key' | 'value';
  message: string;
}

/** `scenarios/x.yaml:12:3 workload.rat: unknown key; did you mean 'rate'?` */
export function formatIssue(issue: ScenarioIssue): string {
  const position = `${printable(issue.file)}:${issue.line}:${issue.col}`;
  return issue.path === '' ? `${position} ${issue.message}` : `${position} ${issue.path}: ${issue.message}`;
}

/** `workload.mix.create`, `checks[1]`. */
export function formatKeyPath(path: KeyPath): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    const key = printable(String(segment), MAX_KEY_CHARS);
    return text === '' ? key : `${text}.${key}`;
  }, '');
}

/** The first MAX_LISTED_ISSUES issues in source order, and how many more there are. */
export function capIssues(issues: readonly ScenarioIssue[]): { issues: ScenarioIssue[]; unlisted: number } {
  const sorted = [...issues].sort((a, b) => a.line - b.line || a.col - b.col);
  return { issues: sorted.slice(0, MAX_LISTED_ISSUES), unlisted: Math.max(0, sorted.length - MAX_LISTED_ISSUES) };
}

/** Every zod issue as located scenario issues. */
export function scenarioIssuesFromZod(issues: readonly z.core.$ZodIssue[], file: string, locate: Locate): ScenarioIssue[] {
  return issues
    .flatMap((issue) => problemsFrom(issue, []))
    .map(({ path, target, message }) => ({ file, ...locate(path, target), path: formatKeyPath(path), message }));
}

function problemsFrom(issue: z.core.$ZodIssue, prefix: KeyPath): Problem[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    const validKeys = keysAllowedAt(path);
    return issue.keys.map((key) => ({ path: [...path, key], target: 'key', message: unknownKeyMessage(key, validKeys, isListOfNames(path)) }));
  }
  if (issue.code === 'invalid_union') {
    // A union branch whose issues all sit below the value matched the value's shape (e.g. a list of checks
    // with one bad name); its issues are the useful ones.
    const shapeMatches = issue.errors.filter((branch) => branch.every((inner) => inner.path.length > 0));
    const [onlyMatch] = shapeMatches;
    if (shapeMatches.length === 1 && onlyMatch !== undefined) return onlyMatch.flatMap((inner) => problemsFrom(inner, path));
  }
  return [{ path, target: 'value', message: issue.message }];
}

function keysAllowedAt(path: KeyPath): string[] {
  let node: z.core.JSONSchema.JSONSchema = scenarioJsonSchema();
  for (const segment of path) {
    const child = typeof segment === 'number' ? node.items : node.properties?.[String(segment)];
    node = typeof child === 'object' && !Array.isArray(child) ? child : {};
  }
  return Object.keys(node.properties ?? {});
}

/** A mapping whose keys are names to pick from (the metrics of `thresholds:`): an unknown one always lists them all. */
function isListOfNames(path: KeyPath): boolean {
  return path.length === 1 && path[0] === 'thresholds';
}

function unknownKeyMessage(key: string, validKeys: readonly string[], listAlways = false): string {
  const suggestion = closestKey(key, validKeys);
  const valid = `valid keys here are ${validKeys.map((each) => `'${each}'`).join(', ')}`;
  if (suggestion !== undefined) return `unknown key; did you mean '${suggestion}'?${listAlways ? ` (${valid})` : ''}`;
  return `unknown key; ${valid}`;
}

/** The valid key a misspelling most likely meant, ignoring case and `_`/`-`, if it is close enough to suggest. */
function closestKey(key: string, validKeys: readonly string[]): string | undefined {
  const typed = normalizeKey(key);
  const maxDistance = Math.max(1, Math.floor(typed.length / 3));
  let closest: { key: string; distance: number } | undefined;
  for (const valid of validKeys) {
    const candidate = normalizeKey(valid);
    if (Math.abs(typed.length - candidate.length) > maxDistance) continue; // the distance is at least the length difference
    const distance = editDistance(typed, candidate);
    if (distance <= maxDistance && (closest === undefined || distance < closest.distance)) closest = { key: valid, distance };
  }
  return closest?.key;
}

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/** Levenshtein distance: the fewest single-character insertions, deletions and substitutions from a to b. */
function editDistance(a: string, b: string): number {
  let previousRow = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previousRow[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((previousRow[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitution));
    }
    previousRow = row;
  }
  return previousRow[b.length] ?? 0;
}
