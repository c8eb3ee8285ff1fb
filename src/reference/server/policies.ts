// The conflict policies, one pure function each: given an update or delete of a live record made
// on an older version than the server's, decide whether the change applies, partly applies
// (field-merge) or yields to the server's record. They read nothing but their argument.
import type { Fields } from '../../adapter.ts';
import type { Change, ConflictPolicy } from '../../protocol/v1.ts';
import type { StoredRecord } from './store.ts';

/** An update or delete whose baseVersion is older than the live record it targets. */
export interface ConcurrentChange {
  change: Change;
  /** The device that pushed the change. */
  deviceId: string;
  current: StoredRecord;
}

export type Resolution =
  | { outcome: 'change-applied' }
  | { outcome: 'server-kept'; reason: string }
  /** Only `fields` apply; the change's other fields keep the server's value, as `reason` says. */
  | { outcome: 'fields-merged'; fields: Fields; reason: string };

type Policy = (concurrent: ConcurrentChange) => Resolution;

const POLICIES: Record<ConflictPolicy, Policy> = {
  'server-wins': (concurrent) => ({ outcome: 'server-kept', reason: `${staleness(concurrent)}; the server's version wins` }),
  lww: lastWriterWins,
  'field-merge': fieldMerge,
  manual: (concurrent) => ({ outcome: 'server-kept', reason: `${staleness(concurrent)}; both versions go to the user` }),
};

export function resolveConcurrent(policy: ConflictPolicy, concurrent: ConcurrentChange): Resolution {
  return POLICIES[policy](concurrent);
}

/** The later clientTime wins; on equal clientTimes, the greater deviceId. */
function lastWriterWins(concurrent: ConcurrentChange): Resolution {
  const { change, deviceId, current } = concurrent;
  const later =
    change.clientTime > current.clientTimeMs || (change.clientTime === current.clientTimeMs && deviceId > current.deviceId);
  if (later) return { outcome: 'change-applied' };
  return {
    outcome: 'server-kept',
    reason:
      `${staleness(concurrent)}; the server's change is later ` +
      `(clientTime ${current.clientTimeMs} from ${current.deviceId}, this change ${change.clientTime} from ${deviceId})`,
  };
}

/** Fields nobody changed after baseVersion apply; fields changed since keep the server's value. A delete never merges. */
function fieldMerge(concurrent: ConcurrentChange): Resolution {
  const { change, current } = concurrent;
  if (change.changeType === 'delete') {
    return { outcome: 'server-kept', reason: `${staleness(concurrent)}; a delete does not merge with a newer edit` };
  }
  const written = Object.entries(change.fields);
  const kept = written.filter(([name]) => (current.fieldVersions.get(name) ?? 0) > change.baseVersion).map(([name]) => name);
  if (kept.length === 0) return { outcome: 'change-applied' };
  const reason = `${staleness(concurrent)}; ${kept.length === 1 ? 'field' : 'fields'} ${kept.join(', ')} kept the server's value`;
  const merged = written.filter(([name]) => !kept.includes(name));
  if (merged.length === 0) return { outcome: 'server-kept', reason };
  return { outcome: 'fields-merged', fields: Object.fromEntries(merged), reason };
}

function staleness({ change, current }: ConcurrentChange): string {
  return `record ${change.id} changed since version ${change.baseVersion} (now at version ${current.record.version})`;
}
