// The event log of a run, in Jepsen's form: each user operation is an `invoke` followed by `ok`
// or `fail`; network messages, boots, phases and the client's own events sit in the same order.
// It is the ground truth the checkers read, and its hash is what a replay must reproduce.
import type { Entity, Fields, VisibleRecord } from '../adapter.ts';
import type { FaultSpec } from '../scenario/fault-specs.ts';
import type { MessageEvent } from '../sim/network.ts';

export type OperationKind = 'create' | 'update' | 'delete' | 'resolve' | 'refresh';

interface Stamped {
  /** Simulated time, ms. */
  t: number;
}

/**
 * A simulated user's call on a device; `ok`, `fail` and `info` repeat the invoke's `op` number.
 * `info`: the app died before the call returned, so it may or may not have taken effect.
 */
export interface OperationEvent extends Stamped {
  type: 'invoke' | 'ok' | 'fail' | 'info';
  process: string;
  op: number;
  f: OperationKind;
  /** The record's kind; absent for a refresh (pull-to-refresh), which touches no one record. */
  entity?: Entity;
  /** The record; known at invoke for update, delete and resolve, at ok for create. */
  id?: string;
  /** The values written: each a unique token naming this write (or an id, for references). */
  fields?: Fields;
  /**
   * The versions of the record the user saw when writing: the parents of this write, per field.
   * One version for an edit; both sides for the resolution of a manual conflict.
   */
  seen?: Fields[];
  /** How the user settled a manual conflict. */
  resolution?: 'keep-mine' | 'keep-theirs' | 'merge';
  error?: string;
}

/** A network message's fate, as the simulated network reported it. */
export interface MessageLogEvent extends Stamped, MessageEvent {
  type: 'message';
}

export interface BootEvent extends Stamped {
  type: 'boot';
  process: string;
}

/** The app process died; `statement` is how many SQLite statements that boot had run. */
export interface KillEvent extends Stamped {
  type: 'kill';
  process: string;
  statement: number;
}

/**
 * A device's store was put back to a backup taken at `snapshotAtMs`: what it saved since is gone by the fault's hand.
 * A reinstall wipes the store (`reinstall`, `snapshotAtMs` 0): its losses are a class of their own.
 */
export interface RestoreEvent extends Stamped {
  type: 'restore';
  process: string;
  snapshotAtMs: number;
  reinstall?: true;
}

/**
 * The server was put back to a backup taken at `snapshotAtMs`: the commits it made since are gone, and
 * its pull cursor went back to `cursor`. It answers at `epoch` from now on, so clients can tell.
 */
export interface ServerRestoreEvent extends Stamped {
  type: 'server-restore';
  snapshotAtMs: number;
  cursor: number;
  epoch: number;
}

/** A fault began or healed, in the same order as the operations around it; its start and its stop carry one `faultId`. */
export interface FaultEvent extends Stamped {
  type: 'fault';
  phase: 'start' | 'stop';
  /** Numbers the run's faults from 1 in the order they start, so a stop names the start it ends. */
  faultId: number;
  spec: FaultSpec;
}

export interface PhaseEvent extends Stamped {
  type: 'phase';
  /** chaos, then quiesce; resume (users act again, faults healed) and a second quiesce; end. */
  phase: 'chaos' | 'quiesce' | 'resume' | 'end';
  /** For the end of quiescence: whether every device settled before the timeout. */
  quiesced?: boolean;
  /** For the end of a run stopped early: the bound on events it reached (the case then fails liveness). */
  bound?: string;
}

/**
 * A quiescence ran out of time (`quiesce_timeout`) before every device settled: what each device's
 * app still showed waiting then, and whether its `sync()` had returned. Recorded only on a timeout.
 */
export interface QuiescenceTimeoutEvent extends Stamped {
  type: 'quiesce-timeout';
  /** When that quiescence began, ms. */
  sinceMs: number;
  /** The phase it followed: the chaos phase (the harness calls `sync()`), or the resume phase (the apps' own timers). */
  after: 'chaos' | 'resume';
  devices: QuiescenceWait[];
}

export interface QuiescenceWait {
  device: string;
  /** Records shown `local` or `pending`. */
  waiting: number;
  openConflicts: number;
  /** The harness's `sync()` on this device had not returned. */
  syncUnreturned: boolean;
}

/** Something the client logged about itself through `env.log` (a conflict, a failed sync). */
export interface ClientLogEvent extends Stamped {
  type: 'client';
  process: string;
  event: string;
  data?: Record<string, unknown>;
}

/**
 * What a device's app showed at one moment (`list()`): at each boot, and each time the user looks
 * before acting. The observations the durability, honest-status and session checkers read. A launch
 * records everything shown; a look records only what changed since that device's previous read, so
 * a long run's history grows with its changes, not with its records times its reads.
 */
export interface ReadEvent extends Stamped {
  type: 'read';
  process: string;
  /** Why the app was read: a launch, or the user looking before an action. */
  at: 'boot' | 'user';
  /** At a launch, every record shown; at a look, the records new or different since the previous read. */
  records: VisibleRecord[];
  /** At a look, the ids of the records the previous read showed and this one does not. */
  removed?: string[];
}

/** The server committed a record version, as its own log says: ground truth of what it held and when. */
export interface CommitEvent extends Stamped {
  type: 'commit';
  /** The device whose push wrote it. */
  process: string;
  changeId: string;
  entity: Entity;
  id: string;
  version: number;
  fields: Fields;
  deleted: boolean;
}

export type HistoryEvent =
  | OperationEvent
  | MessageLogEvent
  | BootEvent
  | KillEvent
  | RestoreEvent
  | ServerRestoreEvent
  | FaultEvent
  | PhaseEvent
  | QuiescenceTimeoutEvent
  | ClientLogEvent
  | ReadEvent
  | CommitEvent;

/** A run's events in order, for one pass or many: an array, or a history whose log may live on disk. */
export type EventLog = Iterable<HistoryEvent>;
