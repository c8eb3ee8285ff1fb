// The README's failing example as a new user meets it: the console output of never-pushes-deletes on
// the baseline leads with the cause (resurrection), fits one screen, and is pinned by a snapshot.
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.ts';

/** The one figure that changes from run to run: the wall time. */
const mask = (text: string) => text.replace(/\d+\.\d\ds wall/, 'N.NNs wall');

describe('the first failure a new user reads', () => {
  it('leads with resurrection, fits in 30 lines with the headline, the grouped causes and the replay command, and reads as pinned', async () => {
    const { code, stdout } = await runCli(['run', 'scenarios/baseline.yaml', '--client', 'fixtures/clients/never-pushes-deletes.ts']);
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(30);
    expect(lines[1]).toBe('       replay: npx sync-chaos run scenarios/baseline.yaml --seed 42 --client fixtures/clients/never-pushes-deletes.ts');
    expect(lines[2]).toMatch(/^ {2}\d+ violations on \d+ records: \d+ resurrection · /);
    expect(lines.find((line) => line.includes('✗'))).toMatch(/^ {2}✗ \[resurrection\] folder [0-9a-f]{8}: delete by d2 at 15\.4s \(saved on device, never committed by the server\)/);
    expect(stdout).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(mask(stdout)).toMatchSnapshot();
  });
});
