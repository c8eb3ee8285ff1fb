// The `github` reporter against GitHub's workflow-command format: `::error key=value,…::message`, where
// the message escapes % \r \n as %25 %0D %0A and each property value also : and , as %3A and %2C.
import { describe, expect, it } from 'vitest';
import type { CaseReport } from '../src/report/case.ts';
import { annotations, githubReporter, type GithubEnvironment } from '../src/report/github.ts';
import { RunFolder } from '../src/report/run-folder.ts';

/** An `::error` command split by the format's rules; throws on anything the format does not allow. */
function parseCommand(line: string): { command: string; properties: Record<string, string>; message: string } {
  const match = /^::([a-z]+) ([^:]*)::(.*)$/s.exec(line);
  if (!match) throw new Error(`not a workflow command with properties: ${line}`);
  const [, command, shown, message] = match as unknown as [string, string, string, string];
  expect(message).not.toMatch(/[\r\n]/);
  expect(message.replace(/%(25|0D|0A)/g, '')).not.toContain('%');
  const properties = Object.fromEntries(
    shown.split(',').map((pair) => {
      const [key, value, ...rest] = pair.split('=');
      expect(rest, `one = in ${pair}`).toEqual([]);
      expect(value).not.toMatch(/[\r\n:,]/);
      expect(value!.replace(/%(25|0D|0A|3A|2C)/g, '')).not.toContain('%');
      return [key, unescape(value!)];
    }),
  );
  return { command, properties, message: unescape(message) };
}

function unescape(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
}

const ID = '558ad0df-10a6-42e0-90b6-34e3544f8fa4';

function failing(): CaseReport {
  return {
    scenario: 'odd: name, 100%',
    file: 'scenarios/odd, 100%: name.yaml',
    seed: 7,
    verdict: 'fail',
    eventLogHash: '0123456789abcdef',
    counts: { devices: 1, writes: 1, acknowledged: 1, resumeWrites: 0, resumeAcknowledged: 0, unknownOutcome: 0, conflicts: 0, syncRequests: 1, messages: 2, events: 3 },
    metrics: { conflictsByPolicy: {}, peakQueueDepth: 1, retries: 0, wire: { messages: 2, bytes: 10, dropped: 0 } },
    simulatedMs: 1000,
    wallMs: 5,
    quiesced: true,
    checks: { divergence: { valid: false }, resurrection: { valid: false } },
    violations: [
      { checker: 'divergence', summary: `note ${ID}: field title is "50%\r\nrest" on d1, but "a,b:c" on the server`, record: { entity: 'note', id: ID }, device: 'd1' },
      { checker: 'resurrection', summary: `note ${ID}: delete by d2 at 15.4s (saved on device, never committed by the server) saw every write to it`, record: { entity: 'note', id: ID } },
    ],
    drawnFaults: [],
    swarm: false,
    replay: 'npx sync-chaos run scenarios/odd.yaml --seed 7',
  };
}

describe('the github reporter', () => {
  it('writes one ::error per violation, root cause first, pointing at the scenario line and naming the checker, escaped as the format requires', () => {
    const report = failing();
    const lines = annotations(report, 2);
    expect(lines).toHaveLength(2);
    const [cause, consequence] = lines.map(parseCommand);
    expect(cause).toEqual({
      command: 'error',
      properties: { file: 'scenarios/odd, 100%: name.yaml', line: '2', title: 'sync-chaos [resurrection] odd: name, 100% seed 7' },
      message: 'note 558ad0df: delete by d2 at 15.4s (saved on device, never committed by the server) saw every write to it\nreplay: npx sync-chaos run scenarios/odd.yaml --seed 7',
    });
    expect(consequence!.properties.title).toBe('sync-chaos [divergence] odd: name, 100% seed 7');
    expect(consequence!.message).toBe(
      'note 558ad0df: field title is "50%\r\nrest" on d1, but "a,b:c" on the server\nfollows from [resurrection] note 558ad0df: delete by d2 at 15.4s (saved on device, never committed by the server) saw every write to it\nreplay: npx sync-chaos run scenarios/odd.yaml --seed 7',
    );
    expect(lines[1]).toContain('"50%25%0D%0Arest"');
    expect(lines[0]).toContain('file=scenarios/odd%2C 100%25%3A name.yaml,line=2,title=sync-chaos [resurrection] odd%3A name%2C 100%25 seed 7::');
  });

  it('writes nothing for a passing case and one ::error for a crash', () => {
    expect(annotations({ ...failing(), verdict: 'pass', violations: [] }, 1)).toEqual([]);
    const [crash] = annotations({ ...failing(), verdict: 'error', violations: [], error: { message: 'adapter bug: 100%\nbroken' } }, 1).map(parseCommand);
    expect(crash?.properties.title).toBe('sync-chaos: the system under test failed (odd: name, 100% seed 7)');
    expect(crash?.message).toBe('adapter bug: 100%\nbroken\nreplay: npx sync-chaos run scenarios/odd.yaml --seed 7');
  });

  it("points at the scenario's name: line, appends the step summary when $GITHUB_STEP_SUMMARY is set, and leaves it alone when not", () => {
    const printed: string[] = [];
    const appended: [string, string][] = [];
    const environment = (stepSummary?: string): GithubEnvironment => ({
      ...(stepSummary && { stepSummary }),
      readScenario: () => '# yaml-language-server: $schema=x\n\nname: odd\nseed: 7\n',
      appendSummary: (file, text) => appended.push([file, text]),
    });
    const run = { startedAt: '2026-12-01T00:00:00.000Z', command: { files: [], flags: {} }, folder: new RunFolder('/nonexistent', 'run'), write: (text: string) => printed.push(text) };
    const end = { reason: 'done' as const, planned: 1 };
    const reporter = githubReporter(run, environment('/tmp/step-summary.md'));
    reporter.onCase?.(failing());
    reporter.onRunEnd?.([failing()], end);
    expect(printed.map((line) => parseCommand(line).properties.line)).toEqual(['3', '3']);
    expect(appended).toHaveLength(1);
    expect(appended[0]![0]).toBe('/tmp/step-summary.md');
    expect(appended[0]![1]).toMatch(/^## ❌ sync-chaos: 1 failed, 0 crashed, 0 passed \(1 case\)\n/);
    expect(appended[0]![1]).toContain('  - **[resurrection]** note 558ad0df: delete by d2');
    expect(appended[0]![1]).not.toContain('Run `');

    appended.length = 0;
    githubReporter(run, environment()).onRunEnd?.([failing()], end);
    expect(appended).toEqual([]);
  });
});
