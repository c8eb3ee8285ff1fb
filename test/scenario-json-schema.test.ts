import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { SCENARIO_JSON_SCHEMA_PATH, renderScenarioJsonSchema } from '../src/scenario/index.ts';
import { SCENARIO_DOCS_PATH, renderScenarioDocs } from '../src/scenario/scenario-docs.ts';

it('keeps schema/scenario.schema.json in sync with the zod schema', () => {
  const committed = readFileSync(SCENARIO_JSON_SCHEMA_PATH, 'utf8');
  expect(committed, 'schema/scenario.schema.json is out of date: run `npm run schema`').toBe(renderScenarioJsonSchema());
});

it('keeps docs/scenarios.md in sync with the zod schema', () => {
  const committed = readFileSync(SCENARIO_DOCS_PATH, 'utf8');
  expect(committed, 'docs/scenarios.md is out of date: run `npm run schema`').toBe(renderScenarioDocs());
});

it('describes every key of docs/scenarios.md', () => {
  const undescribed = renderScenarioDocs()
    .split('\n')
    .filter((line) => /^\| `/.test(line) && line.endsWith('|  |'));
  expect(undescribed).toEqual([]);
});
