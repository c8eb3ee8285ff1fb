// What every reporter knows about the run as a whole, besides its cases: when it started, the
// command that started it, where its files go and how to print.
import type { RunFolder } from './run-folder.ts';

export interface RunInfo {
  /** ISO 8601 UTC, wall clock. */
  startedAt: string;
  /** The scenario files and the flags as given (after defaults). */
  command: { files: string[]; flags: Record<string, unknown> };
  folder: RunFolder;
  /** Prints a block on stdout. */
  write(text: string): void;
}
