// `sync-chaos report merge`: shard runs (each a folder holding report.json) become one run, as if
// one machine had run every seed. Cases are ordered by scenario file, then seed; a case two shards
// both hold is kept once if they agree (wall time aside) and is bad input if they do not.
import { BadInputError } from '../errors.ts';
import type { CaseReport, RunEnd } from './case.ts';
import type { ReportDocument } from './json.ts';
import { readReportDocument } from './read.ts';

export interface ShardReport {
  folder: string;
  document: ReportDocument;
}

export interface MergedRun {
  /** The earliest start among the shards: when the sweep began. */
  startedAt: string;
  /** Every scenario file, in the order the shards name them. */
  files: string[];
  /** The flags every shard was given alike (the shard's own `--shard` and `--workers` aside). */
  sharedFlags: Record<string, unknown>;
  cases: CaseReport[];
  /** Interrupted if any shard was (SIGINT): then `planned` counts every shard's planned cases. */
  end: RunEnd;
}

/** Flags that say how a shard ran, not what it ran: they never make two shards disagree. */
const PER_SHARD_FLAGS = new Set(['shard', 'workers', 'reporter', 'out']);

/** Reads `<folder>/report.json` of every folder; a missing or foreign file is bad input naming it. */
export function readShardReports(folders: readonly string[]): ShardReport[] {
  return folders.map((folder) => ({ folder, document: readReportDocument(folder).document }));
}

export function mergeShardReports(shards: readonly ShardReport[]): MergedRun {
  if (shards.length === 0) throw new BadInputError('report merge needs at least one report folder');
  const files = [...new Set(shards.flatMap(({ document }) => [...document.command.files, ...document.cases.map((report) => report.file)]))];
  const byKey = new Map<string, { report: CaseReport; folder: string }>();
  const conflicts: string[] = [];
  for (const { folder, document } of shards) {
    for (const report of document.cases) {
      const key = `${report.file}\u0000${report.seed}`;
      const seen = byKey.get(key);
      if (!seen) byKey.set(key, { report, folder });
      else if (!sameCase(seen.report, report)) conflicts.push(`${report.file} seed ${report.seed}: ${seen.folder} and ${folder} disagree`);
    }
  }
  if (conflicts.length > 0) throw new BadInputError(`report merge: the same case differs between reports:\n  ${conflicts.join('\n  ')}`);
  const fileOrder = new Map(files.map((file, index) => [file, index]));
  const cases = [...byKey.values()].map(({ report }) => report).sort((a, b) => fileOrder.get(a.file)! - fileOrder.get(b.file)! || a.seed - b.seed);
  const startedAt = shards.map(({ document }) => document.startedAt).sort()[0]!;
  const end: RunEnd = {
    reason: shards.some(({ document }) => document.interrupted !== undefined) ? 'interrupted' : 'done',
    planned: shards.reduce((sum, { document }) => sum + (document.interrupted?.planned ?? document.cases.length), 0),
  };
  return { startedAt, files, sharedFlags: sharedFlags(shards.map(({ document }) => document.command.flags)), cases, end };
}

/** Two reports of one case agree when everything but the wall time (and so the timing of the run) is equal. */
function sameCase(a: CaseReport, b: CaseReport): boolean {
  const { wallMs: _a, ...restA } = a;
  const { wallMs: _b, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB);
}

function sharedFlags(flagSets: readonly Record<string, unknown>[]): Record<string, unknown> {
  const [first, ...rest] = flagSets;
  return Object.fromEntries(
    Object.entries(first ?? {}).filter(([name, value]) => !PER_SHARD_FLAGS.has(name) && rest.every((flags) => JSON.stringify(flags[name]) === JSON.stringify(value))),
  );
}
