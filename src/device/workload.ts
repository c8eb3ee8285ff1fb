// A simulated user of one device: at a seeded rate it creates, edits and deletes folders and
// notes, pulls to refresh, and settles manual conflicts after a while, writing a unique token
// into every field it sets and recording what it saw when writing: the write's parents.
import type { Conflict, Entity, Fields, SyncClient, VisibleRecord } from '../adapter.ts';
import type { OperationEvent, OperationKind } from '../history/events.ts';
import type { History } from '../history/history.ts';
import { tokenOf } from '../history/tokens.ts';
import type { Rng } from '../sim/rng.ts';
import type { Scheduler } from '../sim/scheduler.ts';
import { ProcessKilledError } from './fenced-db.ts';
import { FOLDER, NOTE, SeenPlaces } from './seen-places.ts';

export interface WorkloadSettings {
  ratePerSecond: number;
  mix: { create: number; update: number; delete: number; refresh: number };
  contention: number;
  noteShare: number;
  resolveDelayMsMin: number;
  resolveDelayMsMax: number;
}

export interface UserSettings {
  deviceId: string;
  scheduler: Scheduler;
  rng: Rng;
  history: History;
  workload: WorkloadSettings;
  /** The app as it runs at the moment of each action; undefined while it is dead or in the background. */
  client: () => SyncClient | undefined;
  /** Called just before the user starts a write: where a kill "during a write" strikes. */
  beforeWrite: () => void;
  /** Receives whatever a client call threw: the system under test failed. */
  onClientError: (error: unknown) => void;
}

const NOTE_FIELDS = ['title', 'body'] as const;
/** Fields that hold a reference to another record rather than user text: never tokens. */
const REFERENCE_FIELDS = new Set(['folderId']);
const RESOLUTIONS = ['keep-mine', 'keep-theirs', 'merge'] as const;

type Call = Pick<OperationEvent, 'f' | 'entity' | 'id' | 'fields' | 'seen'> & { resolution?: (typeof RESOLUTIONS)[number] };

export class SimulatedUser {
  private writeCount = 0;
  private opCount = 0;
  private readonly createdHere = new Set<string>();
  /** What the user's last look showed, place by place. */
  private readonly seen = new SeenPlaces(this.createdHere);
  private readonly noticedConflicts = new Set<string>();
  /** Bumped when the app dies: calls into the dead process are abandoned, their outcome unknown. */
  private generation = 0;
  private inFlight: OperationEvent | undefined;
  private untilMs = 0;

  constructor(private readonly settings: UserSettings) {}

  /** Acts at the workload's rate until simulated time `untilMs`. */
  start(untilMs: number): void {
    this.untilMs = untilMs;
    this.scheduleNext();
  }

  /**
   * The app died under the user: the call in flight gets `info` (it may or may not have taken
   * effect, as Jepsen records it), and the user carries on with the next action when it is due.
   */
  interrupt(): void {
    const call = this.inFlight;
    if (!call) return;
    this.inFlight = undefined;
    this.generation++;
    const { process, op, f, entity, id } = call;
    this.settings.history.append({ t: this.settings.scheduler.nowMs, type: 'info', process, op, f, ...(entity && { entity }), ...(id && { id }) });
    this.scheduleNext();
  }

  /** Settles every open manual conflict now, as a user who opens the app at last would; returns how many. */
  async resolveAll(): Promise<number> {
    const open = (await this.settings.client()?.conflicts?.()) ?? [];
    for (const conflict of open) await this.resolve(conflict);
    return open.length;
  }

  private scheduleNext(): void {
    const { scheduler, rng, workload } = this.settings;
    if (workload.ratePerSecond <= 0) return;
    const atMs = scheduler.nowMs + rng.exponentialMs(1000 / workload.ratePerSecond);
    if (atMs > this.untilMs) return;
    const generation = this.generation;
    scheduler.at(atMs, () => {
      if (generation !== this.generation) return;
      this.act().then(
        () => generation === this.generation && this.scheduleNext(),
        (error) => {
          if (generation !== this.generation) return;
          if (error instanceof ProcessKilledError) this.scheduleNext();
          else this.settings.onClientError(error);
        },
      );
    });
  }

