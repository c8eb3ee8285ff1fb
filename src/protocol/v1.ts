// Wire types of the reference sync protocol, version 1: a batched push with a result per change,
// and a cursor-based pull. Shared by the reference client and server, and by nothing else.
import type { Entity, Fields, ServerRecord } from '../adapter.ts';

export const PROTOCOL_VERSION = 1;
export const PUSH_PATH = '/v1/push';
export const PULL_PATH = '/v1/pull';
export const RECORDS_PATH = '/v1/debug/records';

export type ChangeType = 'create' | 'update' | 'delete';

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
  reason?: string;
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
