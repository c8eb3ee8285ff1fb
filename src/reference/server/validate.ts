// Shape checks for incoming protocol messages: a malformed request is answered 400 with the
// reason, never allowed to reach the store or crash the handler. Unknown extra keys are ignored,
// so a newer client can add optional fields without breaking this server.
import type { PushRequest } from '../../protocol/v1.ts';

const PULL_LIMIT_DEFAULT = 100;
const PULL_LIMIT_MAX = 1000;

const ENTITIES = new Set(['folder', 'note']);
const CHANGE_TYPES = new Set(['create', 'update', 'delete']);
const DIGITS = /^[0-9]+$/;

export type Validated<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface PullQuery {
  cursor: number;
  limit: number;
  /** A page of a resync from a snapshot: answered whatever the tombstone horizon. */
  snapshot: boolean;
}

export function validatePush(body: unknown): Validated<PushRequest> {
  if (!isObject(body)) return fail('body must be a JSON object');
  if (typeof body.deviceId !== 'string' || body.deviceId === '') return fail('deviceId must be a non-empty string');
  if (!Array.isArray(body.changes)) return fail('changes must be an array');
  for (const [index, change] of body.changes.entries()) {
    const reason = changeProblem(change);
    if (reason) return fail(`changes[${index}]: ${reason}`);
  }
  return { ok: true, value: body as unknown as PushRequest };
}

/** `cursor` defaults to 0 and `limit` to PULL_LIMIT_DEFAULT; both must be written as plain digits; `snapshot` is `true` or absent. */
export function validatePull(query: URLSearchParams): Validated<PullQuery> {
  const cursor = wholeNumber(query.get('cursor') ?? '0');
  if (cursor === undefined) return fail('cursor must be a whole number >= 0');
  const limit = wholeNumber(query.get('limit') ?? String(PULL_LIMIT_DEFAULT));
  if (limit === undefined || limit < 1 || limit > PULL_LIMIT_MAX) {
    return fail(`limit must be a whole number from 1 to ${PULL_LIMIT_MAX}`);
  }
  const snapshot = query.get('snapshot');
  if (snapshot !== null && snapshot !== 'true') return fail('snapshot must be true when given');
  return { ok: true, value: { cursor, limit, snapshot: snapshot === 'true' } };
}

function changeProblem(change: unknown): string | undefined {
  if (!isObject(change)) return 'must be an object';
  if (typeof change.changeId !== 'string' || change.changeId === '') return 'changeId must be a non-empty string';
  if (typeof change.id !== 'string' || change.id === '') return 'id must be a non-empty string';
  if (!ENTITIES.has(change.entity as string)) return 'entity must be "folder" or "note"';
  if (!CHANGE_TYPES.has(change.changeType as string)) return 'changeType must be create, update or delete';
  if (!Number.isSafeInteger(change.baseVersion) || (change.baseVersion as number) < 0) {
    return 'baseVersion must be a whole number >= 0';
  }
  if (!Number.isSafeInteger(change.clientTime)) return 'clientTime must be a whole number of ms';
  if (change.lostVersion !== undefined && (!Number.isSafeInteger(change.lostVersion) || (change.lostVersion as number) < 1)) {
    return 'lostVersion must be a whole number >= 1 when given';
  }
  if (!isObject(change.fields)) return 'fields must be an object';
  for (const [name, value] of Object.entries(change.fields)) {
    if (value !== null && typeof value !== 'string') return `fields.${name} must be a string or null`;
  }
  return undefined;
}

function wholeNumber(text: string): number | undefined {
  const value = Number(text);
  return DIGITS.test(text) && Number.isSafeInteger(value) ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}
