// Shape checks for incoming protocol messages: a malformed request is answered 400 with the
// reason, never allowed to reach the store or crash the handler.
import type { PushRequest } from '../../protocol/v1.ts';

const ENTITIES = new Set(['folder', 'note']);
const CHANGE_TYPES = new Set(['create', 'update', 'delete']);

export type Validated<T> = { ok: true; value: T } | { ok: false; reason: string };

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

function changeProblem(change: unknown): string | undefined {
  if (!isObject(change)) return 'must be an object';
  if (typeof change.changeId !== 'string' || change.changeId === '') return 'changeId must be a non-empty string';
  if (typeof change.id !== 'string' || change.id === '') return 'id must be a non-empty string';
  if (!ENTITIES.has(change.entity as string)) return 'entity must be "folder" or "note"';
  if (!CHANGE_TYPES.has(change.changeType as string)) return 'changeType must be create, update or delete';
  if (!Number.isInteger(change.baseVersion) || (change.baseVersion as number) < 0) return 'baseVersion must be a whole number >= 0';
  if (!Number.isInteger(change.clientTime)) return 'clientTime must be a whole number of ms';
  if (!isObject(change.fields)) return 'fields must be an object';
  for (const [key, value] of Object.entries(change.fields)) {
    if (value !== null && typeof value !== 'string') return `fields.${key} must be a string or null`;
  }
  return undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}
