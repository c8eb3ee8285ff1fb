// The `Scenario` type the simulator sees, inferred from the zod schema: checked by tsc in vitest's typecheck
// mode (the unit project runs every *.test-d.ts), so a schema change that alters the type fails `npm test`.
import { expectTypeOf, it } from 'vitest';
import type { NemesisSettings, ScheduledFault } from '../src/scenario/fault-specs.ts';
import type { CheckName, Scenario } from '../src/scenario/index.ts';
import type { Thresholds } from '../src/scenario/thresholds.ts';

it('infers exactly the documented Scenario type from the schema', () => {
  expectTypeOf<Scenario>().toEqualTypeOf<{
    name: string;
    description?: string;
    seed: number;
    devices: number;
    durationMs: number;
    quiesceTimeoutMs: number;
    resumeMs: number;
    system: {
      client: string;
      server: 'reference' | { url: string; token?: string | Record<string, string> } | { adapter: string };
      transport: 'simulated' | 'http';
      timeScale: number;
      conflict: 'server-wins' | 'lww' | 'field-merge' | 'manual';
      ordering: 'dependency' | 'serial' | 'parallel';
      batchSize: number;
      syncIntervalMs: number;
      debounceMs: number;
      retry: { baseMs: number; maxMs: number; budgetPerHour: number };
      requestTimeoutMs: number;
      pokes: boolean;
      globals?: 'virtual' | 'real';
    };
    network: { latencyMsMin: number; latencyMsMax: number };
    workload: {
      ratePerSecond: number;
      mix: { create: number; update: number; delete: number; refresh: number };
      contention: number;
      noteShare: number;
      resolveDelayMsMin: number;
      resolveDelayMsMax: number;
    };
    faults: ScheduledFault[];
    nemesis?: NemesisSettings;
    checks: CheckName[];
    allow: ('overwritten' | 'reinstall')[];
    thresholds: Thresholds;
  }>();
});
