// A module resolution hook (node:module register): every ESM import of the `ws` package resolves to
// routed-ws.mjs, which hands out ws as CommonJS requirers get it, its client routed in simulation.
const SHIM = new URL('./routed-ws.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'ws' && context.parentURL !== SHIM) return { url: SHIM, shortCircuit: true };
  return nextResolve(specifier, context);
}
