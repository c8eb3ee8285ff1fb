// A resolved Scenario written back as a scenario file: the inverse of the schema's resolution
// (camelCase and milliseconds back to snake_case and "90s"), so a shrunk scenario is a file a
// person can read and `sync-chaos run` can replay. Every key is written, defaults included.
import { Document, isCollection } from 'yaml';
import { faultEntry, perHourText } from '../scenario/fault-yaml.ts';
import { formatDuration, type Scenario } from '../scenario/index.ts';
import { THRESHOLD_METRICS, type ThresholdMetric, type Thresholds } from '../scenario/thresholds.ts';

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
    ...(Object.keys(scenario.thresholds).length > 0 && { thresholds: thresholdsYaml(scenario.thresholds) }),
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

/** Each budget as the file writes it: durations as "30s", counts as numbers. */
function thresholdsYaml(thresholds: Thresholds): Record<string, string | number> {
  return Object.fromEntries(
    (Object.entries(thresholds) as [ThresholdMetric, number][]).map(([metric, limit]) => [metric, THRESHOLD_METRICS[metric].unit === 'duration' ? formatDuration(limit) : limit]),
  );
}