  /** One action; while the app is dead or in the background the user does nothing. */
  private async act(): Promise<void> {
    const { rng, workload } = this.settings;
    const client = this.settings.client();
    if (!client) return;
    await this.noticeConflicts(client);
    const kind = pickWeighted(rng, workload.mix);
    if (kind === 'refresh') return this.perform({ f: 'refresh' }, (app) => app.sync());
    const visible = await client.list();
    const splicesFrom = client.listSplices && ((from: readonly VisibleRecord[]) => client.listSplices?.(from, visible));
    this.settings.history.appendRead(this.settings.scheduler.nowMs, this.settings.deviceId, 'user', visible, splicesFrom);
    this.seen.look(visible, splicesFrom);
    const target = kind === 'create' ? undefined : this.pickTarget(visible, kind);
    if (!target) return this.create(visible);
    if (kind === 'update') return this.update(target);
    return this.perform({ f: 'delete', entity: target.entity, id: target.id, fields: {}, seen: [target.fields] }, (app) =>
      app.delete(target.entity, target.id),
    );
  }

  private async create(visible: VisibleRecord[]): Promise<void> {
    const { rng, workload } = this.settings;
    const { kindAt } = this.seen;
    const isFolder = (at: number) => kindAt[at] === FOLDER;
    const folders = countOf(visible.length, isFolder);
    const token = this.nextToken();
    const [entity, fields]: [Entity, Fields] =
      folders > 0 && rng.chance(workload.noteShare)
        ? ['note', { title: token, body: token, folderId: (visible[placeOf(visible.length, isFolder, rng.int(0, folders - 1))] as VisibleRecord).id }]
        : ['folder', { name: token }];
    await this.perform({ f: 'create', entity, fields }, async (app) => {
      const id = await app.create(entity, fields);
      this.createdHere.add(id);
      this.seen.madeHere(id);
      return id;
    });
  }

  private async update(target: VisibleRecord): Promise<void> {
    const token = this.nextToken();
    const names = target.entity === 'folder' ? ['name'] : this.pickNoteFields();
    const fields = Object.fromEntries(names.map((name) => [name, token]));
    await this.perform({ f: 'update', entity: target.entity, id: target.id, fields, seen: [target.fields] }, (app) =>
      app.update(target.entity, target.id, fields),
    );
  }

  /** Schedules, for each conflict seen for the first time, its resolution after a seeded delay. */
  private async noticeConflicts(client: SyncClient): Promise<void> {
    const { scheduler, rng, workload } = this.settings;
    for (const conflict of (await client.conflicts?.()) ?? []) {
      if (this.noticedConflicts.has(conflict.conflictId)) continue;
      this.noticedConflicts.add(conflict.conflictId);
      scheduler.after(rng.int(workload.resolveDelayMsMin, workload.resolveDelayMsMax), () => {
        this.resolveIfOpen(conflict.conflictId).catch(this.settings.onClientError);
      });
    }
  }

  private async resolveIfOpen(conflictId: string): Promise<void> {
    const open = (await this.settings.client()?.conflicts?.()) ?? [];
    const conflict = open.find((candidate) => candidate.conflictId === conflictId);
    if (conflict) await this.resolve(conflict);
  }

  /** Keeps mine, keeps theirs, or merges field by field; the resolution is a new write whose parents are both sides. */
  private async resolve(conflict: Conflict): Promise<void> {
    const { rng } = this.settings;
    const resolution = rng.pick(RESOLUTIONS);
    const token = this.nextToken();
    const fields: Fields = {};
    for (const name of [...new Set([...Object.keys(conflict.local), ...Object.keys(conflict.server)])].sort()) {
      const side = resolution === 'keep-mine' || (resolution === 'merge' && rng.chance(0.5)) ? conflict.local : conflict.server;
      fields[name] = REFERENCE_FIELDS.has(name) ? (side[name] ?? conflict.local[name] ?? null) : token;
    }
    const call: Call = { f: 'resolve', entity: conflict.entity, id: conflict.id, fields, seen: [conflict.local, conflict.server], resolution };
    await this.perform(call, (app) => {
      if (!app.resolve) throw new Error('the client listed conflicts but has no resolve()');
      return app.resolve(conflict.conflictId, fields);
    });
  }

