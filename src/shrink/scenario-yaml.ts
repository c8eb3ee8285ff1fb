// A resolved Scenario written back as a scenario file: the inverse of the schema's resolution
// (camelCase and milliseconds back to snake_case and "90s"), so a shrunk scenario is a file a
// person can read and `sync-chaos run` can replay. Every key is written, defaults included.
import { Document, isCollection } from 'yaml';
import type { FaultSpec, ScheduledFault } from '../scenario/fault-specs.ts';
import { formatDuration, type Scenario } from '../scenario/index.ts';

export function scenarioYaml(scenario: Scenario): string {
  const { system, network, workload } = scenario;
  const file = {
    name: scenario.name,
    ...(scenario.description !== undefined && { description: scenario.description }),
    seed: scenario.seed,
    devices: scenario.devices,
    duration: formatDuration(scenario.durationMs),
    quiesce_timeout: formatDuration(scenario.quiesceTimeoutMs),
    resume: formatDuration(scenario.resumeMs),
    system: {
      client: system.client,
      server: system.server,
      transport: system.transport,
      time_scale: system.timeScale,
      pokes: system.pokes,
      conflict: system.conflict,
      ordering: system.ordering,
      batch_size: system.batchSize,
      sync_interval: formatDuration(system.syncIntervalMs),
      debounce: formatDuration(system.debounceMs),
      retry: { base: formatDuration(system.retry.baseMs), max: formatDuration(system.retry.maxMs), budget: perHourText(system.retry.budgetPerHour) },
      request_timeout: formatDuration(system.requestTimeoutMs),
    },
    network: { latency: { min: formatDuration(network.latencyMsMin), max: formatDuration(network.latencyMsMax) } },
    workload: {
      rate: perHourText(workload.ratePerSecond * 3600),
      mix: workload.mix,
      contention: workload.contention,
      note_share: workload.noteShare,
      resolve_delay: { min: formatDuration(workload.resolveDelayMsMin), max: formatDuration(workload.resolveDelayMsMax) },
    },
    faults: scenario.faults.map((fault) => faultEntry(fault, scenario.durationMs)),
    ...(scenario.nemesis && {
      nemesis: {
        kinds: scenario.nemesis.kinds,
        rate: perHourText(scenario.nemesis.ratePerHour),
        for: { min: formatDuration(scenario.nemesis.forMsMin), max: formatDuration(scenario.nemesis.forMsMax) },
        swarm: scenario.nemesis.swarm,
      },
    }),
    checks: scenario.checks,
    allow: scenario.allow,
  };
  const document = new Document(file);
  for (const path of FLOW_PATHS) flow(document.getIn(path, true));
  for (const index of scenario.faults.keys()) flow(document.getIn(['faults', index], true));
  return document.toString({ lineWidth: 0 });
}

/** Short collections written on one line, as the shipped scenarios write them. */
const FLOW_PATHS = [['system', 'retry'], ['network', 'latency'], ['workload', 'mix'], ['workload', 'resolve_delay'], ['nemesis', 'kinds'], ['nemesis', 'for'], ['checks'], ['allow']];

function flow(node: unknown): void {
  if (isCollection(node)) node.flow = true;
}

/** One `faults:` entry; a fault that would outlast the chaos phase heals with it, which is what leaving out `for` means. */
function faultEntry(fault: ScheduledFault, durationMs: number): Record<string, unknown> {
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
  }
}

function signedDuration(ms: number): string {
  return ms < 0 ? `-${formatDuration(-ms)}` : formatDuration(ms);
}

/** A rate as "N/h"; the decimal form JavaScript prints for a number parses back to the same number. */
function perHourText(perHour: number): string {
  const text = String(perHour);
  if (!/^\d+(\.\d+)?$/.test(text)) throw new RangeError(`cannot write ${text} events per hour as a scenario rate`);
  return `${text}/h`;
}
