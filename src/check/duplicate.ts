// Duplicates: one create must give one record. A record's identity is the create at the root of
// its fields' ancestry (DESIGN §7), so two live ids rooted in one create are the same user record
// twice: a retried create without an idempotency key, or server-assigned ids made twice.
import type { Fields } from '../adapter.ts';
import { type Causality } from './causality.ts';
import { causalityOf, historyIndexOf } from './history-index.ts';
import { isToken } from '../history/tokens.ts';
import { faultsDuring } from '../history/fault-spans.ts';
import { describeWrite, writeRef } from './evidence.ts';
import type { CheckInput, CheckResult, Violation } from './types.ts';

interface Shown {
  id: string;
  fields: Fields;
}

export function checkDuplicate(input: CheckInput): CheckResult {
  const causality = causalityOf(input.events);
  const scopes: [string, Shown[]][] = [
    ['the server', input.server.filter((record) => !record.deleted)],
    ...input.devices.map((device): [string, Shown[]] => [device.deviceId, device.records.filter((record) => record.status !== 'failed')]),
  ];
  const violations = scopes.flatMap(([where, records]) => duplicatesIn(where, records, causality, input));
  return { valid: violations.length === 0, violations };
}

function duplicatesIn(where: string, records: readonly Shown[], causality: Causality, input: CheckInput): Violation[] {
  const idsByCreate = new Map<string, Set<string>>();
  for (const record of records) {
    for (const root of rootsOf(record.fields, causality)) {
      const ids = idsByCreate.get(root) ?? new Set<string>();
      ids.add(record.id);
      idsByCreate.set(root, ids);
    }
  }
  const spans = input.faultSpans;
  const { lastEventMs: lastMs } = historyIndexOf(input.events);
  return [...idsByCreate]
    .filter(([, ids]) => ids.size > 1)
    .map(([root, ids]) => {
      const create = causality.writeOf(root);
      const list = [...ids].sort();
      return {
        checker: 'duplicate',
        summary: `${where} holds ${list.length} records (${list.join(', ')}) made by one create, ${create ? describeWrite(create) : root}`,
        record: { entity: create?.entity ?? 'record', id: list[0] as string },
        ...(where !== 'the server' && { device: where }),
        ...(create && { writes: [writeRef(create)], faults: faultsDuring(spans, create.atMs, lastMs) }),
      };
    });
}

/** The creates a record's field values descend from. */
function rootsOf(fields: Fields, causality: Causality): Set<string> {
  const roots = new Set<string>();
  for (const [field, value] of Object.entries(fields)) {
    if (isToken(value)) for (const root of causality.roots(value, field)) roots.add(root);
  }
  return roots;
}
