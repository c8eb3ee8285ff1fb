// A long run's event log on disk: NDJSON lines appended to a file nobody else can see (unlinked as
// soon as it is opened, so it vanishes with the process whatever happens), and read back line by
// line on every pass. What keeps a 24-simulated-hour history out of memory.
import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/**
 * Lines are written, and read back, through buffers of this many bytes: under V8's large-object size, so a
 * pass's chunks and strings die young in the nursery instead of piling up until a full collection.
 */
const BUFFER_BYTES = 1 << 16;
/** A UTF-16 code unit takes at most this many bytes of UTF-8. */
const MAX_BYTES_PER_UNIT = 3;

/** Closes a spill file's descriptor once its owner is garbage. */
const closing = new FinalizationRegistry<number>((fd) => closeSync(fd));

export class SpillFile {
  private readonly fd: number;
  /** Lines written but not yet on disk, as UTF-8. */
  private readonly pending = Buffer.allocUnsafe(BUFFER_BYTES);
  private pendingBytes = 0;
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
    const mostBytes = line.length * MAX_BYTES_PER_UNIT + 1;
    if (this.pendingBytes + mostBytes > BUFFER_BYTES) this.flush();
    if (mostBytes > BUFFER_BYTES) return this.writeBytes(Buffer.from(`${line}\n`));
    this.pendingBytes += this.pending.write(line, this.pendingBytes);
    this.pending[this.pendingBytes++] = 0x0a;
  }

  /** Every line written so far, in order. */
  *lines(): Generator<string> {
    this.flush();
    const endBytes = this.sizeBytes;
    const chunk = Buffer.allocUnsafe(BUFFER_BYTES);
    const decoder = new StringDecoder('utf8');
    let positionBytes = 0;
    let rest = '';
    while (positionBytes < endBytes) {
      const readBytes = readSync(this.fd, chunk, 0, Math.min(BUFFER_BYTES, endBytes - positionBytes), positionBytes);
      positionBytes += readBytes;
      const lines = (rest + decoder.write(chunk.subarray(0, readBytes))).split('\n');
      rest = lines.pop() ?? '';
      yield* lines;
    }
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    this.writeBytes(this.pending.subarray(0, this.pendingBytes));
    this.pendingBytes = 0;
  }

  private writeBytes(bytes: Buffer): void {
    writeSync(this.fd, bytes, 0, bytes.length, this.sizeBytes);
    this.sizeBytes += bytes.length;
  }
}
