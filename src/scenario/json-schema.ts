// The JSON Schema editors use to validate and autocomplete scenario files, generated from the zod schema's
// input side (snake_case keys, unit strings). schema/scenario.schema.json is this text, committed; a test
// fails when it drifts, and `npm run schema` rewrites it.

import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { scenarioSchema } from './schema.ts';

export const SCENARIO_JSON_SCHEMA_PATH = fileURLToPath(new URL('../../schema/scenario.schema.json', import.meta.url));

let built: z.core.JSONSchema.JSONSchema | undefined;

/** Draft-07, which every YAML language server understands; built when first asked for (an unknown key's hint), not by every process that loads scenarios. */
export function scenarioJsonSchema(): z.core.JSONSchema.JSONSchema {
  built ??= z.toJSONSchema(scenarioSchema, { io: 'input', target: 'draft-07' });
  return built;
}

/** The committed file's exact text: 2-space JSON and a trailing newline. */
export function renderScenarioJsonSchema(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
