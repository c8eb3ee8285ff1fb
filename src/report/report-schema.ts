// The published shape of report.json (schema/report.schema.json), checked by a real JSON Schema
// validator (ajv, draft-07): every report a command reads back goes through it, so a corrupted or
// foreign file is bad input naming the first path that is wrong, never a crash deep inside a command.
import { Ajv, type ErrorObject } from 'ajv';
import { readFileSync } from 'node:fs';

const SCHEMA_URL = new URL('../../schema/report.schema.json', import.meta.url);

let compiled: ReturnType<Ajv['compile']> | undefined;

/** Every way `value` breaks the report schema, each as `<path>: <what is wrong>`; empty when it fits. */
export function reportSchemaProblems(value: unknown): string[] {
  compiled ??= new Ajv({ allErrors: true }).compile(JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object);
  return compiled(value) ? [] : (compiled.errors ?? []).map(problemText);
}

/** `cases[0].seed: must be integer`, with the offending name or the allowed values where ajv keeps them apart. */
function problemText(error: ErrorObject): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((at, part) => (/^\d+$/.test(part) ? `${at}[${part}]` : `${at}.${part}`), '$');
  const params = error.params as { additionalProperty?: string; allowedValues?: unknown[] };
  const detail =
    params.additionalProperty !== undefined ? ` ("${params.additionalProperty}")` : params.allowedValues !== undefined ? ` ${JSON.stringify(params.allowedValues)}` : '';
  return `${path}: ${error.message ?? error.keyword}${detail}`;
}
