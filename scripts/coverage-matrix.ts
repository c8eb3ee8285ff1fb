// The coverage matrix: which checker catches which catalog client in a real simulated run of a shipped
// scenario, and at which seed. Runs each client's seed search (stopping at its first catching seed, at
// most SEED_BUDGET seeds) and prints one row per checker; a checker no client proves is printed as such.
// Then the detection figures: per client, the first catching seed and the CPU seconds its search took,
// on the catalog scenario that caught it fastest (a client with entries on several scenarios has a row per entry).
// It fails (exit 1) on a checker no client proves, and on an entry whose recorded firstSeed is not the first
// catching seed it found (test/bug-catalog.test.ts runs each entry at that seed alone): re-record it then.
import { CHECKERS } from '../src/check/index.ts';
import { CATALOG, firstCatch, SEED_BUDGET, type CatalogEntry } from '../fixtures/clients/catalog.ts';

interface Detection {
  entry: CatalogEntry;
  seed: number | undefined;
  seedsRun: number;
  cpuSeconds: number;
}

const caughtBy = new Map<string, string[]>(Object.keys(CHECKERS).map((checker) => [checker, []]));
const rows: string[] = [];
const detections: Detection[] = [];
for (const entry of CATALOG) {
  const started = process.cpuUsage();
  let seedsRun = 0;
  const caught = await firstCatch(entry, () => seedsRun++);
  const used = process.cpuUsage(started);
  detections.push({ entry, seed: caught?.run.seed, seedsRun, cpuSeconds: (used.user + used.system) / 1e6 });
  rows.push(`  ${entry.client.padEnd(34)} ${entry.scenario.padEnd(28)} ${caught ? `seed ${caught.run.seed}: ${caught.checkers.join(', ')}` : `not caught in ${SEED_BUDGET} seeds`}`);
  for (const checker of caught?.checkers ?? []) caughtBy.get(checker)?.push(`${entry.client.replace(/\.ts$/, '')}@${caught!.run.seed}`);
}
console.log('catalog client                     scenario                     first catching seed: checkers that fired');
console.log(rows.join('\n'));
console.log('\nchecker               catalog clients it catches (client@first seed)');
for (const [checker, clients] of caughtBy) console.log(`  ${checker.padEnd(20)} ${clients.length > 0 ? clients.join(', ') : 'NONE: no catalog client proves this checker'}`);

console.log('\ndetection figures: CPU seconds from the first seed to the first detection (* the fastest scenario of a client with several)');
console.log('  catalog client                     scenario                     checker              first seed  seeds run  CPU s');
const fastest = new Map<string, Detection>();
for (const detection of detections) {
  const known = fastest.get(detection.entry.client);
  if (detection.seed !== undefined && (!known || detection.cpuSeconds < known.cpuSeconds)) fastest.set(detection.entry.client, detection);
}
for (const detection of detections) {
  const { entry, seed, seedsRun, cpuSeconds } = detection;
  const several = detections.filter((other) => other.entry.client === entry.client).length > 1;
  const mark = several && fastest.get(entry.client) === detection ? '*' : ' ';
  const first = seed === undefined ? 'none' : String(seed);
  console.log(`${mark} ${entry.client.padEnd(34)} ${entry.scenario.padEnd(28)} ${entry.checker.padEnd(20)} ${first.padStart(10)}  ${String(seedsRun).padStart(9)}  ${cpuSeconds.toFixed(1).padStart(5)}`);
}
const total = detections.reduce((sum, detection) => sum + detection.cpuSeconds, 0);
console.log(`  total CPU: ${total.toFixed(1)} s over ${detections.reduce((sum, detection) => sum + detection.seedsRun, 0)} runs`);
const misrecorded = detections.filter(({ entry, seed }) => seed !== entry.firstSeed);
for (const { entry, seed } of misrecorded) {
  console.log(`\nfixtures/clients/catalog.ts records firstSeed ${entry.firstSeed} for ${entry.client} in ${entry.scenario}; the first catching seed is ${seed ?? 'none'}: re-record it`);
}
process.exitCode = [...caughtBy.values()].some((clients) => clients.length === 0) || misrecorded.length > 0 ? 1 : 0;
