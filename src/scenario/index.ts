// The scenario-file module's public surface: loading and validating scenario YAML into a `Scenario`,
// reporting problems with positions, and the duration/rate notation scenario files use.

export { CHECK_NAMES, scenarioSchema, type CheckName, type Scenario } from './schema.ts';
export { formatIssue, type ScenarioIssue } from './errors.ts';
export { issueAt, loadScenarioFile, parseScenario, type ParseResult } from './load.ts';
export { formatDuration, parseDuration, parseRate, parseSignedDuration } from './units.ts';
export { SCENARIO_JSON_SCHEMA_PATH, renderScenarioJsonSchema } from './json-schema.ts';
