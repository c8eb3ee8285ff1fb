// Rewrites schema/scenario.schema.json from the zod schema (`npm run schema`), so editors autocomplete the
// current scenario format. Run it after changing src/scenario/schema.ts; a test fails until you do.

import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { SCENARIO_JSON_SCHEMA_PATH, renderScenarioJsonSchema } from './json-schema.ts';

writeFileSync(SCENARIO_JSON_SCHEMA_PATH, renderScenarioJsonSchema());
console.log(`wrote ${relative(process.cwd(), SCENARIO_JSON_SCHEMA_PATH)}`);
