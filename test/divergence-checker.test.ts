import { describe, expect, it } from 'vitest';
import type { Fields, ServerRecord, VisibleRecord } from '../src/adapter.ts';
import { checkDivergence } from '../src/check/divergence.ts';
import type { CheckInput, DeviceFinalState } from '../src/check/types.ts';

function server(id: string, fields: Fields, extra: Partial<ServerRecord> = {}): ServerRecord {
  return { entity: 'note', id, fields, version: 1, deleted: false, ...extra };
}

function shown(id: string, fields: Fields, extra: Partial<VisibleRecord> = {}): VisibleRecord {
  return { entity: 'note', id, fields, status: 'synced', ...extra };
}

function input(serverRecords: ServerRecord[], devices: Record<string, VisibleRecord[]>, openConflicts = 0): CheckInput {
  const finals: DeviceFinalState[] = Object.entries(devices).map(([deviceId, records]) => ({ deviceId, records, openConflicts }));
  return { events: [], faultSpans: [], devices: finals, server: serverRecords };
}

describe('divergence checker', () => {
  it('is silent when every device shows exactly the server’s live records', () => {
    const result = checkDivergence(
      input(
        [server('n1', { title: 't:d1:w1', folderId: 'f1' }), server('f1', { name: 't:d2:w1' }, { entity: 'folder', version: 4 })],
        {
          'device-1': [shown('n1', { title: 't:d1:w1', folderId: 'f1' }), shown('f1', { name: 't:d2:w1' }, { entity: 'folder' })],
          'device-2': [shown('f1', { name: 't:d2:w1' }, { entity: 'folder' }), shown('n1', { folderId: 'f1', title: 't:d1:w1' })],
        },
      ),
    );
    expect(result).toEqual({ valid: true, violations: [] });
  });

  it('does not count a record the device shows as failed, with its reason, as silent divergence', () => {
    const failed = shown('n9', { title: 't:d1:w2', folderId: 'f-gone' }, { status: 'failed', reason: 'folder f-gone was deleted' });
    expect(checkDivergence(input([], { 'device-1': [failed] }))).toEqual({ valid: true, violations: [] });
  });

  it('fires when a device still holds unresolved manual conflicts after quiescence', () => {
    const result = checkDivergence(input([], { 'device-1': [] }, 2));
    expect(result.valid).toBe(false);
    expect(result.violations).toEqual([
      { checker: 'divergence', device: 'device-1', summary: 'device-1 still holds 2 unresolved conflicts after quiescence' },
    ]);
  });

  it('is silent when there are no records anywhere', () => {
    expect(checkDivergence(input([], { 'device-1': [], 'device-2': [] }))).toEqual({ valid: true, violations: [] });
  });

  it('names the device, record, field and both values when a field differs', () => {
    const result = checkDivergence(
      input([server('n1', { title: 't:d2:w5', body: 't:d1:w1' })], {
        'device-1': [shown('n1', { title: 't:d1:w3', body: 't:d1:w1' })],
        'device-2': [shown('n1', { title: 't:d2:w5', body: 't:d1:w1' })],
      }),
    );
    expect(result.valid).toBe(false);
    expect(result.violations).toHaveLength(1);
    const [violation] = result.violations;
    expect(violation).toMatchObject({ checker: 'divergence', device: 'device-1', record: { entity: 'note', id: 'n1' } });
    expect(violation?.summary).toContain('field title');
    expect(violation?.summary).toContain('"t:d1:w3"');
    expect(violation?.summary).toContain('"t:d2:w5"');
    expect(violation?.summary).toContain('device-1');
  });

  it('reports one violation per differing field', () => {
    const result = checkDivergence(
      input([server('n1', { title: 'a', body: 'b', folderId: 'f1' })], {
        'device-1': [shown('n1', { title: 'x', body: 'y', folderId: 'f1' })],
      }),
    );
    expect(result.violations.map((violation) => violation.summary.match(/field (\w+)/)?.[1])).toEqual(['body', 'title']);
  });

  it('fires when a field is on one side only, and tells null from absent', () => {
    const result = checkDivergence(
      input([server('n1', { title: 'a', folderId: null })], {
        'device-1': [shown('n1', { title: 'a' })],
        'device-2': [shown('n1', { title: 'a', folderId: null, extra: 'e' })],
      }),
    );
    expect(result.violations).toHaveLength(2);
    expect(result.violations[0]).toMatchObject({ device: 'device-1', record: { id: 'n1' } });
    expect(result.violations[0]?.summary).toMatch(/field folderId is absent on device-1 but null on the server/);
    expect(result.violations[1]).toMatchObject({ device: 'device-2', record: { id: 'n1' } });
    expect(result.violations[1]?.summary).toMatch(/field extra is "e" on device-2 but absent on the server/);
  });

  it('fires when a record is shown only on the device', () => {
    const result = checkDivergence(
      input([server('n1', { title: 'a' })], {
        'device-1': [shown('n1', { title: 'a' }), shown('ghost', { title: 'g' }, { entity: 'folder', status: 'local' })],
      }),
    );
    expect(result.valid).toBe(false);
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]).toMatchObject({ device: 'device-1', record: { entity: 'folder', id: 'ghost' } });
    expect(result.violations[0]?.summary).toMatch(/ghost.*not live on the server/);
  });

  it('fires when a device still shows a record the server has deleted', () => {
    const result = checkDivergence(
      input([server('n1', { title: 'a' }, { deleted: true, version: 3 })], { 'device-1': [shown('n1', { title: 'a' })] }),
    );
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]).toMatchObject({ device: 'device-1', record: { id: 'n1' } });
    expect(result.violations[0]?.summary).toMatch(/not live on the server/);
  });

  it('fires for each device that is missing a live server record', () => {
    const result = checkDivergence(
      input([server('n1', { title: 'a' }), server('n2', { title: 'b' }, { version: 7 })], {
        'device-1': [shown('n1', { title: 'a' }), shown('n2', { title: 'b' })],
        'device-2': [shown('n1', { title: 'a' })],
        'device-3': [],
      }),
    );
    expect(result.valid).toBe(false);
    expect(result.violations.map((violation) => [violation.device, violation.record?.id])).toEqual([
      ['device-2', 'n2'],
      ['device-3', 'n1'],
      ['device-3', 'n2'],
    ]);
    expect(result.violations[0]?.summary).toMatch(/n2: live on the server \(v7\) but missing on device-2/);
  });

  it('does not expect tombstoned server records on devices', () => {
    const result = checkDivergence(
      input([server('n1', { title: 'a' }), server('gone', { title: 'old' }, { deleted: true, version: 2 })], {
        'device-1': [shown('n1', { title: 'a' })],
      }),
    );
    expect(result).toEqual({ valid: true, violations: [] });
  });

  it('ignores the sync status shown: only the visible fields count', () => {
    const result = checkDivergence(
      input([server('n1', { title: 'a' })], {
        'device-1': [shown('n1', { title: 'a' }, { status: 'pending' })],
        'device-2': [shown('n1', { title: 'a' }, { status: undefined })],
      }),
    );
    expect(result.valid).toBe(true);
  });
});
