// The seeds on which the false-positive sweep (`npm run sweep`) once found a client that loses nothing (the
// reference client, or the worked example templates/adapter.ts) failing a shipped scenario, one per class of
// failure with where it was fixed: each must pass now. One run per seed; the sweep itself is a script, not a test.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClient } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import type { Scenario } from '../src/scenario/index.ts';
import { scenarioClient, shippedScenario } from '../fixtures/clients/catalog.ts';
import { REPO_ROOT } from './cli-helpers.ts';

interface Regression {
  scenario: string;
  seed: number;
  /** The client swept: the scenario's own (the reference), or the worked example. */
  client: 'reference' | 'template';
  /** What failed, and the fix. */
  failure: string;
}

const REGRESSIONS: readonly Regression[] = [
  {
    scenario: 'policy-manual.yaml',
    seed: 11,
    client: 'reference',
    failure:
      'a delete made while a manual conflict was open was sent on the server side the user never opened, so it beat that edit silently (lost-write silent); ' +
      'the delete now builds on what the user saw and loses to the edit, logged, and the checkers take the deleted edit as superseded',
  },
  {
    scenario: 'policy-manual.yaml',
    seed: 5,
    client: 'reference',
    failure:
      'a device showed its own edit (the local side of a manual conflict), deleted the record, and the delete lost to a concurrent edit of another field, logged; ' +
      'the record came back with the version that beat the delete, whose title is an ancestor of that edit (monotonic-reads); the device\'s own delete now starts what it shows of the record afresh, as in read-your-writes',
  },
  {
    scenario: 'policy-lww.yaml',
    seed: 1,
    client: 'template',
    failure:
      'the worked example did not log a change the server applied over one it had not seen (lww: a later delete over an earlier edit), a silent loss ' +
      '(lost-write silent, read-your-writes; clock-drift-lww seed 1 too); it now logs the `concurrent: true` answers with what they replaced',
  },
  {
    scenario: 'policy-lww.yaml',
    seed: 74,
    client: 'reference',
    failure:
      "lww applied d1's edit over d4's concurrent one, and d4 read the winner before d1's app logged the conflict on the server's answer (read-your-writes); " +
      "another device's logged conflict counts from when the server replaced the edit, the device's own only from its log",
  },
  {
    scenario: 'policy-field-merge.yaml',
    seed: 45,
    client: 'reference',
    failure:
      "d4 edited a note, then deleted it; the server merged the edit with d2's concurrent one, and the client rebased every queued change of the record on the merge, " +
      'so the delete went on a version its user never saw and removed d2\'s field silently (lost-write silent); a merge now rebases only the queued edits',
  },
  {
    scenario: 'policy-field-merge.yaml',
    seed: 207,
    client: 'reference',
    failure:
      "d3 edited a note's title and body twice; the server merged the first edit with d2's concurrent body, keeping d2's, and the client rebased the second edit on the merge, " +
      "so its body replaced d2's, which d3's user never saw, without a conflict (lost-write silent, read-your-writes); a queued edit now loses a field the merge kept at the server's value, logged",
  },
  {
    scenario: 'offline-mid-sync.yaml',
    seed: 225,
    client: 'reference',
    failure:
      'd2 went offline three times in one hour and a successful sync between outages forgot the failed attempts, so each outage started a fresh budget: ' +
      '21 requests against 20/h (retry-budget); a success now resets the backoff, not the hour\'s count',
  },
  {
    scenario: 'server-restore.yaml',
    seed: 108,
    client: 'reference',
    failure:
      'a note created after the backup was lost by the restore; d1 put its v3 back first, then d2 pushed its v4 with an edit folded in as a create naming lost version 4, ' +
      'which met v3 as "already exists" and lost to it (lost-write regressed); a change whose lost version is later than the one from before the restore the server holds goes on that one',
  },
  {
    scenario: 'everything.yaml',
    seed: 92,
    client: 'reference',
    failure:
      "the server refused d4's edit (batch_failure) and a network duplicate of the push then applied it; the device kept it failed on the old version, so its user's next edit went there " +
      'and lost to their own change (lost-write regressed); a pulled version that holds just what the device shows of a record whose changes were all refused is stored now, so the next edit goes on it',
  },
];

function clientFor(scenario: Scenario, client: Regression['client']) {
  return client === 'reference' ? scenarioClient(scenario) : loadClient({ ...scenario.system, client: join(REPO_ROOT, 'templates/adapter.ts') }, REPO_ROOT);
}

/** A simulated run takes CPU, not waiting; a loaded machine stretches it. */
const RUN_TIMEOUT_MS = 180_000;

describe('the seeds the false-positive sweep found', () => {
  it.each(REGRESSIONS)('$scenario seed $seed passes with the $client client ($failure)', async ({ scenario: name, seed, client }) => {
    const scenario = shippedScenario(name);
    const run = await runScenario(scenario, { seed, client: await clientFor(scenario, client) });
    expect(run.violations.map((violation) => violation.summary)).toEqual([]);
    expect(run.verdict).toBe('pass');
  }, RUN_TIMEOUT_MS);
});
