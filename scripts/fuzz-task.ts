// One fuzzing task, run in a worker thread of scripts/fuzz.ts so that a hang can be cut off: build the
// index-th mutant of the seeded corpus, load it, check the answer, and (when asked) run a mutant that loads
// through the simulator with its client, as `sync-chaos run` would.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadClient } from '../src/run/client-loader.ts';
import { BadInputError } from '../src/errors.ts';
import { runScenario } from '../src/run/run.ts';
import { MAX_LISTED_ISSUES, parseScenario } from '../src/scenario/index.ts';
import { answerProblems, mutant, shippedScenarios, type ShippedScenario } from '../test/scenario-mutations.ts';

const SCENARIO_FOLDER = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');

export interface FuzzSetup {
  seed: number;
}

export interface FuzzTask {
  index: number;
  run: boolean;
}

export interface FuzzOutcome {
  source: string;
  text: string;
  loaded: boolean;
  /** What was wrong with the loader's answer, or what the run threw that is not bad input. */
  crashes: string[];
  verdict?: string;
}

let corpus: { seed: number; scenarios: ShippedScenario[] } | undefined;

export function init(setup: FuzzSetup): void {
  corpus = { seed: setup.seed, scenarios: shippedScenarios() };
}

export async function runTask({ index, run }: FuzzTask): Promise<FuzzOutcome> {
  if (!corpus) throw new Error('fuzz-task: init was not called');
  const { source, text } = mutant(corpus.scenarios, corpus.seed, index);
  let result;
  try {
    result = parseScenario(text, 'fuzz.yaml');
  } catch (error) {
    return { source, text, loaded: false, crashes: [`the loader threw: ${stackOf(error)}`] };
  }
  const outcome: FuzzOutcome = { source, text, loaded: result.ok, crashes: answerProblems(text, result, MAX_LISTED_ISSUES) };
  if (!run || !result.ok || result.scenario.system.transport !== 'simulated') return outcome;
  try {
    const client = await loadClient(result.scenario.system, SCENARIO_FOLDER);
    const ran = await runScenario(result.scenario, { seed: result.scenario.seed, client, swarm: false });
    // Every mutant runs the reference stack or a fixture: an error verdict is our own code throwing.
    const thrown = ran.verdict === 'error' ? [`the run ended in an error: ${ran.error?.stack ?? ran.error?.message ?? ''}`] : [];
    return { ...outcome, crashes: [...outcome.crashes, ...thrown], verdict: ran.verdict };
  } catch (error) {
    if (error instanceof BadInputError) return { ...outcome, verdict: 'bad input' };
    return { ...outcome, crashes: [...outcome.crashes, `the run threw: ${stackOf(error)}`] };
  }
}

function stackOf(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
