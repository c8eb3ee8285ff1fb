// Rewrites schema/scenario.schema.json and docs/scenarios.md from the zod schema (`npm run schema`), so editors
// autocomplete the current scenario format and its reference page says the same. Run it after changing the zod
// schema or its descriptions; a test fails until you do.

import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { SCENARIO_JSON_SCHEMA_PATH, renderScenarioJsonSchema } from './json-schema.ts';
import { SCENARIO_DOCS_PATH, renderScenarioDocs } from './scenario-docs.ts';

for (const [path, text] of [
  [SCENARIO_JSON_SCHEMA_PATH, renderScenarioJsonSchema()],
  [SCENARIO_DOCS_PATH, renderScenarioDocs()],
] as const) {
  writeFileSync(path, text);
  console.log(`wrote ${relative(process.cwd(), path)}`);
}
