// The progress line as a reporter: drawn on the run's start, moved out of the way of every block
// the other reporters print and drawn again under it, taken off at the run's end for good.
import { describe, expect, it } from 'vitest';
import type { CaseReport } from '../src/report/case.ts';
import { ProgressLine } from '../src/report/progress.ts';

const CLEAR = '\r\x1b[K';
const planned = (count: number) => Array.from({ length: count }, (_, index) => ({ file: 'scenarios/baseline.yaml', seed: index + 1 }));
const settled = (verdict: CaseReport['verdict']) => ({ verdict }) as CaseReport;

function terminal(elapsedMs = 0) {
  const shown: string[] = [];
  const progress = new ProgressLine(() => elapsedMs, (text) => shown.push(text));
  const print = progress.above((text) => shown.push(`stdout: ${text}`));
  return { shown, progress, print };
}

describe('the progress line', () => {
  it('shows cases done of those planned, the failures so far and the time left', () => {
    const { shown, progress } = terminal(4000);
    progress.onRunStart(planned(3));
    progress.onCaseSettled(settled('fail'));
    expect(shown).toEqual(['0/3 seeds · 0 failures · ETA …', CLEAR, '1/3 seeds · 1 failure · ETA 8s']);
  });

  it('clears itself before each block another reporter prints and comes back under it', () => {
    const { shown, progress, print } = terminal();
    progress.onRunStart(planned(2));
    print('PASS baseline seed 1');
    expect(shown).toEqual(['0/2 seeds · 0 failures · ETA …', CLEAR, 'stdout: PASS baseline seed 1', '0/2 seeds · 0 failures · ETA …']);
  });

  it('is taken off on Ctrl-C and at the run\'s end, and the summary printed after the end does not bring it back', () => {
    const { shown, progress, print } = terminal();
    progress.onRunStart(planned(2));
    progress.onInterrupt();
    expect(shown.at(-1)).toBe(CLEAR);
    progress.onCaseSettled(settled('pass'));
    progress.onRunEnd();
    print('1 passed, 0 failed (1 cases)');
    expect(shown.slice(-3)).toEqual(['1/2 seeds · 0 failures · ETA 0s', CLEAR, 'stdout: 1 passed, 0 failed (1 cases)']);
  });

  it('draws nothing for a single case, nor once every case is done', () => {
    const one = terminal();
    one.progress.onRunStart(planned(1));
    one.print('PASS');
    expect(one.shown).toEqual(['stdout: PASS']);
    const two = terminal();
    two.progress.onRunStart(planned(2));
    two.progress.onCaseSettled(settled('pass'));
    two.progress.onCaseSettled(settled('pass'));
    expect(two.shown.at(-1)).toBe(CLEAR);
  });
});
