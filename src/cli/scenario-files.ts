// The scenario files a command names, all loaded before anything runs: when any is invalid, every
// problem of every file is printed (file:line:col and what was expected) and nothing runs.
import { formatIssue, loadScenarioFile, type Scenario } from '../scenario/index.ts';

const err = (text: string) => process.stderr.write(text + '\n');

/** Every file's scenario, or undefined after printing every problem of every file. */
export function loadScenarioFiles(files: string[]): { file: string; scenario: Scenario }[] | undefined {
  const loaded = files.map((file) => ({ file, result: loadScenarioFile(file) }));
  const issues = loaded.flatMap(({ result }) => (result.ok ? [] : result.issues));
  if (issues.length > 0) {
    for (const issue of issues) err(formatIssue(issue));
    err(`\n${issues.length} problem${issues.length === 1 ? '' : 's'} in scenario files; nothing was run.`);
    return undefined;
  }
  return loaded.map(({ file, result }) => ({ file, scenario: (result as { ok: true; scenario: Scenario }).scenario }));
}
