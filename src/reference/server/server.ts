// The reference sync server: a web-standard `handle(Request)` over its own SQLite database.
// Push applies a batch change by change (idempotent by changeId, conflicts detected by
// baseVersion); pull pages through the change sequence from a cursor.
import type Database from 'better-sqlite3';
import type { ServerRecord, SyncServer } from '../../adapter.ts';
import {
  PULL_PATH,
  PUSH_PATH,
  RECORDS_PATH,
  type Change,
  type ChangeResult,
  type PullResponse,
  type PushResponse,
} from '../../protocol/v1.ts';
import { ServerStore } from './store.ts';
import { validatePush } from './validate.ts';

const PULL_LIMIT_DEFAULT = 100;
const PULL_LIMIT_MAX = 1000;

export function createReferenceServer(db: Database.Database): SyncServer {
  const store = new ServerStore(db);

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    try {
      if (request.method === 'POST' && url.pathname === PUSH_PATH) return await push(request);
      if (request.method === 'GET' && url.pathname === PULL_PATH) return pull(url);
      if (request.method === 'GET' && url.pathname === RECORDS_PATH) return json(200, store.all());
      return json(404, { error: `no route for ${request.method} ${url.pathname}` });
    } catch (error) {
      return json(500, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  async function push(request: Request): Promise<Response> {
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      return json(400, { error: 'body is not valid JSON' });
    }
    const parsed = validatePush(body);
    if (!parsed.ok) return json(400, { error: parsed.reason });
    const results = store.transaction(() => parsed.value.changes.map(apply));
    return json(200, { results } satisfies PushResponse);
  }

  function apply(change: Change): ChangeResult {
    const { changeId } = change;
    const earlier = store.applied(changeId);
    if (earlier) return { changeId, status: 'duplicate', version: earlier.version, record: store.record(earlier.recordId) };
    const current = store.record(change.id);
    if (change.changeType === 'create') {
      if (current) return { changeId, status: 'rejected', reason: `record ${change.id} already exists`, record: current };
      return commit(change, { entity: change.entity, id: change.id, fields: change.fields, version: 1, deleted: false });
    }
    if (!current) return { changeId, status: 'rejected', reason: `record ${change.id} does not exist` };
    if (change.baseVersion !== current.version) return { changeId, status: 'conflict', record: current };
    if (current.deleted) return { changeId, status: 'rejected', reason: `record ${change.id} is deleted`, record: current };
    const next: ServerRecord =
      change.changeType === 'delete'
        ? { ...current, version: current.version + 1, deleted: true }
        : { ...current, fields: { ...current.fields, ...change.fields }, version: current.version + 1 };
    return commit(change, next);
  }

  function commit(change: Change, record: ServerRecord): ChangeResult {
    store.write(record, change.changeId);
    return { changeId: change.changeId, status: 'applied', version: record.version, record };
  }

  function pull(url: URL): Response {
    const cursor = Number(url.searchParams.get('cursor') ?? '0');
    const limit = Number(url.searchParams.get('limit') ?? PULL_LIMIT_DEFAULT);
    if (!Number.isInteger(cursor) || cursor < 0) return json(400, { error: 'cursor must be a whole number >= 0' });
    if (!Number.isInteger(limit) || limit < 1 || limit > PULL_LIMIT_MAX) {
      return json(400, { error: `limit must be a whole number from 1 to ${PULL_LIMIT_MAX}` });
    }
    return json(200, store.changesSince(cursor, limit) satisfies PullResponse);
  }

  return {
    handle,
    records: async () => store.all(),
  };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
