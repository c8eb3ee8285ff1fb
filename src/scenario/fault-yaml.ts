// A fault written in scenario syntax, the inverse of its resolution (ms back to "90s", camelCase back
// to snake_case): one `faults:` entry a person can read and paste into a scenario file. The shrinker
// writes its scenarios with it; the console prints the faults a swarm seed drew with it.
import { Document, isCollection, isSeq } from 'yaml';
import type { FaultSpec, ScheduledFault } from './fault-specs.ts';
import { formatDuration } from './units.ts';

/** The faults as `faults:` list items, one flow mapping a line (`- { at: 5m, for: 2m, kill: { … } }`), pasteable under `faults:`. */
export function faultListYaml(faults: readonly ScheduledFault[], durationMs: number): string {
  const document = new Document(faults.map((fault) => faultEntry(fault, durationMs)));
  if (isSeq(document.contents)) for (const item of document.contents.items) if (isCollection(item)) item.flow = true;
  return document.toString({ lineWidth: 0 }).trimEnd();
}

/** One `faults:` entry; a fault that would outlast the chaos phase heals with it, which is what leaving out `for` means. */
export function faultEntry(fault: ScheduledFault, durationMs: number): Record<string, unknown> {
  const lasts = fault.forMs !== undefined && fault.atMs + fault.forMs <= durationMs;
  return { at: formatDuration(fault.atMs), ...(lasts && { for: formatDuration(fault.forMs!) }), [fault.spec.kind]: faultSettings(fault.spec) };
}

function faultSettings(spec: FaultSpec): Record<string, unknown> {
  switch (spec.kind) {
    case 'partition':
      return { target: spec.targets, mode: spec.mode };
    case 'kill':
      return { target: spec.targets, when: spec.when, restart_after: formatDuration(spec.restartAfterMs) };
    case 'clock':
      return { target: spec.targets, offset: signedDuration(spec.offsetMs), skew: spec.skew };
    case 'batch_failure':
      return { mode: spec.mode, applied: spec.appliedCount, reject_share: spec.rejectShare };
    case 'backup_restore':
      return { target: spec.targets, backup_every: formatDuration(spec.backupEveryMs), age: formatDuration(spec.ageMs) };
    case 'reinstall':
      return { target: spec.targets };
    case 'server_restore':
      return { lose: formatDuration(spec.loseMs) };
    case 'suspend':
      return { target: spec.targets, windows: perHourText(spec.windowsPerHour), window: formatDuration(spec.windowMs) };
    case 'upgrade':
      return { target: spec.targets, from: spec.fromVersion, fail: spec.fail };
    case 'server_restart':
      return { down: formatDuration(spec.downMs) };
    case 'latency':
      return { target: spec.targets, min: formatDuration(spec.latencyMsMin), max: formatDuration(spec.latencyMsMax) };
    case 'loss':
    case 'duplicate':
      return { target: spec.targets, rate: spec.rate };
    case 'reorder':
      return { target: spec.targets, max: formatDuration(spec.reorderMsMax) };
    case 'tombstone_retention':
      return { older_than: formatDuration(spec.olderThanMs), every: formatDuration(spec.everyMs) };
  }
}

function signedDuration(ms: number): string {
  return ms < 0 ? `-${formatDuration(-ms)}` : formatDuration(ms);
}

/** A rate as "N/h"; the decimal form JavaScript prints for a number parses back to the same number. */
export function perHourText(perHour: number): string {
  const text = String(perHour);
  if (!/^\d+(\.\d+)?$/.test(text)) throw new RangeError(`cannot write ${text} events per hour as a scenario rate`);
  return `${text}/h`;
}
