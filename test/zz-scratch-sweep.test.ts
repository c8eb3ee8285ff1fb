import { it } from 'vitest';
import { FAULT_KINDS } from '../src/faults/types.ts';
import { runScenario } from '../src/run/run.ts';
import { clientEvents, messages, observedReference, phaseTime, readingClock, scenarioOf, withEnv } from './faults-helpers.ts';
it('sweep', async () => {
  const lines = ['name: sweep', 'devices: 3', 'duration: 20m', 'workload: { rate: 10/min, contention: 0.5 }',
    `nemesis: { kinds: [${FAULT_KINDS.join(', ')}], rate: 40/h, for: { min: 30s, max: 5m }, swarm: true }`];
  const scenario = scenarioOf(lines);
  for (let seed = 1; seed <= 40; seed++) {
    const factory = withEnv(await observedReference(scenario), readingClock(5_000));
    const result = await runScenario(scenario, { seed, factory });
    const problems: string[] = [];
    if (result.error) problems.push('error ' + result.error.message);
    else {
      const quiesce = phaseTime(result, 'quiesce');
      const late = messages(result).filter((m) => m.t >= quiesce && (m.fate === 'dropped' || m.fate === 'held' || m.label.startsWith('refused')));
      if (late.length) problems.push(`late bad messages ${late.length}`);
      for (const d of ['d1', 'd2', 'd3']) {
        const bad = clientEvents(result, 'clock-reading', d).filter((e) => e.t >= quiesce && e.data?.['now'] !== e.t);
        if (bad.length) problems.push(`${d} clock off ${JSON.stringify(bad[0])}`);
      }
      const lifecycle = new Map<string, string>();
      for (const e of result.history.events) {
        if (e.type !== 'boot' && e.type !== 'kill') continue;
        if (lifecycle.get(e.process) === e.type) problems.push(`${e.process} ${e.type} twice at ${e.t}`);
        lifecycle.set(e.process, e.type);
      }
    }
    console.log(seed, result.verdict, result.quiesced, result.drawnFaults.length, problems.join('; '), result.violations.slice(0, 2).map((v) => v.summary));
  }
}, 600_000);
