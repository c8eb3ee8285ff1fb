// The seeds on which the false-positive sweep (`npm run sweep`) once found the reference client failing a
// shipped scenario, each with the class of failure and where it was fixed: each must pass now, with the
// reference client, as it is. One run per seed; the sweep itself is a script, not a test.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/run/run.ts';
import { scenarioClient, shippedScenario } from '../fixtures/clients/catalog.ts';

interface Regression {
  scenario: string;
  seed: number;
  /** What failed, and the fix. */
  failure: string;
}

const REGRESSIONS: readonly Regression[] = [
  {
    scenario: 'policy-manual.yaml',
    seed: 11,
    failure:
      'a delete made while a manual conflict was open was sent on the server side the user never opened, so it beat that edit silently (lost-write silent); ' +
      'the delete now builds on what the user saw and loses to the edit, logged, and the checkers take the deleted edit as superseded',
  },
];

/** A simulated run takes CPU, not waiting; a loaded machine stretches it. */
const RUN_TIMEOUT_MS = 180_000;

describe('the seeds the false-positive sweep found', () => {
  it.each(REGRESSIONS)('$scenario seed $seed passes with the reference client ($failure)', async ({ scenario: name, seed }) => {
    const scenario = shippedScenario(name);
    const run = await runScenario(scenario, { seed, client: await scenarioClient(scenario) });
    expect(run.violations.map((violation) => violation.summary)).toEqual([]);
    expect(run.verdict).toBe('pass');
  }, RUN_TIMEOUT_MS);
});
