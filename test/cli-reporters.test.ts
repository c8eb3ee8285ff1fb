import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rootCause } from '../src/check/causes.ts';
import type { Violation } from '../src/check/index.ts';
import { reportSchemaProblems } from '../src/report/report-schema.ts';
import { shortIds } from '../src/report/short-ids.ts';
import { runCli } from './cli-helpers.ts';

const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;
const outDir = () => mkdtempSync(join(tmpdir(), 'sync-chaos-reports-'));

/** The one run folder in `out`, checked to be what `latest` points at, and its files. */
function runFolder(out: string): { runId: string; files: string[]; read: (name: string) => string } {
  const entries = readdirSync(out).sort();
  const runIds = entries.filter((name) => name !== 'latest');
  expect(entries).toContain('latest');
  expect(runIds).toHaveLength(1);
  const runId = runIds[0]!;
  expect(runId).toMatch(RUN_ID);
  expect(readlinkSync(join(out, 'latest'))).toBe(runId);
  return { runId, files: readdirSync(join(out, runId)).sort(), read: (name) => readFileSync(join(out, 'latest', name), 'utf8') };
}

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Just enough XML to check a JUnit file: declaration, nested elements, attributes, escaped text; throws on anything malformed. */
function parseXml(source: string): XmlElement {
  const body = source.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, '');
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack = [root];
  const tag = /<(\/?)([\w:-]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  const checkText = (text: string) => {
    if (/[<>]|&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(text)) throw new Error(`unescaped text: ${text.slice(0, 80)}`);
    return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#10;/g, '\n').replace(/&amp;/g, '&');
  };
  let last = 0;
  for (const match of body.matchAll(tag)) {
    stack.at(-1)!.text += checkText(body.slice(last, match.index));
    last = match.index + match[0].length;
    const [, closing, name, attributeText, selfClosing] = match as unknown as [string, string, string, string, string];
    if (closing) {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name}>`);
      continue;
    }
    const attributes = Object.fromEntries([...attributeText.matchAll(/([\w:-]+)="([^"]*)"/g)].map(([, key, value]) => [key!, checkText(value!)]));
    const element: XmlElement = { name, attributes, children: [], text: '' };
    stack.at(-1)!.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length !== 1 || body.slice(last).trim() !== '') throw new Error('unclosed elements or trailing text');
  if (root.children.length !== 1) throw new Error('not exactly one root element');
  return root.children[0]!;
}

const count = (elements: XmlElement[], name: string) => elements.flatMap((element) => element.children).filter((child) => child.name === name).length;

describe('file reporters', () => {
  it('writes report.json, junit.xml and summary.md under <out>/<run-id>/, points latest at it, and keeps the JSON on stdout', async () => {
    const out = outDir();
    const { code, stdout, stderr } = await runCli(['run', 'scenarios/baseline.yaml', '--reporter', 'json', '--reporter', 'junit', '--reporter', 'markdown', '--out', out]);
    expect(code).toBe(0);
    const { runId, files, read } = runFolder(out);
    expect(files).toEqual(['junit.xml', 'report.json', 'summary.md']);
    expect(stderr).toContain(`reports: ${join(out, runId)}`);

    const report = JSON.parse(read('report.json'));
    expect(JSON.parse(stdout)).toEqual(report);
    expect(reportSchemaProblems(report)).toEqual([]);
    expect(reportSchemaProblems({ ...report, extra: 1, cases: [{ ...report.cases[0], verdict: 'maybe', seed: -1 }] }).sort()).toEqual([
      '$.cases[0].seed: must be >= 0',
      '$.cases[0].verdict: must be equal to one of the allowed values ["pass","fail","error"]',
      '$: must NOT have additional properties ("extra")',
    ].sort());
    expect(report).toMatchObject({ version: 1, runId, verdict: 'pass', totals: { cases: 1, passed: 1, failed: 0, errors: 0 } });
    expect(report.command).toEqual({ files: ['scenarios/baseline.yaml'], flags: { seeds: '1', reporter: ['json', 'junit', 'markdown'], out } });

    const junit = parseXml(read('junit.xml'));
    expect(junit.name).toBe('testsuites');
    expect(junit.attributes).toMatchObject({ tests: '1', failures: '0', errors: '0' });
    expect(junit.children.map((suite) => [suite.name, suite.attributes.name])).toEqual([['testsuite', 'scenarios/baseline.yaml']]);
    expect(junit.children[0]!.children.map(({ name, attributes }) => [name, attributes.classname, attributes.name])).toEqual([['testcase', 'baseline', 'seed 42']]);
    expect(junit.children[0]!.children[0]!.attributes.time).toMatch(/^\d+\.\d{3}$/);

    const mask = (text: string) => text.replaceAll(runId, '<run-id>').replace(/(time|timestamp)="[^"]*"/g, '$1="…"');
    expect(mask(read('junit.xml'))).toMatchSnapshot();
    expect(mask(read('summary.md'))).toMatchSnapshot();
  });

  it('moves latest to the newest run, and writes nothing for a console-only run', async () => {
    const out = outDir();
    const first = await runCli(['run', 'scenarios/baseline.yaml', '--seed', '3', '--reporter', 'markdown', '--out', out]);
    expect(first).toMatchObject({ code: 0, stdout: '' });
    const firstId = runFolder(out).runId;
    expect((await runCli(['run', 'scenarios/baseline.yaml', '--seed', '4', '--reporter', 'markdown', '--reporter', 'console', '--out', out])).stdout).toContain('PASS');
    const ids = readdirSync(out).filter((name) => name !== 'latest').sort();
    expect(ids).toHaveLength(2);
    expect(ids).toContain(firstId);
    expect(readlinkSync(join(out, 'latest'))).toBe(ids.find((id) => id !== firstId));

    const quiet = outDir();
    expect((await runCli(['run', 'scenarios/baseline.yaml', '--out', quiet])).code).toBe(0);
    expect(readdirSync(quiet)).toEqual([]);
  });

  it('shows a failing run in junit.xml (a suite per file, a failure per failing seed) and summary.md, with the replay commands', async () => {
    const out = outDir();
    const client = 'fixtures/clients/never-pushes-deletes.ts';
    // a file whose seeds fail and one whose seeds pass; on one thread, the pool being cli-pool.test.ts's
    const files = ['scenarios/baseline.yaml', 'scenarios/resume-after-partition.yaml'];
    const { code, stdout } = await runCli(['run', ...files, '--seeds', '2', '--workers', '1', '--client', client, '--reporter', 'junit', '--reporter', 'markdown', '--reporter', 'console', '--reporter', 'json', '--out', out]);
    expect(code).toBe(1);
    expect(stdout).toContain('FAIL');
    expect(stdout).not.toContain('"version"');
    const { read } = runFolder(out);
    const report = JSON.parse(read('report.json'));
    expect(reportSchemaProblems(report)).toEqual([]);
    const failing = (report.cases as { verdict: string; seed: number; scenario: string; replay: string; violations: { summary: string }[] }[]).filter((each) => each.verdict === 'fail');
    expect(failing.length).toBeGreaterThan(0);

    const junit = parseXml(read('junit.xml'));
    expect(junit.children.map((suite) => suite.attributes.name)).toEqual(files);
    expect(junit.attributes).toMatchObject({ tests: '4', failures: String(failing.length), errors: '0' });
    expect(count(junit.children, 'testcase')).toBe(4);
    for (const suite of junit.children) {
      expect(Number(suite.attributes.failures)).toBe(suite.children.filter((testcase) => testcase.children.some((child) => child.name === 'failure')).length);
    }
    const first = failing[0]!;
    const testcase = junit.children.flatMap((suite) => suite.children).find((each) => each.attributes.classname === first.scenario && each.attributes.name === `seed ${first.seed}`)!;
    const failure = testcase.children.find((child) => child.name === 'failure')!;
    const root = shortIds(rootCause(first.violations as Violation[])!.summary);
    expect(root).toMatch(/^(folder|note) [0-9a-f]{8}: delete by d\d at /);
    expect(failure.attributes.message).toMatch(new RegExp(`^${first.violations.length} violations on \\d+ records: \\d+ resurrection · .*; root cause: \\[resurrection\\] `));
    expect(failure.attributes.message?.endsWith(root)).toBe(true);
    // every violation once, each record's consequences indented under its primary one
    const listed = failure.text.split('\n').filter((line) => /^( {4})?\[[a-z-]+\] /.test(line));
    expect(listed).toHaveLength(first.violations.length);
    expect(listed[0]).toBe(`[resurrection] ${root}`);
    expect(listed.some((line) => line.startsWith('    [divergence] '))).toBe(true);
    expect(failure.text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(failure.text).toContain(`replay: ${first.replay}`);
    expect(first.replay).toContain(`--client ${client}`);

    const summary = read('summary.md');
    expect(summary.split('\n')[0]).toMatch(/^## ❌ sync-chaos: \d+ failed, 0 crashed, \d+ passed \(4 cases\)$/);
    expect(summary).toMatch(/\| baseline \| 42 \| ❌ fail \| \d+ \| \d+ \| \d+m\d\ds \| `[0-9a-f]{16}` \|/);
    expect(summary).toMatch(new RegExp(`\\n- ❌ \\*\\*${first.scenario}\\*\\* seed ${first.seed}: ${first.violations.length} violations on \\d+ records: \\d+ resurrection · .* · replay: `));
    expect(summary).toContain(`\n  - **[resurrection]** ${root}\n`);
    expect(summary).toMatch(/\n {4}- \[divergence\] /);
  });

  it('reports a crashed system under test as <error> in junit.xml and in summary.md', async () => {
    const out = outDir();
    const { code } = await runCli(['run', 'scenarios/baseline.yaml', '--client', 'fixtures/clients/throws-on-create.ts', '--reporter', 'junit', '--reporter', 'markdown', '--out', out]);
    expect(code).toBe(3);
    const { read } = runFolder(out);
    const junit = parseXml(read('junit.xml'));
    expect(junit.attributes).toMatchObject({ tests: '1', failures: '0', errors: '1' });
    const error = junit.children[0]!.children[0]!.children[0]!;
    expect(error.name).toBe('error');
    expect(error.attributes.message).toContain('adapter bug: cannot serialise the new record');
    expect(error.text).toContain('throws-on-create.ts');
    expect(read('summary.md')).toContain('💥 **baseline** seed 42 · the system under test failed: adapter bug: cannot serialise the new record');
  });

  it('leaves no temporary files behind', async () => {
    const out = outDir();
    await runCli(['run', 'scenarios/baseline.yaml', '--reporter', 'junit', '--out', out]);
    const { files } = runFolder(out);
    expect(files).toEqual(['junit.xml']);
    expect(existsSync(join(out, 'latest', 'junit.xml'))).toBe(true);
    expect(readdirSync(out).some((name) => name.endsWith('.partial'))).toBe(false);
  });
});
