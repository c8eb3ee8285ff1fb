import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { SCENARIO_JSON_SCHEMA_PATH, renderScenarioJsonSchema } from '../src/scenario/index.ts';

it('keeps schema/scenario.schema.json in sync with the zod schema', () => {
  const committed = readFileSync(SCENARIO_JSON_SCHEMA_PATH, 'utf8');
  expect(committed, 'schema/scenario.schema.json is out of date: run `npm run schema`').toBe(renderScenarioJsonSchema());
});
