// The coverage matrix: which checker catches which catalog client in a real simulated run of a shipped
// scenario, and at which seed. Runs each client's seed search (stopping at its first catching seed, at
// most SEED_BUDGET seeds) and prints one row per checker; a checker no client proves is printed as such.
import { CHECKERS } from '../src/check/index.ts';
import { CATALOG, firstCatch, SEED_BUDGET } from '../fixtures/clients/catalog.ts';

const caughtBy = new Map<string, string[]>(Object.keys(CHECKERS).map((checker) => [checker, []]));
const rows: string[] = [];
for (const entry of CATALOG) {
  const caught = await firstCatch(entry);
  rows.push(`  ${entry.client.padEnd(34)} ${entry.scenario.padEnd(28)} ${caught ? `seed ${caught.run.seed}: ${caught.checkers.join(', ')}` : `not caught in ${SEED_BUDGET} seeds`}`);
  for (const checker of caught?.checkers ?? []) caughtBy.get(checker)?.push(`${entry.client.replace(/\.ts$/, '')}@${caught!.run.seed}`);
}
console.log('catalog client                     scenario                     first catching seed: checkers that fired');
console.log(rows.join('\n'));
console.log('\nchecker               catalog clients it catches (client@first seed)');
for (const [checker, clients] of caughtBy) console.log(`  ${checker.padEnd(20)} ${clients.length > 0 ? clients.join(', ') : 'NONE: no catalog client proves this checker'}`);
process.exitCode = [...caughtBy.values()].some((clients) => clients.length === 0) ? 1 : 0;
