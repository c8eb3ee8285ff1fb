// Drives the reference server the way a device does, through real Request/Response objects:
// push a batch, pull a page, build changes. Databases opened here are closed after each test.
import Database from 'better-sqlite3';
import { afterEach, expect } from 'vitest';
import type { Fields, SyncServer } from '../src/adapter.ts';
import type { Change, ChangeResult, PullResponse, PushResponse } from '../src/protocol/v1.ts';

export const BASE = 'http://sync-server.test';
const openDbs: Database.Database[] = [];

afterEach(() => {
  for (const db of openDbs.splice(0)) db.close();
});

export function newDb(): Database.Database {
  const db = new Database(':memory:');
  openDbs.push(db);
  return db;
}

export function pushRequest(body: unknown): Request {
  return new Request(`${BASE}/v1/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function push(server: SyncServer, changes: Change[], deviceId = 'd1'): Promise<ChangeResult[]> {
  const response = await server.handle(pushRequest({ deviceId, changes }));
  expect(response.status).toBe(200);
  return ((await response.json()) as PushResponse).results;
}

/** Pushes one change and answers its result. */
export async function pushOne(server: SyncServer, one: Change, deviceId = 'd1'): Promise<ChangeResult> {
  const [result] = await push(server, [one], deviceId);
  if (!result) throw new Error('the server answered no result');
  return result;
}

export async function pull(server: SyncServer, query: string): Promise<PullResponse> {
  const response = await server.handle(new Request(`${BASE}/v1/pull${query}`));
  expect(response.status).toBe(200);
  return (await response.json()) as PullResponse;
}

let changeCount = 0;

/** A note change with a fresh changeId and clientTime 0 unless `overrides` says otherwise. */
export function change(
  changeType: Change['changeType'],
  id: string,
  fields: Fields,
  baseVersion: number,
  overrides: Partial<Change> = {},
): Change {
  return { changeId: `change-${++changeCount}`, entity: 'note', id, changeType, fields, baseVersion, clientTime: 0, ...overrides };
}
