// The progress line a long `run` draws on a terminal's stderr: cases done of the total, failures
// found so far and an estimate of the time left. The caller passes the elapsed wall time in, and
// clears the line before writing anything else to the terminal.
import type { CaseReport } from '../report/case.ts';

export class ProgressLine {
  private done = 0;
  private failures = 0;
  private shown = false;

  constructor(
    private readonly total: number,
    private readonly write: (text: string) => void = (text) => process.stderr.write(text),
  ) {}

  settled(report: CaseReport, elapsedMs: number): void {
    this.done++;
    if (report.verdict !== 'pass') this.failures++;
    this.clear();
    this.draw(elapsedMs);
  }

  draw(elapsedMs: number): void {
    if (this.done >= this.total) return;
    const eta = this.done === 0 ? '…' : formatSeconds((elapsedMs / this.done) * (this.total - this.done));
    const failures = `${this.failures} failure${this.failures === 1 ? '' : 's'}`;
    this.write(`${this.done}/${this.total} seeds · ${failures} · ETA ${eta}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.write('\r\x1b[K');
    this.shown = false;
  }
}

function formatSeconds(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}
