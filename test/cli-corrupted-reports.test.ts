// Corrupted report.json files read back by `replay`, `report merge` and `shrink`: each breaks
// schema/report.schema.json somewhere, and each command turns it away with exit 2 naming the file
// and the first bad path, instead of crashing (exit 3), merging junk cases or replaying garbage.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../src/errors.ts';
import { readReportDocument } from '../src/report/read.ts';
import { runCli } from './cli-helpers.ts';

type Report = { startedAt: string; cases: Record<string, unknown>[] };

/** Each corruption seen to crash or fool a command, with the path and complaint it must now be turned away with. */
const CORRUPTIONS: [string, (report: Report) => unknown, string][] = [
  ['null', () => null, '$: must be object'],
  ['an empty case', (report) => ({ ...report, cases: [{}] }), "$.cases[0]: must have required property 'scenario'"],
  ['a null seed', (report) => ({ ...report, cases: [{ ...report.cases[0], seed: null }] }), '$.cases[0].seed: must be integer'],
  ['a seed past 2^53', (report) => ({ ...report, cases: [{ ...report.cases[0], seed: 2 ** 60 }] }), '$.cases[0].seed: must be <= 9007199254740991'],
  ['a file that is a number', (report) => ({ ...report, cases: [{ ...report.cases[0], file: 123 }] }), '$.cases[0].file: must be string'],
  ['a start time that is garbage', (report) => ({ ...report, startedAt: 'garbage' }), '$.startedAt: must match pattern'],
  ['a start time on the 99th day', (report) => ({ ...report, startedAt: '2026-12-99T10:00:00.000Z' }), '$.startedAt: must match pattern'],
];

/** A real report.json of one baseline seed, run once for the file. */
let base: Promise<Report> | undefined;
const baseReport = () =>
  (base ??= (async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sync-chaos-corrupt-')), 'runs');
    const run = await runCli(['run', 'scenarios/baseline.yaml', '--reporter', 'json', '--out', out]);
    expect(run.code).toBe(0);
    return JSON.parse(readFileSync(join(out, 'latest', 'report.json'), 'utf8')) as Report;
  })());

/** `corrupted` written as `<new folder>/report.json`. */
function writeReport(corrupted: unknown): { folder: string; file: string } {
  const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-corrupt-'));
  const file = join(folder, 'report.json');
  writeFileSync(file, JSON.stringify(corrupted));
  return { folder, file };
}

const located = (file: string, problem: string) => `${file}: not a sync-chaos report.json as schema/report.schema.json describes it: ${problem}`;

describe('a corrupted report.json', () => {
  it.each(CORRUPTIONS)('holding %s is bad input naming the file and the first bad path', async (_name, corrupt, problem) => {
    const { file } = writeReport(corrupt(await baseReport()));
    expect(() => readReportDocument(file)).toThrow(BadInputError);
    expect(() => readReportDocument(file)).toThrow(located(file, problem));
  });

  it('reads back the report it was corrupted from', async () => {
    const { folder } = writeReport(await baseReport());
    expect(readReportDocument(folder).document).toEqual(await baseReport());
  });

  it('is exit 2 with that message from replay, report merge and shrink, never a crash', async () => {
    const report = await baseReport();
    const [nothing, empty, garbage] = [null, { ...report, cases: [{}] }, { ...report, startedAt: 'garbage' }].map(writeReport);
    const outcomes = await Promise.all([
      runCli(['replay', nothing!.file]),
      runCli(['report', 'merge', empty!.folder, '--out', join(empty!.folder, 'merged')]),
      runCli(['shrink', garbage!.file]),
    ]);
    expect(outcomes.map(({ code, stderr }) => ({ code, stderr }))).toEqual([
      { code: 2, stderr: expect.stringContaining(located(nothing!.file, '$: must be object')) },
      { code: 2, stderr: expect.stringContaining(located(empty!.file, "$.cases[0]: must have required property 'scenario'")) },
      { code: 2, stderr: expect.stringContaining(located(garbage!.file, '$.startedAt: must match pattern')) },
    ]);
  });
});
