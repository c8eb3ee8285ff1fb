// Seeded mutations of the shipped scenario files, for fuzzing the loader (test/scenario-fuzz.test.ts, a few
// hundred) and the tool (scripts/fuzz.ts, thousands). Besides random edits of the text, the mutator keeps every
// class of input that once crashed or hung sync-chaos: aliases, merges, extra documents, duplicate keys, huge
// and zero durations and rates, settings the reference client refuses, long and unprintable keys and values,
// deep nesting, and a syntax error followed by thousands of entries.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatIssue, type ParseResult } from '../src/scenario/index.ts';
import { createRng, type Rng } from '../src/sim/rng.ts';

const SCENARIOS = fileURLToPath(new URL('../scenarios/', import.meta.url));

export interface ShippedScenario {
  name: string;
  text: string;
}

export function shippedScenarios(): ShippedScenario[] {
  return readdirSync(SCENARIOS)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(SCENARIOS, name), 'utf8') }));
}

const EXTREME_VALUES = [
  '9007199254740991ms', '9007199254740992', '1e308', '-1', '0', '0ms', '0s', '0/h', '0/s', '10000h', '10001h', '-10001h', '1001/s',
  `1${'0'.repeat(400)}/h`, '.nan', '.inf', '-.inf', '~', 'null', '""', "''", '[]', '{}', 'yes', '0x1F', '1.5h', '99999999999999999999',
  '!!binary aGVsbG8=', '!!timestamp 2001-12-14', '!!set { a, b }', '!custom x', `"${'\\u001b[31m'}red"`, `"${'x'.repeat(5_000)}"`, `d${'9'.repeat(300)}`,
];

const FRAGMENTS = [
  'x: &a 1\ny: *a',
  'description: *nope',
  `description: [${Array.from({ length: 101 }, () => '*n').join(', ')}]`,
  ['l0: &l0 [a, b]', ...Array.from({ length: 24 }, (_, index) => `l${index + 1}: &l${index + 1} [*l${index}, *l${index}]`)].join('\n'),
  'loop: &loop [*loop]',
  '<<: 5',
  '<<: [*a, 7]',
  'base: &base { min: 1s }\nmerged: { <<: *base }',
  '---\nname: second',
  '...\n---\n',
  'name: duplicate',
  'system: { retry: { base: 1h, max: 1s } }',
  'system: { retry: { budget: 0/h } }',
  'system: { request_timeout: 1ms, sync_interval: 9007199254740s }',
  'duration: 9007199254740991ms\nfaults:\n  - { at: 9007199254740991ms, for: 1ms, server_restart: {} }',
  '"evil\\nscenarios/x.yaml:1:1 \\e[31m": 1',
  `${'k'.repeat(2_000)}: 1`,
  `deep: ${'['.repeat(2_000)}${']'.repeat(2_000)}`,
  `deep: ${'{a: '.repeat(300)}1${'}'.repeat(300)}`,
  '? [complex, key]\n: value',
  `broken: "unterminated\nfaults: [${Array.from({ length: 2_000 }, () => '{ at: 1s, kill: {} }').join(', ')}`,
  `faults:\n${Array.from({ length: 1_000 }, (_, index) => `- a${index}`).join('\n')}`,
  '\t- tab',
  '%TAG ! tag:example.com,2000:\n---',
  '\ufeff',
];

const NOISE = ':-[]{}&*!|>\'"%@#,?\n\t \\<=~0123456789abcdefghmsxyz/.';

type Mutation = (lines: string[], rng: Rng) => string[];

function randomLine(lines: readonly string[], rng: Rng): number {
  return rng.int(0, Math.max(0, lines.length - 1));
}

const MUTATIONS: Mutation[] = [
  // an extreme value in place of one
  (lines, rng) => {
    const index = randomLine(lines, rng);
    const value = rng.pick(EXTREME_VALUES);
    return lines.map((line, at) => (at === index ? line.replace(/:\s*[^\s{[][^,}\]]*/, `: ${value}`) : line));
  },
  // a fragment of a known class, at the top level or indented under a section
  (lines, rng) => {
    const index = randomLine(lines, rng);
    const indent = rng.chance(0.7) ? '' : '  ';
    const fragment = rng.pick(FRAGMENTS).split('\n').map((line) => indent + line);
    return [...lines.slice(0, index), ...fragment, ...lines.slice(index)];
  },
  // YAML 1.1, where `<<` merges
  (lines) => ['%YAML 1.1', '---', ...lines],
  // random characters into a line
  (lines, rng) => {
    const index = randomLine(lines, rng);
    const line = lines[index] ?? '';
    const at = rng.int(0, line.length);
    const noise = Array.from({ length: rng.int(1, 4) }, () => rng.pick([...NOISE])).join('');
    return lines.map((text, position) => (position === index ? line.slice(0, at) + noise + line.slice(at) : text));
  },
  // a cut out of the text
  (lines, rng) => {
    const text = lines.join('\n');
    const from = rng.int(0, text.length);
    return (text.slice(0, from) + text.slice(Math.min(text.length, from + rng.int(1, 40)))).split('\n');
  },
  // a line repeated, dropped, or indented differently
  (lines, rng) => {
    const index = randomLine(lines, rng);
    const line = lines[index] ?? '';
    const choice = rng.int(0, 2);
    if (choice === 0) return [...lines.slice(0, index), line, ...lines.slice(index)];
    if (choice === 1) return lines.filter((_, at) => at !== index);
    return lines.map((text, at) => (at === index ? ' '.repeat(rng.int(0, 6)) + text.trimStart() : text));
  },
  // an anchor on a value, and aliases of it elsewhere
  (lines, rng) => {
    const index = randomLine(lines, rng);
    const anchored = lines.map((line, at) => (at === index ? line.replace(/: (\S)/, ': &m $1') : line));
    const target = randomLine(anchored, rng);
    return anchored.map((line, at) => (at === target ? line.replace(/: \S.*$/, ': *m') : line));
  },
  // the file cut short
  (lines, rng) => lines.slice(0, rng.int(0, lines.length)),
];

/** The `index`-th mutant of a seeded corpus: a shipped scenario with one to three mutations. */
export function mutant(scenarios: readonly ShippedScenario[], seed: number, index: number): { source: string; text: string } {
  const rng = createRng(seed, `mutant:${index}`);
  const scenario = rng.pick(scenarios);
  let lines = scenario.text.split('\n');
  const count = rng.int(1, 3);
  for (let step = 0; step < count; step++) lines = rng.pick(MUTATIONS)(lines, rng);
  return { source: scenario.name, text: lines.join('\n') };
}

const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** What is wrong with a loader's answer to `text`: every issue located in the file, printable on one line, the list capped. */
export function answerProblems(text: string, result: ParseResult, maxListed: number): string[] {
  if (result.ok) return [];
  const lineCount = text.split('\n').length;
  const problems: string[] = [];
  if (result.issues.length === 0) problems.push('rejected with no issue');
  if (result.issues.length > maxListed) problems.push(`${result.issues.length} issues listed, more than ${maxListed}`);
  for (const issue of result.issues) {
    const line = formatIssue(issue);
    if (!(issue.line >= 1 && issue.line <= lineCount && issue.col >= 1)) problems.push(`not located in the file: ${line.slice(0, 200)}`);
    if (issue.message === '') problems.push(`no message: ${line.slice(0, 200)}`);
    if (UNPRINTABLE.test(line)) problems.push(`unprintable characters: ${JSON.stringify(line.slice(0, 200))}`);
    if (line.length > 1_000) problems.push(`a line of ${line.length} characters: ${line.slice(0, 200)}`);
  }
  return problems;
}
