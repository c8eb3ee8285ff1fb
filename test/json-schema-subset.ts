// A validator for the part of JSON Schema (draft-07) that schema/report.schema.json uses, so the
// test can check a real report against the published schema without a schema library. It refuses
// any keyword it does not know, so the schema cannot quietly outgrow it.
type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', 'definitions', 'default']);
const KNOWN = new Set([...ANNOTATIONS, 'type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'const', 'pattern', 'minimum', 'anyOf', '$ref']);

export function validate(root: Schema, value: unknown): string[] {
  const problems: string[] = [];
  check(root, root, value, '$', problems);
  return problems;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function check(root: Schema, schema: Schema, value: unknown, at: string, problems: string[]): void {
  for (const keyword of Object.keys(schema)) if (!KNOWN.has(keyword)) throw new Error(`${at}: the test validator does not support "${keyword}"`);
  if (typeof schema.$ref === 'string') {
    const name = /^#\/definitions\/(.+)$/.exec(schema.$ref)?.[1];
    const target = name === undefined ? undefined : (root.definitions as Record<string, Schema> | undefined)?.[name];
    if (!target) throw new Error(`${at}: unresolvable $ref ${schema.$ref}`);
    check(root, target, value, at, problems);
  }
  const actual = typeOf(value);
  if (typeof schema.type === 'string' && actual !== schema.type && !(schema.type === 'number' && actual === 'integer')) {
    problems.push(`${at}: expected ${schema.type}, found ${actual}`);
    return;
  }
  if ('const' in schema && value !== schema.const) problems.push(`${at}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (typeof schema.pattern === 'string' && typeof value === 'string' && !new RegExp(schema.pattern, 'u').test(value)) problems.push(`${at}: "${value}" does not match ${schema.pattern}`);
  if (typeof schema.minimum === 'number' && typeof value === 'number' && value < schema.minimum) problems.push(`${at}: ${value} < ${schema.minimum}`);
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some((option: Schema) => {
      const found: string[] = [];
      check(root, option, value, at, found);
      return found.length === 0;
    })) {
    problems.push(`${at}: matches none of anyOf`);
  }
  if (actual === 'array' && schema.items) (value as unknown[]).forEach((item, index) => check(root, schema.items as Schema, item, `${at}[${index}]`, problems));
  if (actual === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const name of (schema.required ?? []) as string[]) if (!(name in object)) problems.push(`${at}: missing "${name}"`);
    for (const [name, item] of Object.entries(object)) {
      if (properties[name]) check(root, properties[name], item, `${at}.${name}`, problems);
      else if (schema.additionalProperties === false) problems.push(`${at}: unexpected "${name}"`);
      else if (typeof schema.additionalProperties === 'object') check(root, schema.additionalProperties as Schema, item, `${at}.${name}`, problems);
    }
  }
}
