// The real-network transport of a run (`transport: http`): the run's own reference server mounted
// on node:http on 127.0.0.1 (an ephemeral port), or an external server speaking protocol v1 at a
// URL; devices reach it through undici over their faulty links; time is real, scaled by
// `time_scale`. The run stays seeded (workload, faults, latencies) but not byte-deterministic.
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type { RunningServer, ServerRecord } from '../../adapter.ts';
import { ServerUnavailableError } from '../../errors.ts';
import { PULL_PATH, PUSH_PATH, type PullResponse, type PushResponse } from '../../protocol/v1.ts';
import { BadInputError, SystemUnderTestError } from '../../errors.ts';
import type { History } from '../../history/history.ts';
import type { DeviceProxy, Transport } from '../transport.ts';
import { openLinkProxy } from './link-proxy.ts';
import { createHttpFetch, type HttpFetch } from './http-fetch.ts';
import { mountHttpServer, type MountedHttpServer } from '../../serve/http-server.ts';
import { wsConnector } from './http-sockets.ts';
import { PacedScheduler } from './paced-scheduler.ts';

/** A server speaking protocol v1 at a URL, with one bearer token for every device or one per device. */
export interface ExternalServer {
  url: string;
  token?: string | Record<string, string>;
}

/** A server the run starts from a module of the user's; its commits go into `history` at the run's time `nowMs()`. */
export interface StartedServer {
  start(history: History, nowMs: () => number): Promise<RestartableServer>;
  /** The module declares `restart`, so server_restart can reach it. */
  restarts: boolean;
}

/** A started server, with the stop and restart of its process when its module declares them. */
export interface RestartableServer extends RunningServer {
  stop?(): Promise<void>;
  restart?(): Promise<void>;
}

/** The run's own (reference) server, mounted on node:http; an external one; or one the run starts. */
export type HttpServerSetting = 'own' | ExternalServer | StartedServer;

/** Records per pull when reading an external server's final state. */
const PULL_PAGE = 1000;
/** How long one read of the server (its emptiness, its records) may take in real time, retries included. */
const READ_TIMEOUT_MS = 10_000;
/** Real wait between two attempts to reach a server that refused the connection (restarting, say). */
const READ_RETRY_MS = 200;

export interface HttpTransportSettings {
  timeScale: number;
  server: HttpServerSetting;
}

export function httpTransport(settings: HttpTransportSettings): Transport {
  const external = typeof settings.server === 'object' && 'url' in settings.server ? settings.server : undefined;
  const adapter = typeof settings.server === 'object' && 'start' in settings.server ? settings.server : undefined;
  const fetches: HttpFetch[] = [];
  const proxies = new Set<DeviceProxy>();
  /** The record versions the run has seen an external server commit: id, version and content. */
  const committed = new Set<string>();
  let base: URL | undefined;
  let mounted: MountedHttpServer | undefined;
  let started: RestartableServer | undefined;
  let scheduler: PacedScheduler | undefined;
  const baseUrl = () => {
    if (!base) throw new Error('the http transport is not open yet');
    return base;
  };
  return {
    deterministic: false,
    unsupportedFaults:
      external || (adapter && !adapter.restarts)
        ? ['batch_failure', 'server_restart', 'server_restore', 'tombstone_retention']
        : adapter
          ? ['batch_failure', 'server_restore', 'tombstone_retention']
          : [],
    commitLog: adapter === undefined,
    createScheduler: (onTaskError) => (scheduler = new PacedScheduler(onTaskError, settings.timeScale)),
    deviceFetch: ({ scheduler, network, link, requestTimeoutMs }, history) => {
      const token = tokenOf(external, link);
      const device = createHttpFetch({
        scheduler,
        network,
        link,
        requestTimeoutMs,
        base: baseUrl,
        ...(token !== undefined && { token }),
      });
      fetches.push(device);
      if (!external) return device.fetch;
      return observingCommits(link, device.fetch, ({ record, push }) => {
        const key = JSON.stringify([record.id, record.version, record.deleted, record.fields]);
        if (committed.has(key)) return;
        committed.add(key);
        history.append({ t: scheduler.nowMs, type: 'commit', process: push?.deviceId ?? 'server', changeId: push?.changeId ?? '', ...record });
      });
    },
    openProxy: async (link) => {
      const proxy = await openLinkProxy({ ...link, target: baseUrl });
      proxies.add(proxy);
      return proxy;
    },
    socketEnds: () => {
      const connectors = new Set<ReturnType<typeof wsConnector>>();
      return {
        connector: (deviceId) => {
          const connector = wsConnector(baseUrl, tokenOf(external, deviceId));
          connectors.add(connector);
          return connector.connect;
        },
        close: () => connectors.forEach((connector) => connector.closeAll()),
      };
    },
    open: async (server, history, pokes) => {
      if (adapter) {
        started = await adapter.start(history, () => scheduler?.nowMs ?? 0);
        base = new URL(started.url);
        return;
      }
      if (external) {
        base = new URL(external.url);
        const held = await pullAll(base, tokenOf(external), 1);
        if (held.length > 0) {
          throw new BadInputError(
            `the server at ${external.url} already holds records: a run checks the server's records against its own writes, so it needs an empty server (restart it over a new --db file)`,
          );
        }
        return;
      }
      mounted = await mountHttpServer(server, { port: 0, dropsConnection: (error) => error instanceof ServerUnavailableError, ...(pokes && { pokes }) });
      base = new URL(mounted.url);
    },
    serverProcess: () => {
      const { stop, restart } = started ?? {};
      if (!started || !stop || !restart) return undefined;
      const running = started;
      return {
        stop: () => stop.call(running),
        start: async () => {
          await restart.call(running);
          base = new URL(running.url);
        },
      };
    },
    records: (server) => started?.records() ?? (external && base ? pullAll(base, tokenOf(external)) : server.records()),
    close: async () => {
      for (const proxy of proxies) proxy.cut();
      await Promise.all(fetches.map((device) => device.close()));
      await mounted?.destroy();
      await started?.close();
    },
  };
}

