// A long run's event log on disk: NDJSON lines appended to a file nobody else can see (unlinked as
// soon as it is opened, so it vanishes with the process whatever happens), and read back line by
// line on every pass. What keeps a 24-simulated-hour history out of memory.
import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/** Lines are written in batches of about this many characters. */
const FLUSH_CHARS = 1 << 20;
/** Lines are read back in chunks of this many bytes. */
const READ_BYTES = 1 << 20;

/** Closes a spill file's descriptor once its owner is garbage. */
const closing = new FinalizationRegistry<number>((fd) => closeSync(fd));

export class SpillFile {
  private readonly fd: number;
  private pending: string[] = [];
  private pendingChars = 0;
  private sizeBytes = 0;

  constructor() {
    const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-history-'));
    const path = join(folder, 'events.ndjson');
    this.fd = openSync(path, 'w+');
    unlinkSync(path);
    rmdirSync(folder);
    closing.register(this, this.fd);
  }

  /** Appends one line (without its newline). */
  write(line: string): void {
    this.pending.push(line, '\n');
    this.pendingChars += line.length + 1;
    if (this.pendingChars >= FLUSH_CHARS) this.flush();
  }

  /** Every line written so far, in order. */
  *lines(): Generator<string> {
    this.flush();
    const endBytes = this.sizeBytes;
    const chunk = Buffer.alloc(READ_BYTES);
    const decoder = new StringDecoder('utf8');
    let positionBytes = 0;
    let rest = '';
    while (positionBytes < endBytes) {
      const readBytes = readSync(this.fd, chunk, 0, Math.min(READ_BYTES, endBytes - positionBytes), positionBytes);
      positionBytes += readBytes;
      const lines = (rest + decoder.write(chunk.subarray(0, readBytes))).split('\n');
      rest = lines.pop() ?? '';
      yield* lines;
    }
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const bytes = Buffer.from(this.pending.join(''));
    writeSync(this.fd, bytes, 0, bytes.length, this.sizeBytes);
    this.sizeBytes += bytes.length;
    this.pending = [];
    this.pendingChars = 0;
  }
}
