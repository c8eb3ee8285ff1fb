import { describe, expect, it } from 'vitest';
import type { ClientFactory } from '../src/adapter.ts';
import { referenceClient } from '../src/reference/client/client.ts';
import { defaultClientSettings } from '../src/run/client-loader.ts';
import { MAX_EVENTS_PER_INSTANT, runScenario } from '../src/run/run.ts';
import { scenarioFrom } from './scenario-helpers.ts';

const reference = referenceClient(defaultClientSettings());

/** The reference client, plus a timer on every boot that sets itself again at once: simulated time never moves on. */
const spinning: ClientFactory = (env) => {
  const spin = () => {
    env.setTimeout(spin, 0);
  };
  env.setTimeout(spin, 5_000);
  return reference(env);
};

describe('bounds on a run', () => {
  it('stops a run whose client loops at one simulated instant, and fails the case as not quiesced, saying why', async () => {
    const result = await runScenario(scenarioFrom('name: spin\ndevices: 1\nduration: 1m\n'), { seed: 1, client: { factory: spinning } });
    expect(result.verdict).toBe('fail');
    expect(result.quiesced).toBe(false);
    expect(result.simulatedMs).toBe(5_000);
    expect(result.counts.events).toBeGreaterThanOrEqual(MAX_EVENTS_PER_INSTANT);
    expect(result.checks['liveness']?.violations.map(({ summary }) => summary)).toContain(
      'the devices did not quiesce within the bounds of a run: 100000 events ran at 5s of simulated time without time moving on: a timer or retry that never waits',
    );
  });

  it('leaves a run of the same client without the loop alone', async () => {
    const result = await runScenario(scenarioFrom('name: calm\ndevices: 1\nduration: 1m\n'), { seed: 1, client: { factory: reference } });
    expect(result.verdict).toBe('pass');
  });
});
