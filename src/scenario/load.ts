// Reading a scenario file: YAML text to a validated, fully defaulted `Scenario`, or the problems in the file,
// each placed at its line and column. Nothing here throws on bad input: syntax errors, alias bombs, bad merges,
// extra documents, special files and oversized files all come back as located issues. Syntax errors are reported
// alone, since a broken document's structure cannot be trusted for anything else.

import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  Composer,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  Parser,
  type Document,
  type Alias,
  type Node,
  type YAMLMap,
  type YAMLParseError,
} from 'yaml';
import { capIssues, formatKeyPath, scenarioIssuesFromZod, type ScenarioIssue } from './errors.ts';
import { printable } from './expectation.ts';
import type { KeyPath, Locate, SourcePosition } from './key-path.ts';
import { scenarioSchema, type Scenario } from './schema.ts';

/** A rejected file lists its first issues in source order and counts the `unlisted` rest. */
export type ParseResult = { ok: true; scenario: Scenario } | { ok: false; issues: ScenarioIssue[]; unlisted: number };

/** The largest scenario file read, in bytes: scenario files are a few kB, and YAML costs about 1 kB of memory per byte parsed. */
export const MAX_SCENARIO_BYTES = 1024 * 1024;
/** The most aliases (`*name`) a scenario file may use. */
export const MAX_ALIASES = 100;
/** The most values aliases may repeat in all (an alias of a list of 10 repeats 11), so that no alias bomb expands. */
export const MAX_ALIASED_VALUES = 100_000;

const FILE_START: SourcePosition = { line: 1, col: 1 };
const MERGE_KEY = '<<';
const DUPLICATE_KEY_MESSAGE = 'duplicate key: a key may appear only once in a mapping';

/** A problem at a character offset of the source. */
interface SourceProblem {
  offset: number;
  message: string;
}

/** Parses scenario YAML; `file` only labels the issues. */
export function parseScenario(text: string, file: string): ParseResult {
  const lineCounter = new LineCounter();
  const rejected = (problems: readonly SourceProblem[]): ParseResult => ({
    ok: false,
    ...capIssues(problems.map(({ offset, message }) => ({ file, ...lineCounter.linePos(offset), path: '', message }))),
  });
  const { document, syntaxProblems } = firstDocument(text, lineCounter);
  if (syntaxProblems.length > 0) return rejected(syntaxProblems);
  if (document.contents === null) {
    return rejected([{ offset: 0, message: "the file is empty; expected a mapping with at least a 'name' key" }]);
  }
  const problems = structureProblems(document);
  if (problems.length > 0) return rejected(problems);
  const result = scenarioSchema.safeParse(document.toJS({ maxAliasCount: -1 })); // aliases were bounded above, with positions
  if (result.success) return { ok: true, scenario: result.data };
  return { ok: false, ...capIssues(scenarioIssuesFromZod(result.error.issues, file, locator(document, lineCounter))) };
}

/**
 * The file's first YAML document and its syntax problems. A later document is a problem at its start and is
 * never composed; YAML errors are built without stack traces, which would cost more than the parse itself on
 * a file with many thousands of them.
 */
