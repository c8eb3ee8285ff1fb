// Where a run's file reports go: `<out>/<run-id>/`, with `<out>/latest` naming the newest run.
// The run id is a sortable UTC timestamp plus a short hash of what was run, e.g.
// `20261125T163000Z-3fa9c1`: `ls reports/` lists runs in time order, and two runs of the same
// cases share the hash. The timestamp is the one reading of the real clock a report makes; it
// never reaches a seeded run.
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { BadInputError } from '../errors.ts';
import { writeFileAtomic } from './atomic.ts';

export const DEFAULT_OUT = 'reports';

/** The wall-clock instant a run started, for its id and its report. */
export function wallClockNow(): Date {
  return new Date();
}

/** `20261125T163000Z-3fa9c1`: the UTC second the run started and 6 hex digits of SHA-256 over the case list. */
export function runIdOf(startedAt: Date, cases: unknown): string {
  const stamp = startedAt.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  return `${stamp}-${createHash('sha256').update(JSON.stringify(cases)).digest('hex').slice(0, 6)}`;
}

/** The run's folder, created on first use (a console-only run writes nothing). */
export class RunFolder {
  private created: string | undefined;

  constructor(
    readonly out: string,
    private readonly proposedId: string,
  ) {}

  /** The run id, final once the folder exists: a run started in the same second on the same cases gets `-2`, `-3`, …. */
  get id(): string {
    return this.create();
  }

  get path(): string {
    return join(this.out, this.id);
  }

  get exists(): boolean {
    return this.created !== undefined;
  }

  /** Writes one report file into the folder atomically and returns its path. */
  write(name: string, text: string): string {
    const path = join(this.path, name);
    writeFileAtomic(path, text);
    return path;
  }

  /**
   * Points `<out>/latest` at this run: a relative symlink, swapped in by a rename so readers never
   * see it missing; where symlinks are refused (Windows without the privilege), a text file holding
   * the run id instead.
   */
  linkLatest(): 'symlink' | 'file' {
    const latest = join(this.out, 'latest');
    const temporary = `${latest}.${process.pid}-${threadId}.partial`;
    try {
      symlinkSync(this.id, temporary, 'dir');
      renameSync(temporary, latest);
      return 'symlink';
    } catch {
      rmSync(temporary, { force: true });
      writeFileAtomic(latest, `${this.id}\n`);
      return 'file';
    }
  }

  /**
   * Makes the folder (once) and returns its id. An `--out` where it cannot be made (a file, a path
   * through a file, a device, a read-only or virtual file system, an empty name) is bad input.
   */
  create(): string {
    if (this.created !== undefined) return this.created;
    if (this.out === '') throw new BadInputError('--out "": an empty folder name; name the folder for the reports');
    try {
      createFolders(this.out);
      for (let attempt = 1; ; attempt++) {
        const id = attempt === 1 ? this.proposedId : `${this.proposedId}-${attempt}`;
        try {
          mkdirSync(join(this.out, id));
          this.created = id;
          return id;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
      }
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      throw new BadInputError(`--out ${JSON.stringify(this.out)}: cannot create the run folder there (${FOLDER_PROBLEMS[code ?? ''] ?? message})`);
    }
  }
}

/**
 * `mkdir -p`, one level at a time: node's recursive mkdir spins for ever on a path under /proc,
 * where mkdir answers ENOENT although the parent exists.
 */
function createFolders(path: string): void {
  try {
    mkdirSync(path);
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code === 'EEXIST' && statSync(path).isDirectory()) return;
    if (code !== 'ENOENT' || dirname(path) === path) throw error;
    createFolders(dirname(path));
    mkdirSync(path);
  }
}

const FOLDER_PROBLEMS: Record<string, string> = {
  EEXIST: 'it exists and is not a folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOENT: 'the path cannot exist here',
  EACCES: 'not writable by this user',
  EPERM: 'not writable by this user',
  EROFS: 'a read-only file system',
};
