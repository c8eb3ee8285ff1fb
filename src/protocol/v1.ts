// Wire types of the reference sync protocol, version 1: a batched push with a result per change,
// and a cursor-based pull. Shared by the reference client and server, and by nothing else;
// docs/protocol.md describes every message, field and status with examples.
import type { Entity, Fields, ServerRecord } from '../adapter.ts';

export const PUSH_PATH = '/v1/push';
export const PULL_PATH = '/v1/pull';
export const RECORDS_PATH = '/v1/debug/records';
/** Upgraded to a WebSocket: the server pokes the device there when another device's push commits. */
export const POKES_PATH = '/v1/pokes';

/**
 * The header naming the server's epoch, its restore generation: the server sends it on every answer,
 * and a restore from a backup bumps it. A client that sends it back on its requests hears `409` with
 * `RESYNC_ERROR` when the server is no longer at that epoch: the server lost commits the client may
 * hold as synced, so the client must pull afresh and push again what the server no longer has.
 */
export const EPOCH_HEADER = 'sync-epoch';
/** The error of a `409` answer to a request made at an older epoch than the server's. */
export const RESYNC_ERROR = 'resync';

export type ChangeType = 'create' | 'update' | 'delete';

export { CONFLICT_POLICIES, type ConflictPolicy } from '../adapter.ts';

export interface Change {
  /** Client-generated, unique per change: the idempotency key. */
  changeId: string;
  entity: Entity;
  id: string;
  changeType: ChangeType;
  /** The fields set by a create or update; empty for a delete. */
  fields: Fields;
  /** The server version this change was made on; 0 for a create. */
  baseVersion: number;
  /** The device's clock when the user made the change, ms: what `lww` compares. */
  clientTime: number;
  /**
   * After a server restore: the lost version (at or below the version floor) this change's state is built on,
   * its own baseVersion when it puts that version back, or above it when edits go on the older version the
   * server held at the device's resync. A server that holds that very version again (another device put it back
   * first) takes edits as made on it; one that holds a later version from before the restore answers a put-back
   * with that record (docs/protocol.md).
   */
  lostVersion?: number;
}

export interface PushRequest {
  deviceId: string;
  changes: Change[];
}

export type ChangeStatus = 'applied' | 'duplicate' | 'conflict' | 'rejected';

export interface ChangeResult {
  changeId: string;
  status: ChangeStatus;
  /** The version this change produced (applied or duplicate). */
  version?: number;
  /** The record as the server now holds it (after the change, or the version that won a conflict). */
  record?: ServerRecord;
  /** Why a change was rejected or a conflict arose, in words. */
  reason?: string;
  /**
   * Applied over a concurrent change the client had not seen (it won under `lww`, or merged under
   * `field-merge`): the client must log the conflict even though its change went through.
   */
  concurrent?: boolean;
  /** With `concurrent`: the fields of the server's version this change replaced, so the client can log what was overwritten. */
  replaced?: Fields;
}

export interface PushResponse {
  results: ChangeResult[];
}

export interface PullResponse {
  /** Records changed after the request's cursor, oldest change first, tombstones included. */
  records: ServerRecord[];
  cursor: number;
  hasMore: boolean;
}

export interface ErrorResponse {
  error: string;
}

/**
 * A pull's cursor is behind the tombstone horizon: the server pruned tombstones the device never
 * pulled, so it must resync from a snapshot (pull with `snapshot=true` from cursor 0 to the end, then
 * drop the synced records the snapshot no longer holds).
 */
export const RESYNC_STATUS = 410;

export interface ResyncResponse extends ErrorResponse {
  resync: true;
}

/** The `409` answer to a request at an older epoch: the server was restored, and the device must resync (docs/protocol.md). */
export interface RestoredResponse extends ErrorResponse {
  error: typeof RESYNC_ERROR;
  /** Every version written since the restore is above this one, and none at or below it is newer than the backup. */
  versionFloor: number;
}

/** The frame the server sends on a poke socket after a push from another device commits: pull from your cursor. */
export interface Poke {
  type: 'poke';
  /** The server's cursor once that push committed: a device whose cursor is there already has nothing to pull. */
  cursor: number;
}
