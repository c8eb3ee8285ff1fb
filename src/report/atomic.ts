// Every file a report writes lands whole or not at all: the text goes to a temporary file beside
// the target, then one rename(2) puts it in place, so a crash or a reader never sees half a file.
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { threadId } from 'node:worker_threads';

let written = 0;

/** Writes `text` (whole, or piece by piece) to `path` through a temporary file and a rename; creates the folder if needed. */
export function writeFileAtomic(path: string, text: string | Iterable<string>): void {
  mkdirSync(dirname(path), { recursive: true });
  // Unique per process, thread and call: parallel workers (or runs) writing the same file never share a temporary.
  const temporary = `${path}.${process.pid}-${threadId}-${++written}.partial`;
  try {
    if (typeof text === 'string') writeFileSync(temporary, text);
    else writePieces(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

function writePieces(path: string, pieces: Iterable<string>): void {
  const fd = openSync(path, 'w');
  try {
    for (const piece of pieces) writeSync(fd, piece);
  } finally {
    closeSync(fd);
  }
}
