import { describe, expect, it } from 'vitest';
import { MAX_LISTED_ISSUES, parseScenario } from '../src/scenario/index.ts';
import { answerProblems, mutant, shippedScenarios } from './scenario-mutations.ts';

const MUTANTS = 300;
const SEED = 19;

describe('the scenario loader on a seeded corpus of mutated shipped scenarios', () => {
  it('never throws, and locates every problem it reports in the file, on one printable line, in a capped list', () => {
    const scenarios = shippedScenarios();
    const findings: string[] = [];
    let rejected = 0;
    for (let index = 0; index < MUTANTS; index++) {
      const { source, text } = mutant(scenarios, SEED, index);
      try {
        const result = parseScenario(text, 'fuzz.yaml');
        if (!result.ok) rejected++;
        findings.push(...answerProblems(text, result, MAX_LISTED_ISSUES).map((problem) => `mutant ${index} of ${source}: ${problem}`));
      } catch (error) {
        findings.push(`mutant ${index} of ${source} threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
    expect(findings).toStrictEqual([]);
    // The corpus exercises both sides: most mutants are refused, and some still load.
    expect(rejected).toBeGreaterThan(MUTANTS / 2);
    expect(rejected).toBeLessThan(MUTANTS);
  });
});
