// Parses scenario YAML in tests: the resolved Scenario of a valid file, or the issues of an invalid one.
import { formatIssue, parseScenario, type ParseResult, type Scenario, type ScenarioIssue } from '../src/scenario/index.ts';

export function scenarioFrom(text: string): Scenario {
  const result = parseScenario(text, 'test.yaml');
  if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
  return result.scenario;
}

export function issuesFrom(result: ParseResult): ScenarioIssue[] {
  if (result.ok) throw new Error('expected the scenario to be rejected');
  return result.issues;
}

/** The issues of a file labelled scenarios/x.yaml. */
export function issuesIn(text: string): ScenarioIssue[] {
  return issuesFrom(parseScenario(text, 'scenarios/x.yaml'));
}
