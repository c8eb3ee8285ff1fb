// A simulated user of one device: at a seeded rate it creates, edits and deletes folders and
// notes, writing a unique token into every field it sets and recording, for each write, the
// values it saw on the record. Those tokens are what lets the checkers prove a loss.
import type { Entity, Fields, SyncClient, VisibleRecord } from '../adapter.ts';
import type { History } from '../history/history.ts';
import type { OperationKind } from '../history/events.ts';
import type { Rng } from '../sim/rng.ts';
import type { Scheduler } from '../sim/scheduler.ts';

export interface WorkloadSettings {
  ratePerSecond: number;
  mix: { create: number; update: number; delete: number };
  contention: number;
  noteShare: number;
}

export interface UserSettings {
  deviceId: string;
  scheduler: Scheduler;
  rng: Rng;
  history: History;
  workload: WorkloadSettings;
  /** The app as it runs at the moment of each action. */
  client: () => SyncClient;
  /** Receives whatever a client call threw: the system under test failed. */
  onClientError: (error: unknown) => void;
}

const NOTE_FIELDS = ['title', 'body'] as const;

export class SimulatedUser {
  private writeCount = 0;
  private opCount = 0;
  private readonly createdHere = new Set<string>();

  constructor(private readonly settings: UserSettings) {}

  /** Acts at the workload's rate until simulated time `untilMs`. */
  start(untilMs: number): void {
    const { scheduler, rng, workload } = this.settings;
    if (workload.ratePerSecond <= 0) return;
    const meanMs = 1000 / workload.ratePerSecond;
    const next = () => {
      const atMs = scheduler.nowMs + rng.exponentialMs(meanMs);
      if (atMs > untilMs) return;
      scheduler.at(atMs, () => {
        this.act().then(next, this.settings.onClientError);
      });
    };
    next();
  }

  private async act(): Promise<void> {
    const { rng, workload } = this.settings;
    const visible = await this.settings.client().list();
    const kind = pickWeighted(rng, workload.mix);
    const target = kind === 'create' ? undefined : this.pickTarget(visible, kind);
    if (!target) return this.create(visible);
    if (kind === 'update') return this.update(target);
    return this.remove(target);
  }

  private async create(visible: VisibleRecord[]): Promise<void> {
    const { rng, workload } = this.settings;
    const folders = visible.filter((record) => record.entity === 'folder');
    const token = this.nextToken();
    if (folders.length > 0 && rng.chance(workload.noteShare)) {
      const folder = rng.pick(folders);
      await this.perform('create', 'note', undefined, { title: token, body: token, folderId: folder.id });
    } else {
      await this.perform('create', 'folder', undefined, { name: token });
    }
  }

  private async update(target: VisibleRecord): Promise<void> {
    const token = this.nextToken();
    const fields: Fields =
      target.entity === 'folder' ? { name: token } : Object.fromEntries(this.pickNoteFields().map((field) => [field, token]));
    await this.perform('update', target.entity, target, fields);
  }

  private async remove(target: VisibleRecord): Promise<void> {
    await this.perform('delete', target.entity, target, {});
  }

  /** Edits aim at records other devices created with probability `contention`; folders are deleted only when empty. */
  private pickTarget(visible: VisibleRecord[], kind: OperationKind): VisibleRecord | undefined {
    const { rng, workload } = this.settings;
    const usedFolders = new Set(visible.filter((record) => record.entity === 'note').map((record) => record.fields.folderId));
    const candidates = visible.filter((record) => kind !== 'delete' || record.entity === 'note' || !usedFolders.has(record.id));
    const theirs = candidates.filter((record) => !this.createdHere.has(record.id));
    const mine = candidates.filter((record) => this.createdHere.has(record.id));
    const preferred = rng.chance(workload.contention) ? theirs : mine;
    const pool = preferred.length > 0 ? preferred : candidates;
    return pool.length > 0 ? rng.pick(pool) : undefined;
  }

  private pickNoteFields(): string[] {
    const { rng } = this.settings;
    const chosen = NOTE_FIELDS.filter(() => rng.chance(0.5));
    return chosen.length > 0 ? chosen : [rng.pick(NOTE_FIELDS)];
  }

  private nextToken(): string {
    this.writeCount++;
    return `t:${this.settings.deviceId}:w${this.writeCount}`;
  }

  /** Calls the client and records the call; a throw is the system under test failing, recorded and passed on. */
  private async perform(f: OperationKind, entity: Entity, target: VisibleRecord | undefined, fields: Fields): Promise<void> {
    const { scheduler, history, deviceId } = this.settings;
    const base = { process: deviceId, op: ++this.opCount, f, entity, ...(target && { id: target.id }) };
    history.append({ t: scheduler.nowMs, type: 'invoke', ...base, fields, ...(target && { seen: target.fields }) });
    const client = this.settings.client();
    try {
      if (!target) {
        const id = await client.create(entity, fields);
        this.createdHere.add(id);
        history.append({ t: scheduler.nowMs, type: 'ok', ...base, id });
        return;
      }
      await (f === 'update' ? client.update(entity, target.id, fields) : client.delete(entity, target.id));
      history.append({ t: scheduler.nowMs, type: 'ok', ...base });
    } catch (error) {
      history.append({ t: scheduler.nowMs, type: 'fail', ...base, error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }
}

function pickWeighted(rng: Rng, mix: WorkloadSettings['mix']): OperationKind {
  const total = mix.create + mix.update + mix.delete;
  let roll = rng.next() * total;
  for (const kind of ['create', 'update', 'delete'] as const) {
    roll -= mix[kind];
    if (roll < 0) return kind;
  }
  return 'delete';
}
