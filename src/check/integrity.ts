// Referential integrity: after quiescence no note may point at a folder that is not there, on the
// server or on any device. A note a device shows as `failed` is a surfaced refusal, not a dangling one.
import type { Fields } from '../adapter.ts';
import type { CheckInput, CheckResult, Violation } from './types.ts';

interface Shown {
  entity: string;
  id: string;
  fields: Fields;
  status?: string;
}

export function checkIntegrity(input: CheckInput): CheckResult {
  const violations = [
    ...dangling('the server', input.server.filter((record) => !record.deleted)),
    ...input.devices.flatMap((device) => dangling(device.deviceId, device.records)),
  ];
  return { valid: violations.length === 0, violations };
}

function dangling(where: string, records: readonly Shown[]): Violation[] {
  const folders = new Set(records.filter((record) => record.entity === 'folder').map((record) => record.id));
  return records
    .filter((record) => record.entity === 'note' && record.status !== 'failed' && !folders.has(record.fields.folderId ?? ''))
    .map((note) => ({
      checker: 'integrity',
      summary: `note ${note.id} on ${where} points at folder ${note.fields.folderId ?? '(none)'}, which is not there`,
      record: { entity: 'note', id: note.id },
      ...(note.fields.folderId && { refersTo: { entity: 'folder', id: note.fields.folderId } }),
      ...(where !== 'the server' && { device: where }),
    }));
}