/** A record version the server reported holding, and how the run learned of it. */
interface Seen {
  record: ServerRecord;
  /** The device whose push answer reported it as `applied`, with the change that wrote it; absent when another answer showed it. */
  push?: { deviceId: string; changeId: string };
}

/**
 * An external server's commit log is out of sight: the run learns of a commit when an answer first
 * shows that record version, and records it then, as a `commit` event. Every answer that carries a
 * record counts: `applied`; `duplicate` once a retry follows a lost answer; `conflict` and `rejected`,
 * which show the version that won; a pull page. Whichever comes first, so that a device never acts
 * on a version (logging the conflict it lost, say) before the log holds it.
 */
export function observingCommits(deviceId: string, send: typeof fetch, seen: (seen: Seen) => void): typeof fetch {
  return async (input, init) => {
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
    const response = await send(input, init);
    if (response.status !== 200) return response;
    const answer = (await response.clone().json().catch(() => undefined)) as Partial<PushResponse & PullResponse> | undefined;
    if (method === 'POST' && path.endsWith(PUSH_PATH)) {
      for (const result of Array.isArray(answer?.results) ? answer.results : []) {
        if (!result.record) continue;
        const wrote = result.status === 'applied' && result.version === result.record.version;
        seen({ record: result.record, ...(wrote && { push: { deviceId, changeId: result.changeId } }) });
      }
    } else if (method === 'GET' && path.endsWith(PULL_PATH)) {
      for (const record of Array.isArray(answer?.records) ? answer.records : []) seen({ record });
    }
    return response;
  };
}

/** The token a device sends (the first one given, for the run's own reads); none for an open server. */
function tokenOf(external: ExternalServer | undefined, deviceId?: string): string | undefined {
  const token = external?.token;
  if (token === undefined || typeof token === 'string') return token;
  return deviceId === undefined ? Object.values(token)[0] : token[deviceId];
}

/** Every record the server holds, tombstones included: the pull feed from cursor 0 to its end (or the first `most`). */
async function pullAll(base: URL, token: string | undefined, most = Infinity): Promise<ServerRecord[]> {
  const agent = new Agent();
  const records: ServerRecord[] = [];
  try {
    let cursor = 0;
    for (;;) {
      const url = new URL(base.pathname.replace(/\/$/, '') + `${PULL_PATH}?cursor=${cursor}&limit=${Math.min(PULL_PAGE, most)}`, base);
      const page = await pullPage(url, token, agent);
      records.push(...page.records);
      if (!page.hasMore || records.length >= most) return records;
      cursor = page.cursor;
    }
  } finally {
    await agent.close();
  }
}

/** One page; a server that cannot be reached is tried again until READ_TIMEOUT_MS have passed. */
async function pullPage(url: URL, token: string | undefined, agent: Agent): Promise<PullResponse> {
  const signal = AbortSignal.timeout(READ_TIMEOUT_MS);
  let answer;
  for (;;) {
    try {
      answer = await request(url, { dispatcher: agent, signal, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
      break;
    } catch (error) {
      if (signal.aborted) throw new SystemUnderTestError(`cannot reach the server at ${url.origin}`, error);
      await sleep(READ_RETRY_MS);
    }
  }
  const text = await answer.body.text();
  if (answer.statusCode !== 200) throw new SystemUnderTestError(`GET ${url.pathname}${url.search} answered ${answer.statusCode}: ${text.slice(0, 200)}`);
  const page = JSON.parse(text) as PullResponse;
  if (!Array.isArray(page.records) || typeof page.hasMore !== 'boolean' || typeof page.cursor !== 'number') {
    throw new SystemUnderTestError(`GET ${url.pathname} answered a page that is not protocol v1: ${text.slice(0, 200)}`);
  }
  return page;
}
