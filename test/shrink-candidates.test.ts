import { isDeepStrictEqual } from 'node:util';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drawSpec } from '../src/faults/nemesis.ts';
import { FAULT_KINDS } from '../src/scenario/fault-specs.ts';
import { loadScenarioFile, parseScenario, type Scenario } from '../src/scenario/index.ts';
import { createRng } from '../src/sim/rng.ts';
import { candidatesOf } from '../src/shrink/candidates.ts';
import { scenarioYaml } from '../src/shrink/scenario-yaml.ts';
import { REPO_ROOT } from './cli-helpers.ts';

function load(name: string): Scenario {
  const result = loadScenarioFile(join(REPO_ROOT, 'scenarios', name));
  if (!result.ok) throw new Error(`${name} does not load`);
  return result.scenario;
}

/** One swarm-drawn fault of every kind on d2, a minute apart, each lasting 30 s. */
const EVERY_KIND = FAULT_KINDS.map((kind, index) => ({ atMs: (index + 1) * 60_000, forMs: 30_000, spec: drawSpec(kind, ['d2'], createRng(7, kind), true) }));

describe('shrink scenarios and candidates', () => {
  it('writes every shipped scenario as YAML that loads back into the same scenario', () => {
    for (const name of readdirSync(join(REPO_ROOT, 'scenarios')).filter((file) => file.endsWith('.yaml'))) {
      const scenario = load(name);
      const back = parseScenario(scenarioYaml(scenario), name);
      expect(back.ok && isDeepStrictEqual(back.scenario, scenario), name).toBe(true);
    }
  });

  it('writes swarm-drawn faults of every kind as scheduled faults, and settings off their defaults, that load back unchanged', () => {
    const scenario = { ...load('everything.yaml'), resumeMs: 0, faults: EVERY_KIND };
    const back = parseScenario(scenarioYaml(scenario), 'every-kind');
    expect(back.ok ? back.scenario : back.issues).toEqual(scenario);
  });

  it('offers fewer devices, shorter runs and slower users first, then the drawn faults as scheduled ones, then fewer and shorter faults', () => {
    const scenario = load('everything.yaml');
    const candidates = candidatesOf({ scenario, swarm: false }, EVERY_KIND);
    expect(candidates.slice(0, 3).map(({ scenario: each }) => each.devices)).toEqual([1, 2, 3]);
    const converted = candidates.find(({ scenario: each }) => each.nemesis === undefined)!;
    expect(converted.swarm).toBe(false);
    expect(converted.scenario.faults).toEqual(EVERY_KIND);
    expect(candidates.every(({ scenario: each }) => each.durationMs <= scenario.durationMs && each.workload.ratePerSecond <= scenario.workload.ratePerSecond)).toBe(true);

    const scheduled = { ...scenario, nemesis: undefined, faults: EVERY_KIND };
    const next = candidatesOf({ scenario: scheduled, swarm: false }, []);
    // each fault alone left out is a candidate (a shorter run may drop a late fault too, so count by content)
    const withoutOne = EVERY_KIND.map((_, index) => EVERY_KIND.filter((__, at) => at !== index));
    expect(withoutOne.every((faults) => next.some(({ scenario: each }) => isDeepStrictEqual(each.faults, faults)))).toBe(true);
    expect(next.some(({ scenario: each }) => each.faults.some((fault, index) => fault.forMs === 15_000 && EVERY_KIND[index]!.forMs === 30_000))).toBe(true);
    const oneDevice = next[0]!.scenario;
    expect(oneDevice.faults.every((fault) => !('targets' in fault.spec))).toBe(true);
  });
});
