// The reference server on node:http: the same web-standard `handle()` the simulation mounts, behind
// a health endpoint, a bounded request body parsed once (the gates and the handler see the same
// value), optional per-device bearer tokens, and a graceful close that lets in-flight requests finish.
import Database from 'better-sqlite3';
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SyncServer } from '../adapter.ts';
import type { ConflictPolicy } from '../protocol/v1.ts';
import { PokeHub } from '../protocol/pokes.ts';
import { createReferenceServer } from '../reference/server/server.ts';
import { answerRaw, pokeServer } from './poke-sockets.ts';

export const HEALTH_PATH = '/health';
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DB_PATH = 'sync-chaos-server.sqlite';
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Protocol v1's methods; any other is answered 405. */
const ALLOWED_METHODS = ['GET', 'POST'];

/** Device id → its bearer token; `open` lets any client push as any device. */
export type DeviceTokens = ReadonlyMap<string, string> | 'open';

export interface HttpServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** The server's SQLite file, created if missing; `sync-chaos-server.sqlite` in the working folder by default. */
  dbPath?: string;
  policy?: ConflictPolicy;
  maxBodyBytes?: number;
  tokens?: DeviceTokens;
}

export interface RunningHttpServer {
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish, then closes the database. Safe to call twice. */
  close(): Promise<void>;
}

/** Everything a request needs: the protocol handler and the gates in front of it. */
interface Mount {
  app: SyncServer;
  origin: string;
  maxBodyBytes: number;
  authenticate: (authorization: string | undefined) => Identity;
  /** Set once close() starts: responses then ask the client to drop the connection. */
  closing: boolean;
  dropsConnection: (error: unknown) => boolean;
}

/** Who a request acts as (no device when the server is open), or why it is refused. */
type Identity = { ok: true; deviceId?: string } | { ok: false; reason: string };

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const db = openServerDb(options.dbPath ?? DEFAULT_DB_PATH);
  try {
    const pokes = new PokeHub();
    const app = createReferenceServer(db, { policy: options.policy, onPushCommitted: ({ deviceId, cursor }) => pokes.poke(deviceId, cursor) });
    const mounted = await mountHttpServer(app, { ...options, pokes });
    let closed: Promise<void> | undefined;
    const close = () => (closed ??= mounted.close().then(() => void db.close()));
    return { url: mounted.url, port: mounted.port, close };
  } catch (error) {
    db.close();
    throw error;
  }
}

export interface MountOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  maxBodyBytes?: number;
  tokens?: DeviceTokens;
  /** A handler error for which the connection is cut without an answer, as a process that went away would. */
  dropsConnection?: (error: unknown) => boolean;
  /** Accepts WebSocket upgrades at `/v1/pokes` (behind the token gate) into this hub. */
  pokes?: PokeHub;
}

export interface MountedHttpServer extends RunningHttpServer {
  /** Stops listening and cuts every connection at once, without waiting for handlers still running. */
  destroy(): Promise<void>;
}

/** Serves any protocol v1 handler on node:http behind the health endpoint, the token gate and the body bound. */
export async function mountHttpServer(app: SyncServer, options: MountOptions): Promise<MountedHttpServer> {
  const host = options.host ?? DEFAULT_HOST;
  const tokens = options.tokens ?? 'open';
  const problem = tokens === 'open' ? undefined : tokenProblem(tokens);
  if (problem) throw new Error(problem);
  const mount: Mount = {
    app,
    origin: '',
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    authenticate: authenticator(tokens),
    closing: false,
    dropsConnection: options.dropsConnection ?? (() => false),
  };
  const inFlight = new Set<Promise<void>>();
  const server = createServer((request, response) => track(inFlight, serve(mount, server, request, response)));
  server.on('clientError', answerClientError);
  const sockets = options.pokes && pokeServer(options.pokes, mount.authenticate);
  if (sockets) server.on('upgrade', (request, socket, head) => sockets.upgrade(request, targetOf(mount.origin, request.url), socket, head));
  const port = await listen(server, options.port, host);
  mount.origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const destroy = () => {
    mount.closing = true;
    sockets?.close(false);
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    return stopped;
  };
  const closeHttp = closer(mount, server, inFlight);
  const close = () => {
    sockets?.close(true);
    return closeHttp();
  };
  return { url: mount.origin, port, close, destroy };
}

