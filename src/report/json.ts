// The JSON reporter: one document on stdout when the run ends, for scripts and CI: per case the
// scenario, seed, verdict, event-log hash, counts, violations and replay command.
import { exitCodeOf, type Reporter } from './case.ts';

export const JSON_REPORT_VERSION = 1;

export function jsonReporter(write: (text: string) => void): Reporter {
  return {
    onCase() {},
    onEnd(reports) {
      const verdict = { 0: 'pass', 1: 'fail', 3: 'error' }[exitCodeOf(reports)];
      write(JSON.stringify({ version: JSON_REPORT_VERSION, verdict, cases: reports }, null, 2));
    },
  };
}
