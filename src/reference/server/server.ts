// The reference sync server: a web-standard `handle(Request)` over its own SQLite database, as a
// Worker or a node:http mount would run it, and the same routes for the simulation's settled requests
// (protocol/settled-exchange.ts). This module only routes: push validates and applies a batch in one
// transaction, pull pages from a cursor (410 with resync below the tombstone horizon), and the debug
// route dumps every record. A request at another epoch than the server's is answered 409.
import type Database from 'better-sqlite3';
import type { ServerRecord } from '../../adapter.ts';
import {
  CONFLICT_POLICIES,
  EPOCH_HEADER,
  PULL_PATH,
  PUSH_PATH,
  RECORDS_PATH,
  RESYNC_ERROR,
  RESYNC_STATUS,
  type ConflictPolicy,
  type PushResponse,
  type RestoredResponse,
  type ResyncResponse,
} from '../../protocol/v1.ts';
import { handlerOf, jsonAnswer, jsonHeaders, type ExchangeServer, type SettledAnswer, type SettledRequest } from '../../protocol/settled-exchange.ts';
import { applyChange } from './apply.ts';
import { ServerStore } from './store.ts';
import { validatePull, validatePush } from './validate.ts';

export interface ReferenceServerOptions {
  /** How concurrent changes are settled; `server-wins` when not given. */
  policy?: ConflictPolicy;
  /**
   * The server's restore generation, sent on every answer in EPOCH_HEADER; 1 when not given. It lives
   * outside the database, as a restore procedure bumps it: a backup put back holds the old one.
   */
  epoch?: number;
  /** Every version the server writes is above this one (ServerStore); 0 when not given. Kept outside the database, as `epoch`. */
  versionFloor?: number;
  /** Hears each record version the server committed, once its push transaction has committed: the server's own log. */
  onCommit?: (commit: { record: ServerRecord; changeId: string; deviceId: string }) => void;
  /** Hears each push that committed at least one record version, with the cursor after it: what push pokes announce. */
  onPushCommitted?: (push: { deviceId: string; cursor: number }) => void;
}

/** The reference server, with what the tombstone_retention fault acts on. */
export interface ReferenceServer extends ExchangeServer {
  /** The cursor after the newest change. */
  lastCursor(): number;
  /** Forgets the tombstones committed at or before `throughCursor`; returns how many. */
  pruneTombstones(throughCursor: number): number;
  /** The highest record version it wrote: where the version floor of a restore over an older backup starts. */
  topVersion(): number;
}

export function createReferenceServer(db: Database.Database, options: ReferenceServerOptions = {}): ReferenceServer {
  const policy = options.policy ?? 'server-wins';
  if (!CONFLICT_POLICIES.includes(policy)) throw new Error(`unknown conflict policy ${String(policy)}`);
  const store = new ServerStore(db, options.versionFloor);
  const epoch = options.epoch ?? 1;

  const answerHeaders = jsonHeaders({ [EPOCH_HEADER]: String(epoch) });
  const json = (status: number, body: unknown) => jsonAnswer(status, body, answerHeaders);

  async function exchange(request: SettledRequest): Promise<SettledAnswer> {
    const { method, url } = request;
    // a request without the header is made at epoch 1: a client that never heard of a restore
    if ((request.headers.get(EPOCH_HEADER) ?? '1') !== String(epoch)) {
      return json(409, { error: RESYNC_ERROR, versionFloor: store.versionFloor } satisfies RestoredResponse);
    }
    try {
      if (method === 'POST' && url.pathname === PUSH_PATH) return push(request.body);
      if (method === 'GET' && url.pathname === PULL_PATH) return pull(url);
      if (method === 'GET' && url.pathname === RECORDS_PATH) return json(200, store.all());
      return json(404, { error: `no route for ${method} ${url.pathname}` });
    } catch (error) {
      return json(500, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  function push(text: string | undefined): SettledAnswer {
    let body: unknown;
    try {
      body = JSON.parse(text ?? '');
    } catch {
      return json(400, { error: 'body is not valid JSON' });
    }
    const parsed = validatePush(body);
    if (!parsed.ok) return json(400, { error: parsed.reason });
    const { deviceId, changes } = parsed.value;
    const results = store.transaction(() => changes.map((change) => applyChange(store, policy, change, deviceId)));
    let wroteAny = false;
    for (const result of results) {
      // a write answers with the version it made: applied, or conflict with a field-merge's partial write
      const wrote = result.record && result.version === result.record.version && result.status !== 'duplicate';
      if (wrote && result.record) options.onCommit?.({ record: result.record, changeId: result.changeId, deviceId });
      wroteAny ||= Boolean(wrote);
    }
    if (wroteAny) options.onPushCommitted?.({ deviceId, cursor: store.lastCursor() });
    return json(200, { results } satisfies PushResponse);
  }

  function pull(url: URL): SettledAnswer {
    const parsed = validatePull(url.searchParams);
    if (!parsed.ok) return json(400, { error: parsed.reason });
    const { cursor, limit, snapshot } = parsed.value;
    const horizon = store.horizon();
    if (!snapshot && cursor < horizon) {
      const error = `cursor ${cursor} is behind the tombstone horizon ${horizon}: deletes after it were pruned, resync from a snapshot`;
      return json(RESYNC_STATUS, { error, resync: true } satisfies ResyncResponse);
    }
    return json(200, store.changesSince(cursor, limit));
  }

  return {
    exchange,
    handle: handlerOf(exchange),
    records: async () => store.all(),
    lastCursor: () => store.lastCursor(),
    pruneTombstones: (throughCursor) => store.pruneTombstones(throughCursor),
    topVersion: () => store.topVersion(),
  };
}
