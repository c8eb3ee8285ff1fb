// The causality oracle (DESIGN §7): every value the workload writes is a unique token, and every
// write records the versions its user saw, so per record field the writes form a DAG whose edges are
// exactly what the user saw: never the device's own earlier writes, which a pull may have replaced.
import type { Entity, Fields } from '../adapter.ts';
import type { HistoryEvent, OperationKind } from '../history/events.ts';
import { isToken } from '../history/tokens.ts';

/** A device store put back to a backup; for a reinstall (an empty store), what the device showed just before. */
interface Restore {
  device: string;
  atMs: number;
  snapshotAtMs: number;
  shown?: ReadonlyMap<string, Fields>;
  shownAtMs?: number;
}

/** One user write (create, update, delete or resolve) and what became of the call. */
export interface Write {
  device: string;
  op: number;
  f: Exclude<OperationKind, 'refresh'>;
  entity?: Entity;
  /** The record; for a create, known once it returned, or found where its token shows up. */
  id?: string;
  fields: Fields;
  /** The versions of the record the user saw: the write's parents. */
  seen: Fields[];
  /** Simulated time of the invoke, and of the outcome when there was one, ms. */
  atMs: number;
  doneMs?: number;
  outcome: 'ok' | 'fail' | 'info' | 'pending';
  /** The token this write set in every user field it wrote; absent for a delete. */
  token?: string;
  /** When the server first committed it (its token; for a delete, the record's first tombstone from the invoke on), ms. */
  committedMs?: number;
}

export class Causality {
  /** Every write, in invoke order. */
  readonly writes: Write[] = [];
  private readonly byToken = new Map<string, Write>();
  private readonly byOp = new Map<string, Write>();
  private readonly byRecord = new Map<string, Write[]>();
  private readonly ancestorMemo = new Map<string, ReadonlySet<string>>();
  private readonly restores: Restore[] = [];
  /** What each device showed at its latest read, record id to fields, and when it was read: what a reinstall wipes. */
  private readonly shown = new Map<string, { atMs: number; records: Map<string, Fields> }>();
  /** When the server first committed each token, ms: the moment a write reached it. */
  readonly firstCommitMs = new Map<string, number>();
  /** Every time the server committed a tombstone, per record id. */
  private readonly tombstones = new Map<string, number[]>();
  /** Every version the server committed, per record id. */
  private readonly committed = new Map<string, { atMs: number; fields: Fields }[]>();

  /** Takes the history's next event; `seal` once the last is taken. */
  take(event: HistoryEvent): void {
    if (event.type === 'invoke' && event.f !== 'refresh') {
      const token = Object.values(event.fields ?? {}).find(isToken);
      const write: Write = {
        device: event.process,
        op: event.op,
        f: event.f,
        ...(event.entity && { entity: event.entity }),
        ...(event.id && { id: event.id }),
        fields: event.fields ?? {},
        seen: event.seen ?? [],
        atMs: event.t,
        outcome: 'pending',
        ...(token && { token }),
      };
      this.writes.push(write);
      this.byOp.set(`${event.process}#${event.op}`, write);
      if (token) this.byToken.set(token, write);
    } else if (event.type === 'ok' || event.type === 'fail' || event.type === 'info') {
      const write = this.byOp.get(`${event.process}#${event.op}`);
      if (!write) return;
      write.outcome = event.type;
      write.doneMs = event.t;
      if (event.id && !write.id) write.id = event.id;
    } else if (event.type === 'commit') {
      this.placeCreates(event.id, event.fields);
      if (event.deleted) listIn(this.tombstones, event.id).push(event.t);
      listIn(this.committed, event.id).push({ atMs: event.t, fields: event.fields });
      for (const value of Object.values(event.fields)) if (isToken(value) && !this.firstCommitMs.has(value)) this.firstCommitMs.set(value, event.t);
    } else if (event.type === 'read') {
      for (const record of event.records) this.placeCreates(record.id, record.fields);
      this.show(event.process, event.t, event.at === 'boot', event.records, event.removed ?? []);
    } else if (event.type === 'restore') {
      const read = this.shown.get(event.process);
      const shown = event.reinstall ? { shown: new Map(read?.records), shownAtMs: read?.atMs ?? 0 } : {};
      this.restores.push({ device: event.process, atMs: event.t, snapshotAtMs: event.snapshotAtMs, ...shown });
    }
  }

  /** Dates every write's first commit and files the writes by record, once the whole history is taken. */
  seal(): void {
    for (const write of this.writes) {
      const committedMs = write.token === undefined ? this.tombstones.get(write.id ?? '')?.find((atMs) => atMs >= write.atMs) : this.firstCommitMs.get(write.token);
      if (committedMs !== undefined) write.committedMs = committedMs;
      if (!write.id) continue;
      const list = this.byRecord.get(write.id) ?? [];
      list.push(write);
      this.byRecord.set(write.id, list);
    }
  }

  /** The write a device invoked as operation `op`. */
  writeAt(device: string, op: number): Write | undefined {
    return this.byOp.get(`${device}#${op}`);
  }

  /** The write that produced `token`, if any write did. */
  writeOf(token: string): Write | undefined {
    return this.byToken.get(token);
  }

  /** Every write aimed at record `id`, in invoke order. */
  writesTo(id: string): readonly Write[] {
    return this.byRecord.get(id) ?? [];
  }

  /** The tokens the writer of `token` saw in `field`: its parents there. */
  parents(token: string, field: string): string[] {
    const write = this.byToken.get(token);
    if (!write) return [];
    return [...new Set(write.seen.map((version) => version[field]).filter(isToken))];
  }

