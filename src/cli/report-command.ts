// `sync-chaos report merge DIR...`: shard runs' report folders merged into one run folder, written
// by the same reporters a run uses (every one the registry has, unless --reporter names some), so
// CI can spread seeds over machines and still publish one report. Exit code as for the merged run.
import { Command } from 'commander';
import { exitCodeOf } from '../report/case.ts';
import { mergeShardReports, readShardReports } from '../report/merge.ts';
import { createReporters, FILE_REPORTER_NAMES, type ReporterName } from '../report/registry.ts';
import { DEFAULT_OUT, RunFolder, runIdOf } from '../report/run-folder.ts';
import { reporterOption } from './reporter-option.ts';

interface MergeFlags {
  reporter?: ReporterName[];
  out: string;
}

const out = (text: string) => process.stdout.write(text + '\n');

export function reportCommand(): Command {
  const report = new Command('report').description('work with the report folders runs write').exitOverride();
  report
    .command('merge')
    .description('merge shard report folders (each holding report.json) into one run folder; exit as the merged run would')
    .argument('<dirs...>', 'report folders, e.g. the artifacts of `run --shard i/n --reporter json`')
    .addOption(reporterOption('console and every file reporter'))
    .option('--out <dir>', 'folder for the merged run: writes <dir>/<run-id>/ and points <dir>/latest at it', DEFAULT_OUT)
    .exitOverride()
    .action((dirs: string[], flags: MergeFlags) => {
      process.exitCode = merge(dirs, flags);
    });
  return report;
}

function merge(dirs: string[], flags: MergeFlags): number {
  const merged = mergeShardReports(readShardReports(dirs));
  const selected = flags.reporter ?? ['console', ...FILE_REPORTER_NAMES];
  const folder = new RunFolder(flags.out, runIdOf(new Date(merged.startedAt), merged.cases.map(({ file, seed }) => [file, seed])));
  const reporter = createReporters(selected, {
    startedAt: merged.startedAt,
    command: { files: merged.files, flags: { ...merged.sharedFlags, reporter: selected, out: flags.out } },
    folder,
    write: out,
  });
  reporter.onRunStart(merged.cases);
  for (const each of merged.cases) reporter.onCase(each);
  reporter.onRunEnd(merged.cases, merged.end);
  if (folder.exists) {
    folder.linkLatest();
    process.stderr.write(`merged ${dirs.length} report${dirs.length === 1 ? '' : 's'}, ${merged.cases.length} cases: ${folder.path}\n`);
  }
  return exitCodeOf(merged.cases);
}
