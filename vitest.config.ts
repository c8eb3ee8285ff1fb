// Test runner settings, in three projects: `unit` (checkers, the kernel, scenarios, the fenced database, the
// reference stack, the layering and determinism guards; `npm run test:unit`), `e2e` (the real CLI in child
// processes, whole simulated runs, the fault tests' runs among them, real sockets, the browser) and `package`
// (the packed tarball installed into scratch apps, which compiles better-sqlite3 there: minutes each;
// `npm run test:package`, which .ci/run runs after `npm test`). `npm test` runs unit and e2e. End-to-end tests take a second or two each on a loaded two-core machine, so the per-test limit
// is generous. Two workers even on two cores: much of the suite waits on child processes (390 s with one,
// 325 s with two). Type-only tests are `*.test-d.ts`, checked by tsc in the unit project's typecheck mode.
// The global setup builds dist/ first when src/ changed, since bin/sync-chaos runs the compiled CLI.
import { defineConfig } from 'vitest/config';

/** The tests of the packed package in a scratch app: each installs the tarball, compiling better-sqlite3. */
const PACKAGE = 'test/package-*.test.ts';

/** The end-to-end test files; every other test file but the package's is a unit test. */
const E2E = [
  'test/cli-*.test.ts',
  'test/bug-catalog.test.ts',
  'test/shipped-scenarios.test.ts',
  'test/example-adapter.test.ts',
  'test/reference-stack-matrix.test.ts',
  'test/upgrade-fault.test.ts',
  'test/faults-*.test.ts',
  'test/shrink.test.ts',
  'test/report-html-browser.test.ts',
  'test/report-merge.test.ts',
  'test/report-metrics.test.ts',
  'test/report-redaction.test.ts',
  'test/http-*.test.ts',
  'test/conformance.test.ts',
  'test/quiescence-timeout.test.ts',
  'test/push-pokes.test.ts',
  'test/run-phases.test.ts',
  'test/pouchdb-example.test.ts',
  'test/yjs-example.test.ts',
  'test/automerge-example.test.ts',
  'test/link-proxy.test.ts',
  'test/run-bounds.test.ts',
  'test/cli-small-things.test.ts',
  'test/virtual-globals.test.ts',
  'test/routed-websockets.test.ts',
  'test/server-adapter-restart.test.ts',
];

export default defineConfig({
  test: {
    globalSetup: ['test/build-dist.ts'],
    testTimeout: 60_000,
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...E2E, PACKAGE],
          typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: 'tsconfig.json' },
        },
      },
      { extends: true, test: { name: 'e2e', include: E2E } },
      { extends: true, test: { name: 'package', include: [PACKAGE], testTimeout: 1_800_000, hookTimeout: 1_800_000 } },
    ],
  },
});
