// The progress line a long run draws on a terminal's stderr: cases done of the total, failures
// found so far and an estimate of the time left. A reporter like the others; what they print goes
// through `above`, which lifts the line out of the way and draws it again underneath.
import type { CaseReport, PlannedCase, Reporter } from './case.ts';

export class ProgressLine implements Reporter {
  private total = 0;
  private done = 0;
  private failures = 0;
  private shown = false;
  private ended = false;

  /** `elapsedMs`: the wall time since the run started, for the estimate. */
  constructor(
    private readonly elapsedMs: () => number,
    private readonly write: (text: string) => void = (text) => process.stderr.write(text),
  ) {}

  onRunStart(planned: readonly PlannedCase[]): void {
    this.total = planned.length;
    this.draw();
  }

  onInterrupt(): void {
    this.clear();
  }

  onCaseSettled(report: CaseReport): void {
    this.done++;
    if (report.verdict !== 'pass') this.failures++;
    this.clear();
    this.draw();
  }

  onRunEnd(): void {
    this.clear();
    this.ended = true;
  }

  /** `print`, with this line cleared before each block and drawn again after it. */
  above(print: (text: string) => void): (text: string) => void {
    return (text) => {
      this.clear();
      print(text);
      this.draw();
    };
  }

  /** A single case, a finished run or an ended one draws no line. */
  private draw(): void {
    if (this.ended || this.total <= 1 || this.done >= this.total) return;
    const eta = this.done === 0 ? '…' : formatSeconds((this.elapsedMs() / this.done) * (this.total - this.done));
    const failures = `${this.failures} failure${this.failures === 1 ? '' : 's'}`;
    this.write(`${this.done}/${this.total} seeds · ${failures} · ETA ${eta}`);
    this.shown = true;
  }

  /** Takes the line off the terminal (it comes back with the next case or block printed). */
  clear(): void {
    if (this.shown) this.write('\r\x1b[K');
    this.shown = false;
  }
}

function formatSeconds(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}
