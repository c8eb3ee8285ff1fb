// The scenario files a command names, all loaded before anything runs: when any is invalid, every
// problem of every file is printed (file:line:col and what was expected; the first 50 of a file, and
// how many more) and nothing runs.
import { formatIssue, loadScenarioFile, printable, type Scenario } from '../scenario/index.ts';

const err = (text: string) => process.stderr.write(text + '\n');

/** Every file's scenario, or undefined after printing every problem of every file. */
export function loadScenarioFiles(files: string[]): { file: string; scenario: Scenario }[] | undefined {
  const loaded = files.map((file) => ({ file, result: loadScenarioFile(file) }));
  let problems = 0;
  for (const { file, result } of loaded) {
    if (result.ok) continue;
    for (const issue of result.issues) err(formatIssue(issue));
    if (result.unlisted > 0) err(`${printable(file)}: ${result.unlisted} more problem${result.unlisted === 1 ? '' : 's'} not listed`);
    problems += result.issues.length + result.unlisted;
  }
  if (problems > 0) {
    err(`\n${problems} problem${problems === 1 ? '' : 's'} in scenario files; nothing was run.`);
    return undefined;
  }
  return loaded.map(({ file, result }) => ({ file, scenario: (result as { ok: true; scenario: Scenario }).scenario }));
}
