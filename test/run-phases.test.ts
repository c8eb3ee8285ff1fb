// The phases of a run as data: the list a scenario gives, and the World marking each one in the
// history as it interprets it (a failed run is quiesced at once and never resumed).
import { describe, expect, it } from 'vitest';
import throwsOnCreate from '../fixtures/clients/throws-on-create.ts';
import { clientDefinitionOf } from '../src/adapter.ts';
import type { RunResult } from '../src/check/verdict.ts';
import { phasesOf } from '../src/run/phases.ts';
import { runScenario } from '../src/run/run.ts';
import { plainClient, scenarioOf } from './faults-helpers.ts';

const LINES = ['name: phases', 'devices: 2', 'duration: 2m', 'workload: { rate: 120/h }'];

function phaseMarks(result: RunResult): { phase: string; t: number }[] {
  return [...result.history.events].flatMap((event) => (event.type === 'phase' ? [{ phase: event.phase, t: event.t }] : []));
}

describe('the phases of a run', () => {
  it('are chaos then a quiesce the harness drives, and with resume a resume and a quiesce on the devices\' own timers', () => {
    expect(phasesOf({ durationMs: 120_000, resumeMs: 0 })).toEqual([
      { kind: 'chaos', forMs: 120_000 },
      { kind: 'quiesce', by: 'harness' },
    ]);
    expect(phasesOf({ durationMs: 120_000, resumeMs: 60_000 })).toEqual([
      { kind: 'chaos', forMs: 120_000 },
      { kind: 'quiesce', by: 'harness' },
      { kind: 'resume', forMs: 60_000 },
      { kind: 'quiesce', by: 'own-timers' },
    ]);
  });

  it('are marked in the history in the order of the list, then the end, the resume starting once chaos has had its duration', async () => {
    const scenario = scenarioOf([...LINES, 'resume: 1m']);
    const result = await runScenario(scenario, { seed: 3, client: await plainClient(scenario) });
    expect(result.error).toBeUndefined();
    const marks = phaseMarks(result);
    expect(marks.map(({ phase }) => phase)).toEqual(['chaos', 'quiesce', 'resume', 'quiesce', 'end']);
    expect(marks[0]!.t).toBe(0);
    expect(marks[1]!.t).toBeGreaterThanOrEqual(120_000);
    expect(marks[2]!.t).toBeGreaterThanOrEqual(marks[1]!.t);
    expect(marks[3]!.t).toBeGreaterThanOrEqual(marks[2]!.t + 60_000);
    expect(result.quiesced).toBe(true);
  });

  it('stop before the resume once the client has failed: the quiesce after chaos ends at once, not quiesced', async () => {
    const scenario = scenarioOf([...LINES, 'resume: 1m']);
    const result = await runScenario(scenario, { seed: 3, client: clientDefinitionOf(throwsOnCreate) });
    expect(result.verdict).toBe('error');
    expect(phaseMarks(result).map(({ phase }) => phase)).toEqual(['chaos', 'quiesce', 'end']);
    expect(result.quiesced).toBe(false);
  });
});