  /**
   * Edits aim at records other devices created with probability `contention`; folders are deleted only when empty.
   * The pool is counted, then its drawn member found in place, as `rng.pick` would take it from the pool as a list.
   */
  private pickTarget(visible: VisibleRecord[], kind: OperationKind): VisibleRecord | undefined {
    const { rng, workload } = this.settings;
    const { seen } = this;
    const { kindAt, createdHereAt } = seen;
    const isCandidate = kind === 'delete' ? (at: number) => kindAt[at] === NOTE || !seen.inUse(at) : () => true;
    const theirs = rng.chance(workload.contention);
    const isPreferred = (at: number) => (createdHereAt[at] === 1) !== theirs && isCandidate(at);
    const preferred = countOf(visible.length, isPreferred);
    const [inPool, size] = preferred > 0 ? [isPreferred, preferred] : [isCandidate, countOf(visible.length, isCandidate)];
    return size > 0 ? visible[placeOf(visible.length, inPool, rng.int(0, size - 1))] : undefined;
  }

  private pickNoteFields(): string[] {
    const { rng } = this.settings;
    const chosen = NOTE_FIELDS.filter(() => rng.chance(0.5));
    return chosen.length > 0 ? chosen : [rng.pick(NOTE_FIELDS)];
  }

  private nextToken(): string {
    this.writeCount++;
    return tokenOf(this.settings.deviceId, this.writeCount);
  }

  /**
   * Calls the client and records the call; a throw is the system under test failing, recorded and
   * passed on. A call cut short by the app's death was already recorded as `info` by `interrupt`.
   */
  private async perform(call: Call, action: (client: SyncClient) => Promise<string | void>): Promise<void> {
    const { scheduler, history, deviceId } = this.settings;
    const client = this.settings.client();
    if (!client) return;
    const invoke: OperationEvent = { t: scheduler.nowMs, type: 'invoke', process: deviceId, op: ++this.opCount, ...call };
    history.append(invoke);
    const generation = this.generation;
    this.inFlight = invoke;
    const { f, entity } = call;
    const done = { process: deviceId, op: invoke.op, f, ...(entity && { entity }) };
    if (f !== 'refresh') this.settings.beforeWrite();
    try {
      const id = await action(client);
      if (generation !== this.generation) return;
      history.append({ t: scheduler.nowMs, type: 'ok', ...done, ...(typeof id === 'string' ? { id } : call.id && { id: call.id }) });
    } catch (error) {
      if (generation !== this.generation) return;
      history.append({ t: scheduler.nowMs, type: 'fail', ...done, error: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      if (generation === this.generation) this.inFlight = undefined;
    }
  }
}

function pickWeighted(rng: Rng, mix: WorkloadSettings['mix']): OperationKind {
  const kinds = ['create', 'update', 'delete', 'refresh'] as const;
  let roll = rng.next() * kinds.reduce((total, kind) => total + mix[kind], 0);
  for (const kind of kinds) {
    roll -= mix[kind];
    if (roll < 0) return kind;
  }
  return 'refresh';
}

/** How many of the places 0 to `length` - 1 `isMember` takes. */
function countOf(length: number, isMember: (at: number) => boolean): number {
  let count = 0;
  for (let at = 0; at < length; at++) if (isMember(at)) count++;
  return count;
}

/** The place of the member numbered `index` (from 0) among those `isMember` takes. */
function placeOf(length: number, isMember: (at: number) => boolean, index: number): number {
  for (let at = 0, left = index; at < length; at++) if (isMember(at) && left-- === 0) return at;
  throw new RangeError(`no member ${index} among ${length} places`);
}
