// Divergence: after quiescence every device must show exactly the server's live records, field
// by field, with no manual conflict left open. Each difference names the device, the record, the
// field and both values. A record the device shows as `failed` is a surfaced failure, not silent.
import type { Fields, ServerRecord, VisibleRecord } from '../adapter.ts';
import type { CheckInput, CheckResult, Violation } from './types.ts';

export function checkDivergence(input: CheckInput): CheckResult {
  const live = new Map(input.server.filter((record) => !record.deleted).map((record) => [record.id, record]));
  const violations: Violation[] = [];
  for (const device of input.devices) {
    if (device.openConflicts > 0) {
      violations.push({
        checker: 'divergence',
        device: device.deviceId,
        summary: `${device.deviceId} still holds ${device.openConflicts} unresolved conflict${device.openConflicts === 1 ? '' : 's'} after quiescence`,
      });
    }
    const shown = new Map(device.records.map((record) => [record.id, record]));
    for (const [id, record] of shown) {
      if (record.status === 'failed') continue;
      const server = live.get(id);
      violations.push(...(server ? fieldDifferences(device.deviceId, record, server) : [onlyOnDevice(device.deviceId, record)]));
    }
    for (const [id, server] of live) {
      if (!shown.has(id)) violations.push(missingOnDevice(device.deviceId, server));
    }
  }
  return { valid: violations.length === 0, violations };
}

function fieldDifferences(deviceId: string, shown: VisibleRecord, server: ServerRecord): Violation[] {
  const names = [...new Set([...Object.keys(shown.fields), ...Object.keys(server.fields)])].sort();
  return names
    .filter((field) => valueOf(shown.fields, field) !== valueOf(server.fields, field))
    .map((field) =>
      violation(
        deviceId,
        shown,
        `${shown.entity} ${shown.id}: field ${field} is ${show(shown.fields, field)} on ${deviceId} but ${show(server.fields, field)} on the server`,
      ),
    );
}

function onlyOnDevice(deviceId: string, shown: VisibleRecord): Violation {
  return violation(deviceId, shown, `${shown.entity} ${shown.id}: shown on ${deviceId} but not live on the server`);
}

function missingOnDevice(deviceId: string, server: ServerRecord): Violation {
  return violation(deviceId, server, `${server.entity} ${server.id}: live on the server (v${server.version}) but missing on ${deviceId}`);
}

function violation(deviceId: string, record: { entity: string; id: string }, summary: string): Violation {
  return { checker: 'divergence', summary, record: { entity: record.entity, id: record.id }, device: deviceId };
}

function valueOf(fields: Fields, name: string): string | null | undefined {
  return Object.hasOwn(fields, name) ? fields[name] : undefined;
}

function show(fields: Fields, name: string): string {
  const value = valueOf(fields, name);
  return value === undefined ? 'absent' : JSON.stringify(value);
}
