// The bench's standard scenario: the baseline workload on 10 devices for 1 simulated hour (or
// `hours`), with the reference client, seed 1. Every bench figure is measured on it, so numbers
// from different sections and different commits compare.
import { fileURLToPath } from 'node:url';
import type { ClientDefinition } from '../src/adapter.ts';
import { loadClient } from '../src/run/client-loader.ts';
import { loadScenarioFile, type Scenario } from '../src/scenario/index.ts';

export const STANDARD_SEED = 1;
export const STANDARD_DEVICES = 10;
const BASELINE = fileURLToPath(new URL('../scenarios/baseline.yaml', import.meta.url));

export async function standardScenario(hours = 1): Promise<{ scenario: Scenario; client: ClientDefinition }> {
  const loaded = loadScenarioFile(BASELINE);
  if (!loaded.ok) throw new Error(`cannot load ${BASELINE}`);
  const scenario: Scenario = { ...loaded.scenario, name: 'bench', devices: STANDARD_DEVICES, durationMs: hours * 3_600_000 };
  return { scenario, client: await loadClient(scenario.system, process.cwd()) };
}
