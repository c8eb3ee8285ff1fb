// Reading a scenario file: YAML text to a validated, fully defaulted `Scenario`, or every problem in the file
// at once, each placed at its line and column. Syntax errors are reported alone, since a broken document's
// structure cannot be trusted for anything else.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { scenarioIssuesFromZod, type ScenarioIssue } from './errors.ts';
import type { KeyPath, Locate, SourcePosition } from './key-path.ts';
import { scenarioSchema, type Scenario } from './schema.ts';

export type ParseResult = { ok: true; scenario: Scenario } | { ok: false; issues: ScenarioIssue[] };

const FILE_START: SourcePosition = { line: 1, col: 1 };

/** Parses scenario YAML; `file` only labels the issues. */
export function parseScenario(text: string, file: string): ParseResult {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    const issues = document.errors.map((error) => ({
      file,
      ...lineCounter.linePos(error.pos[0]),
      path: '',
      message: `YAML syntax error: ${error.message}`,
    }));
    return { ok: false, issues };
  }
  if (document.contents === null) {
    return { ok: false, issues: [fileIssue(file, "the file is empty; expected a mapping with at least a 'name' key")] };
  }
  const result = scenarioSchema.safeParse(document.toJS());
  if (result.success) return { ok: true, scenario: result.data };
  return { ok: false, issues: scenarioIssuesFromZod(result.error.issues, file, locator(document, lineCounter)) };
}

/** Reads and parses a scenario file (a server adapter's path is made absolute from the file's folder); a file that cannot be read is an issue like any other. */
export function loadScenarioFile(path: string): ParseResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { ok: false, issues: [fileIssue(path, unreadableFileMessage(error))] };
  }
  const result = parseScenario(text, path);
  const { server } = result.ok ? result.scenario.system : {};
  if (typeof server === 'object' && 'adapter' in server) server.adapter = resolve(dirname(path), server.adapter);
  return result;
}

/**
 * A problem the scenario's own schema cannot see (one the client under test makes of it), placed at
 * `keyPath` in the file as the loader places its own; the start of the file when it no longer parses.
 */
export function issueAt(path: string, keyPath: KeyPath, message: string): ScenarioIssue {
  const lineCounter = new LineCounter();
  const document = parseDocument(readFileSync(path, 'utf8'), { lineCounter, prettyErrors: false });
  const position = document.errors.length > 0 ? FILE_START : locator(document, lineCounter)(keyPath, 'key');
  return { file: path, ...position, path: keyPath.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`)).join('').replace(/^\./, ''), message };
}

function fileIssue(file: string, message: string): ScenarioIssue {
  return { file, ...FILE_START, path: '', message };
}

function unreadableFileMessage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'cannot read the scenario file: no such file';
  if (code === 'EISDIR') return 'cannot read the scenario file: it is a directory';
  return `cannot read the scenario file: ${error instanceof Error ? error.message : String(error)}`;
}

function locator(document: Document, lineCounter: LineCounter): Locate {
  return (path, target) => {
    const node = nodeAt(document, path, target);
    const offset = node?.range?.[0];
    return offset === undefined ? FILE_START : lineCounter.linePos(offset);
  };
}

/** The node a key path names (its key or its value); for a path that does not exist, the deepest one that does. */
function nodeAt(document: Document, path: KeyPath, target: 'key' | 'value'): Node | null {
  let key: unknown = null;
  let value: unknown = document.contents;
  for (const segment of path) {
    const container = isAlias(value) ? value.resolve(document) : value;
    const entry = entryIn(container, segment);
    if (entry === undefined) return isNode(container) ? container : null;
    ({ key, value } = entry);
  }
  const preferred = target === 'key' ? key : value;
  if (isNode(preferred)) return preferred;
  return isNode(key) ? key : null;
}

function entryIn(container: unknown, segment: PropertyKey): { key: unknown; value: unknown } | undefined {
  if (isMap(container)) {
    const pair = container.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
    return pair && { key: pair.key, value: pair.value };
  }
  if (isSeq(container) && typeof segment === 'number') {
    const item: unknown = container.items[segment];
    return item === undefined ? undefined : { key: null, value: item };
  }
  return undefined;
}

