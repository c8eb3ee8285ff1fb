// The scenario-file module's public surface: loading and validating scenario YAML into a `Scenario`,
// reporting problems with positions, and the duration/rate notation scenario files use.

export { CHECK_NAMES, scenarioSchema, type CheckName, type Scenario } from './schema.ts';
export { formatIssue, MAX_LISTED_ISSUES, type ScenarioIssue } from './errors.ts';
export { printable } from './expectation.ts';
export { issueAt, loadScenarioFile, MAX_ALIASES, MAX_ALIASED_VALUES, MAX_SCENARIO_BYTES, parseScenario, type ParseResult } from './load.ts';
export { formatDuration, parseDuration, parseRate, parseSignedDuration } from './units.ts';
export { SCENARIO_JSON_SCHEMA_PATH, renderScenarioJsonSchema } from './json-schema.ts';