/** Why a token table cannot be used, or undefined: every token a non-empty string, none shared by two devices. */
export function tokenProblem(tokens: ReadonlyMap<string, string>): string | undefined {
  const seen = new Map<string, string>();
  for (const [deviceId, token] of tokens) {
    if (deviceId === '') return 'a device id must be a non-empty string';
    if (typeof token !== 'string' || token === '') return `the token of device ${deviceId} must be a non-empty string`;
    const other = seen.get(token);
    if (other !== undefined) return `devices ${other} and ${deviceId} share a token; each device needs its own`;
    seen.set(token, deviceId);
  }
  return undefined;
}

/** WAL, and a full sync on commit: a server acknowledges a push only once it would survive the machine going down. */
function openServerDb(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  return db;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function track(inFlight: Set<Promise<void>>, work: Promise<void>): void {
  inFlight.add(work);
  void work.finally(() => inFlight.delete(work));
}

function closer(mount: Mount, server: Server, inFlight: Set<Promise<void>>): () => Promise<void> {
  let closed: Promise<void> | undefined;
  return () =>
    (closed ??= (async () => {
      mount.closing = true;
      const stopped = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      server.closeIdleConnections();
      await stopped;
      await Promise.allSettled(inFlight);
    })());
}

/**
 * Answers one request. A handler that throws is a 500 with the reason and the server goes on; only a
 * client already gone, an answer already begun, or an error `dropsConnection` names cuts the connection.
 */
async function serve(mount: Mount, server: Server, request: IncomingMessage, response: ServerResponse): Promise<void> {
  response.once('finish', () => {
    if (mount.closing) server.closeIdleConnections();
  });
  try {
    await send(response, await answer(mount, request), mount.closing);
  } catch (error) {
    if (response.headersSent || request.socket.destroyed || mount.dropsConnection(error)) return void request.socket.destroy();
    const failure = json(500, { error: error instanceof Error ? error.message : String(error) });
    await send(response, failure, true).catch(() => response.destroy());
  }
}

/**
 * The method, health, the token, the bounded body read and parsed once, then the device the body
 * claims to act as, checked on that parsed value; the protocol handler last, given that same value.
 */
async function answer(mount: Mount, request: IncomingMessage): Promise<Response> {
  const url = targetOf(mount.origin, request.url);
  if (!url) return json(400, { error: `malformed request target ${String(request.url)}` });
  const method = request.method ?? '';
  if (!ALLOWED_METHODS.includes(method)) return json(405, { error: `method ${method} is not allowed; protocol v1 uses ${ALLOWED_METHODS.join(' and ')}` }, { allow: ALLOWED_METHODS.join(', ') });
  if (method === 'GET' && url.pathname === HEALTH_PATH) return json(200, { ok: true, protocol: 1 });
  const identity = mount.authenticate(request.headers.authorization);
  if (!identity.ok) return json(401, { error: identity.reason }, { 'www-authenticate': 'Bearer', connection: 'close' });
  const body = await readBody(request, mount.maxBodyBytes);
  if (!body) return json(413, { error: `request body is larger than ${mount.maxBodyBytes} bytes` }, { connection: 'close' });
  if (method === 'GET') return mount.app.handle(toWebRequest(request, url));
  const parsed = parseBody(body);
  if (!parsed.ok) return json(400, { error: parsed.reason });
  const refusal = claimRefusal(identity.deviceId, parsed.value);
  if (refusal) return json(403, { error: refusal });
  return mount.app.handle(toWebRequest(request, url, parsed.text));
}

/** node:http could not parse the request (an unknown method, broken framing): a JSON answer all the same, then the connection closes. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) return void socket.destroy();
  if (error.code === 'HPE_INVALID_METHOD') return answerRaw(socket, 405, `method not allowed; protocol v1 uses ${ALLOWED_METHODS.join(' and ')}`, { allow: ALLOWED_METHODS.join(', ') });
  if (error.code === 'HPE_HEADER_OVERFLOW') return answerRaw(socket, 431, 'request headers are too large');
  answerRaw(socket, 400, `malformed HTTP request (${error.code ?? error.message})`);
}

/** The request target on this server's origin, whatever host the client named; undefined if it does not parse. */
function targetOf(origin: string, target: string | undefined): URL | undefined {
  try {
    const parsed = new URL(target ?? '/', origin);
    return new URL(parsed.pathname + parsed.search, origin);
  } catch {
    return undefined;
  }
}

function authenticator(tokens: DeviceTokens): (authorization: string | undefined) => Identity {
  if (tokens === 'open') return () => ({ ok: true });
  const known = [...tokens].map(([deviceId, token]) => ({ deviceId, digest: digestOf(token) }));
  return (authorization) => {
    const token = /^Bearer +(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (token === undefined) return { ok: false, reason: 'missing bearer token: send Authorization: Bearer <token>' };
    const digest = digestOf(token);
    const match = known.find((device) => timingSafeEqual(device.digest, digest));
    return match ? { ok: true, deviceId: match.deviceId } : { ok: false, reason: 'unknown bearer token' };
  };
}

/** Tokens are compared as fixed-length digests, so the comparison takes the same time wherever they differ. */
function digestOf(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** The one decoder of request bodies: UTF-8 only, a leading BOM dropped (as `Request.json()` does), a malformed byte refused. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

type ParsedBody = { ok: true; value: unknown; text: string } | { ok: false; reason: string };

/**
 * The body as one JSON value, and the canonical text of it that the handler gets, so that whatever
 * the handler parses is the value the gates checked (duplicate keys, escapes and a BOM resolved once,
 * here). A number JSON cannot carry back (1e400) or nesting too deep to write out again is refused.
 */
function parseBody(body: Buffer): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(body));
  } catch {
    return { ok: false, reason: 'body is not valid JSON' };
  }
  try {
    return { ok: true, value, text: JSON.stringify(value, finiteNumbers) };
  } catch (error) {
    return { ok: false, reason: error instanceof RangeError ? 'body nests too deeply' : (error as Error).message };
  }
}

