// The unique tokens the simulated users write into every field they set (`t:d3:w57`: device d3's
// 57th write), so that any value seen anywhere names the write that produced it. The workload makes
// them; the checkers and the reports recognise them.

/** The shape of a token: `t:<device>:w<n>`, unique per write. */
const TOKEN_PATTERN = /^t:[^:]+:w\d+$/;

/** The token of device `deviceId`'s `writeNumber`-th write (counting from 1). */
export function tokenOf(deviceId: string, writeNumber: number): string {
  return `t:${deviceId}:w${writeNumber}`;
}

export function isToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_PATTERN.test(value);
}

/** Every token anywhere inside a logged value. */
export function tokensIn(value: unknown): Set<string> {
  const tokens = new Set<string>();
  collectTokens(value, tokens);
  return tokens;
}

function collectTokens(value: unknown, into: Set<string>): void {
  if (isToken(value)) into.add(value);
  else if (Array.isArray(value)) for (const item of value) collectTokens(item, into);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) collectTokens(item, into);
}