function firstDocument(text: string, lineCounter: LineCounter): { document: Document.Parsed; syntaxProblems: SourceProblem[] } {
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const composer = new Composer({ prettyErrors: false, logLevel: 'error', uniqueKeys: false }); // checked in structureProblems
    let documentsSeen = 0;
    let secondDocumentOffset: number | undefined;
    for (const token of new Parser(lineCounter.addNewLine).parse(text)) {
      if (token.type === 'document' && ++documentsSeen > 1) {
        secondDocumentOffset = token.offset;
        break;
      }
      // Steps the composer; it hands a document out only when the next one starts, which is never fed to it.
      Array.from(composer.next(token));
    }
    const [document] = composer.end(true, secondDocumentOffset ?? text.length);
    if (document === undefined) throw new Error('the YAML composer produced no document at the end of the input');
    const syntaxProblems = document.errors.map(syntaxProblem);
    if (secondDocumentOffset !== undefined) {
      syntaxProblems.push({ offset: secondDocumentOffset, message: 'a scenario file holds one YAML document; a second one starts here' });
    }
    return { document, syntaxProblems };
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

function syntaxProblem(error: YAMLParseError): SourceProblem {
  const offset = error.pos[0];
  if (error.code === 'RESOURCE_EXHAUSTION') return { offset, message: 'the YAML nests too deeply to read here' };
  return { offset, message: `YAML syntax error: ${printable(error.message, 200)}` };
}

/**
 * Duplicate keys, undefined anchors, aliases of a value that contains them, bad merges and the alias limits,
 * found in one pass over the document in source order: iterative, so no nesting the parser accepted can overflow
 * the stack, and linear, where the YAML library's own duplicate-key check is quadratic in a mapping's size.
 */
function structureProblems(document: Document.Parsed): SourceProblem[] {
  const problems: SourceProblem[] = [];
  const anchors = new Map<string, Node>(); // the latest anchor of each name so far, as YAML resolves an alias
  const targets = new Map<Alias, Node>();
  const sizes = new Map<Node, number>(); // values in a finished node, aliases expanded
  const merges: unknown[] = []; // the values of `<<` keys
  let aliases = 0;
  let aliasedValues = 0;
  const stack: { node: unknown; exit: boolean }[] = [{ node: document.contents, exit: false }];
  while (stack.length > 0) {
    const { node, exit } = stack.pop()!;
    if (!isNode(node)) continue;
    if (isAlias(node)) {
      const offset = node.range?.[0] ?? 0;
      const name = printable(node.source, 40);
      const target = anchors.get(node.source);
      if (++aliases === MAX_ALIASES + 1) {
        problems.push({ offset, message: `too many aliases: a scenario file may use at most ${MAX_ALIASES} (a limit against alias bombs)` });
      }
      if (target === undefined) {
        problems.push({ offset, message: `alias *${name} names no anchor &${name} before it` });
      } else if (!sizes.has(target)) {
        problems.push({ offset, message: `alias *${name} is inside the value it names` });
      } else {
        const size = sizes.get(target)!;
        targets.set(node, target);
        sizes.set(node, size);
        aliasedValues += size;
        if (aliasedValues > MAX_ALIASED_VALUES && aliasedValues - size <= MAX_ALIASED_VALUES) {
          problems.push({ offset, message: `aliases repeat more than ${MAX_ALIASED_VALUES} values in all (a limit against alias bombs)` });
        }
      }
      continue;
    }
    const children = isMap(node) ? node.items.flatMap((pair) => [pair.key, pair.value]) : isSeq(node) ? node.items : [];
    if (exit) {
      sizes.set(node, children.reduce<number>((total, child) => total + (isNode(child) ? (sizes.get(child) ?? 1) : 1), 1));
      continue;
    }
    if (node.anchor !== undefined) anchors.set(node.anchor, node);
    if (isMap(node)) {
      problems.push(...duplicateKeys(node));
      merges.push(...node.items.filter((pair) => isMergeKey(pair.key)).map((pair) => pair.value));
    }
    stack.push({ node, exit: true });
    for (let index = children.length - 1; index >= 0; index--) stack.push({ node: children[index], exit: false });
  }
  // Aliases that name nothing were reported above; a merge of one adds nothing more to say.
  const resolved = (node: unknown) => (isAlias(node) ? (targets.get(node) ?? null) : node);
  for (const value of merges) {
    const source = resolved(value);
    const bad = (isSeq(source) ? source.items : [value]).find((item) => resolved(item) !== null && !isMap(resolved(item)));
    if (bad === undefined || source === null) continue;
    const offset = (isNode(bad) ? bad.range?.[0] : undefined) ?? (isNode(value) ? value.range?.[0] : undefined) ?? 0;
    problems.push({ offset, message: `a merge (${MERGE_KEY}) takes a mapping, an alias of one or a list of them, found ${kindOfNode(resolved(bad))}` });
  }
  return problems.sort((a, b) => a.offset - b.offset);
}

/** Keys a mapping repeats, compared as the YAML library would: scalars by value. */
function duplicateKeys(map: YAMLMap): SourceProblem[] {
  const seen = new Set<unknown>();
  const problems: SourceProblem[] = [];
  for (const { key } of map.items) {
    if (!isScalar(key)) continue;
    if (seen.has(key.value)) problems.push({ offset: key.range?.[0] ?? 0, message: DUPLICATE_KEY_MESSAGE });
    seen.add(key.value);
  }
  return problems;
}

/** A YAML 1.1 merge key: the 1.1 schema resolves a plain `<<` to a symbol. */
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === 'symbol' && key.value.description === MERGE_KEY;
}

function kindOfNode(node: unknown): string {
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return node.value === null ? 'an empty value' : 'a scalar';
  return 'an empty value';
}

/** Reads and parses a scenario file (a server adapter's path is made absolute from the file's folder); a file that cannot be read is an issue like any other. */
export function loadScenarioFile(path: string): ParseResult {
  const read = readScenarioText(path);
  if ('problem' in read) return { ok: false, issues: [{ file: path, ...FILE_START, path: '', message: read.problem }], unlisted: 0 };
  const result = parseScenario(read.text, path);
  const { server } = result.ok ? result.scenario.system : {};
  if (typeof server === 'object' && 'adapter' in server) server.adapter = resolve(dirname(path), server.adapter);
  return result;
}