  /** Every token `token` descends from in `field` (not itself). */
  ancestors(token: string, field: string): ReadonlySet<string> {
    const key = `${field}\u0000${token}`;
    const memo = this.ancestorMemo.get(key);
    if (memo) return memo;
    const found = new Set<string>();
    const stack = this.parents(token, field);
    while (stack.length > 0) {
      const next = stack.pop() as string;
      if (found.has(next)) continue;
      found.add(next);
      stack.push(...this.parents(next, field));
    }
    this.ancestorMemo.set(key, found);
    return found;
  }

  /** Whether `later` is `earlier` or descends from it in `field`. */
  includes(later: unknown, earlier: string, field: string): boolean {
    return isToken(later) && (later === earlier || this.ancestors(later, field).has(earlier));
  }

  /** The creates at the roots of `token`'s ancestry in `field`: the record it belongs to, by origin. */
  roots(token: string, field: string): string[] {
    return [token, ...this.ancestors(token, field)].filter((candidate) => this.byToken.get(candidate)?.f === 'create');
  }

  /** Every version the server committed of record `id`, oldest first. */
  committedVersions(id: string): readonly Fields[] {
    return (this.committed.get(id) ?? []).map((version) => version.fields);
  }

  /**
   * When the server first committed record `id` with `field` no longer built on `token`, after committing it
   * there: the moment the token was replaced on the server, or undefined if it never was (or no commit is logged).
   */
  replacedMs(id: string, token: string, field: string): number | undefined {
    let carried = false;
    for (const { atMs, fields } of this.committed.get(id) ?? []) {
      if (this.includes(fields[field], token, field)) carried = true;
      else if (carried) return atMs;
    }
    return undefined;
  }

  /** Whether, by `untilMs`, the server committed a value of record `write.id` its user had not seen, in any field: a concurrent change. */
  metConcurrentChange(write: Write, untilMs = Number.POSITIVE_INFINITY): boolean {
    return (this.committed.get(write.id ?? '') ?? []).some(
      ({ atMs, fields }) =>
        atMs <= untilMs &&
        Object.entries(fields).some(
          ([field, value]) =>
            isToken(value) &&
            value !== write.token &&
            !write.seen.some((version) => this.includes(version[field], value, field)) &&
            !(write.token !== undefined && this.includes(value, write.token, field)),
        ),
    );
  }

  /**
   * Whether a backup restore wiped `write` out before it reached the server: saved after the snapshot was
   * taken, not committed when the old copy came back. Its loss is the fault's doing, not the app's.
   */
  wipedByRestore(write: Write): boolean {
    return this.wipingRestore(write) !== undefined;
  }

  /** Whether what wiped `write` out before it reached the server was a reinstall (an empty store), not an old backup. */
  lostToReinstall(write: Write): boolean {
    return this.wipingRestore(write)?.shown !== undefined;
  }

  /**
   * A reinstall wipes a write only while the device still held it: made after the device's last read before
   * the reinstall, or at that read the device showed its value, or a later edit of its own built on it that had
   * not reached the server either (for a delete, the record's absence, as for a write its own device then deleted
   * that way). A write a pull or a conflict had already replaced was lost before, and is judged as such.
   */
  private wipingRestore(write: Write): Restore | undefined {
    const { token } = write;
    const committedMs = token === undefined ? this.tombstones.get(write.id ?? '')?.[0] : this.firstCommitMs.get(token);
    const stillHeld = ({ shown, shownAtMs, atMs }: Restore) => {
      if (!shown || write.atMs >= (shownAtMs ?? 0)) return true;
      const id = write.id ?? '';
      const fields = shown.get(id);
      const tombstoneMs = this.tombstones.get(id)?.[0] ?? Infinity;
      // gone from the device by its own delete, which had not reached the server either
      const ownDelete = () =>
        this.writesTo(id).some((other) => other.f === 'delete' && other.device === write.device && other.atMs >= write.atMs && other.atMs <= atMs);
      if (fields === undefined) return tombstoneMs > atMs && (token === undefined || ownDelete());
      if (token === undefined) return false;
      return Object.entries(fields).some(
        ([field, value]) => this.includes(value, token, field) && !((this.firstCommitMs.get(value as string) ?? Infinity) <= atMs),
      );
    };
    return this.restores.find(
      (restore) =>
        restore.device === write.device &&
        restore.atMs >= write.atMs &&
        (write.doneMs ?? write.atMs) >= restore.snapshotAtMs &&
        (committedMs === undefined || committedMs > restore.atMs) &&
        stillHeld(restore),
    );
  }

  /** Keeps what a device shows up to date: a launch shows every record, a look what changed since. */
  private show(device: string, atMs: number, launch: boolean, records: readonly { id: string; fields: Fields }[], removed: readonly string[]): void {
    const shown = (launch ? undefined : this.shown.get(device)?.records) ?? new Map<string, Fields>();
    this.shown.set(device, { atMs, records: shown });
    for (const record of records) shown.set(record.id, record.fields);
    for (const id of removed) shown.delete(id);
  }

  /** A create whose call never returned its id is found where its token first shows up with a record id. */
  private placeCreates(id: string, fields: Fields): void {
    for (const value of Object.values(fields)) {
      if (!isToken(value)) continue;
      const write = this.byToken.get(value);
      if (write && write.f === 'create' && !write.id) write.id = id;
    }
  }
}

/** The list `map` holds at `key`, put there empty if it held none. */
function listIn<T>(map: Map<string, T[]>, key: string): T[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}

/** The user fields a write set: those holding its token (never a reference such as `folderId`). */
export function tokenFields(write: Write): string[] {
  return Object.keys(write.fields).filter((name) => write.fields[name] === write.token);
}