function finiteNumbers(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('body holds a number out of range');
  return value;
}

/** With a token, every write acts as the token's device: its parsed body must name exactly that deviceId. Open servers refuse nothing. */
function claimRefusal(deviceId: string | undefined, body: unknown): string | undefined {
  if (deviceId === undefined) return undefined;
  const claimed = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { deviceId?: unknown }).deviceId : undefined;
  if (claimed === deviceId) return undefined;
  return typeof claimed === 'string' ? 'a device cannot act as another' : `a write with the token of ${deviceId} must name "deviceId": "${deviceId}"`;
}

/**
 * The whole body, or undefined as soon as it is over `limit` bytes: a declared length over the
 * limit is refused unread, and a streamed one stops being kept at the limit (node then closes the
 * connection after the 413 instead of reading the rest).
 */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer<ArrayBuffer> | undefined> {
  if (Number(request.headers['content-length']) > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      request.off('data', onData);
      resolve(undefined);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks, size)));
    request.once('error', reject);
    request.once('close', () => reject(new Error('the client closed the connection mid-request')));
  });
}

/** Hop-by-hop headers are this connection's business, not the handler's. */
const CONNECTION_HEADERS = new Set(['connection', 'content-length', 'keep-alive', 'transfer-encoding']);

/** The request as the handler sees it: a GET without a body, a POST with the canonical JSON text of its parsed body. */
function toWebRequest(request: IncomingMessage, url: URL, json?: string): Request {
  const headers = new Headers();
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index] as string;
    if (!CONNECTION_HEADERS.has(name.toLowerCase())) headers.append(name, request.rawHeaders[index + 1] as string);
  }
  if (json !== undefined) headers.set('content-type', 'application/json');
  return new Request(url, { method: request.method, headers, body: json });
}

async function send(response: ServerResponse, answer: Response, closeConnection: boolean): Promise<void> {
  const body = Buffer.from(await answer.arrayBuffer());
  const headers: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (!CONNECTION_HEADERS.has(name)) headers[name] = value;
  });
  if (closeConnection || answer.headers.get('connection') === 'close') headers.connection = 'close';
  response.writeHead(answer.status, { ...headers, 'content-length': String(body.length) });
  response.end(body);
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}