/**
/**
 * A problem the scenario's own schema cannot see (one the client under test makes of it), placed at
 * `keyPath` in the file as the loader places its own; the start of the file when it no longer parses.
 */
export function issueAt(path: string, keyPath: KeyPath, message: string): ScenarioIssue {
  const lineCounter = new LineCounter();
  const read = readScenarioText(path);
  const parsed = 'text' in read ? firstDocument(read.text, lineCounter) : undefined;
  const position = parsed === undefined || parsed.syntaxProblems.length > 0 ? FILE_START : locator(parsed.document, lineCounter)(keyPath, 'key');
  return { file: path, ...position, path: formatKeyPath(keyPath), message };
}

/**
 * The file's text, read only from a regular file and at most MAX_SCENARIO_BYTES of it: opened without blocking
 * (a FIFO would wait for a writer), checked on the open descriptor, so a device, a FIFO or a folder is never read.
 */
function readScenarioText(path: string): { text: string } | { problem: string } {
  let descriptor: number | undefined;
  try {
    descriptor = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const stats = fstatSync(descriptor);
    if (!stats.isFile()) return { problem: `cannot read the scenario file: it is ${specialFileKind(stats)}, not a regular file` };
    if (stats.size > MAX_SCENARIO_BYTES) return { problem: tooLargeMessage(`${stats.size} bytes`) };
    const buffer = Buffer.alloc(MAX_SCENARIO_BYTES + 1);
    let length = 0;
    for (let bytes = -1; bytes !== 0 && length < buffer.length; length += bytes) {
      bytes = readSync(descriptor, buffer, length, buffer.length - length, null);
    }
    if (length > MAX_SCENARIO_BYTES) return { problem: tooLargeMessage(`more than ${MAX_SCENARIO_BYTES} bytes`) };
    return { text: buffer.toString('utf8', 0, length) };
  } catch (error) {
    return { problem: unreadableFileMessage(error) };
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

function tooLargeMessage(size: string): string {
  return `cannot read the scenario file: it holds ${size}; a scenario file may hold at most ${MAX_SCENARIO_BYTES} bytes (1 MiB)`;
}

function specialFileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'a special file';
}

function unreadableFileMessage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'cannot read the scenario file: no such file';
  if (code === 'EISDIR') return 'cannot read the scenario file: it is a directory, not a regular file';
  if (code === 'ENXIO') return 'cannot read the scenario file: it is a socket or a device with nothing behind it, not a regular file';
  return `cannot read the scenario file: ${printable(error instanceof Error ? error.message : String(error), 200)}`;
}

function locator(document: Document, lineCounter: LineCounter): Locate {
  const aliasTargets = new Map<Alias, unknown>(); // resolving an alias walks the whole document
  const targetOf = (alias: Alias) => {
    if (!aliasTargets.has(alias)) aliasTargets.set(alias, alias.resolve(document));
    return aliasTargets.get(alias);
  };
  const keyIndexes = new WeakMap<YAMLMap, Map<string, { key: unknown; value: unknown }>>();
  const entryIn = (container: unknown, segment: PropertyKey): { key: unknown; value: unknown } | undefined => {
    if (isMap(container)) {
      let index = keyIndexes.get(container);
      if (index === undefined) {
        index = new Map();
        for (const item of container.items) {
          if (isScalar(item.key) && !index.has(String(item.key.value))) index.set(String(item.key.value), { key: item.key, value: item.value });
        }
        keyIndexes.set(container, index);
      }
      return index.get(String(segment));
    }
    if (isSeq(container) && typeof segment === 'number') {
      const item: unknown = container.items[segment];
      return item === undefined ? undefined : { key: null, value: item };
    }
    return undefined;
  };
  /** The node a key path names (its key or its value); for a path that does not exist, the deepest one that does. */
  const nodeAt = (path: KeyPath, target: 'key' | 'value'): Node | null => {
    let key: unknown = null;
    let value: unknown = document.contents;
    for (const segment of path) {
      const container = isAlias(value) ? targetOf(value) : value;
      const entry = entryIn(container, segment);
      if (entry === undefined) return isNode(container) ? container : null;
      ({ key, value } = entry);
    }
    const preferred = target === 'key' ? key : value;
    if (isNode(preferred)) return preferred;
    return isNode(key) ? key : null;
  };
  return (path, target) => {
    const offset = nodeAt(path, target)?.range?.[0];
    return offset === undefined ? FILE_START : lineCounter.linePos(offset);
  };
}
