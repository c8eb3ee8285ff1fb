import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { foreignValues, hashOf, redactSummary, redactViolations, writtenValues } from '../src/report/redact.ts';
import type { HistoryEvent } from '../src/history/events.ts';
import { runCli } from './cli-helpers.ts';
import { SIGNATURE } from './fixtures/signs-notes.ts';

const CLIENT = 'test/fixtures/signs-notes.ts';

describe('report redaction', () => {
  it('keeps the values the simulated users wrote and hashes every other quoted value', () => {
    const events: HistoryEvent[] = [
      { t: 1, type: 'invoke', process: 'd1', op: 1, f: 'create', entity: 'note', fields: { title: 't:d1:w1', body: 't:d1:w1', folderId: 'f-1' } },
      { t: 2, type: 'ok', process: 'd1', op: 1, f: 'create', entity: 'note', id: 'n-1', fields: { title: 't:d1:w1', body: null } },
      { t: 3, type: 'message', fate: 'sent', messageId: 1, link: 'd1', direction: 'to-server', label: 'push', sizeBytes: 10 },
    ];
    const known = writtenValues(events);
    expect([...known].sort()).toEqual(['f-1', 't:d1:w1']);
    const summary = 'note n-1: field body is "Dear \\"diary\\"" on d1 but "t:d1:w1" on the server; folder "f-1"';
    expect(redactSummary(summary, known)).toBe(`note n-1: field body is ${hashOf('Dear "diary"')} on d1 but "t:d1:w1" on the server; folder "f-1"`);
    expect(hashOf('Dear "diary"')).toMatch(/^sha256:[0-9a-f]{8}$/);
    expect(hashOf('a')).not.toBe(hashOf('b'));
  });

  it('also hashes a value a device showed or the server held, where a summary names it without quotes', () => {
    const events: HistoryEvent[] = [
      { t: 1, type: 'invoke', process: 'd1', op: 1, f: 'create', entity: 'note', fields: { title: 't:d1:w1' } },
      { t: 2, type: 'read', process: 'd1', at: 'user', records: [{ entity: 'note', id: 'n1', fields: { title: 'Dear diary (1+1)', body: null } }] },
    ];
    const known = writtenValues(events);
    const foreign = foreignValues(events, [{ fields: { title: 'server side' } }, { fields: { title: 't:d1:w1' } }], known);
    expect([...foreign].sort()).toEqual(['Dear diary (1+1)', 'server side']);
    const [violation] = redactViolations([{ checker: 'x', summary: 'n1 shows Dear diary (1+1), not t:d1:w1; the server side holds server side' }], known, foreign);
    expect(violation!.summary).toBe(`n1 shows ${hashOf('Dear diary (1+1)')}, not t:d1:w1; the ${hashOf('server side')} holds ${hashOf('server side')}`);
  });

  it('shows text a client made up only as a hash in every report, unless --show-payloads', async () => {
    const redacted = await runCli(['run', 'scenarios/baseline.yaml', '--client', CLIENT, '--reporter', 'json', '--reporter', 'markdown', '--reporter', 'junit']);
    expect(redacted.code).toBe(1);
    const report = JSON.parse(redacted.stdout);
    const violations: { checker: string; summary: string }[] = report.cases[0].violations;
    const summaries = violations.filter((violation) => violation.checker === 'divergence').map((violation) => violation.summary);
    expect(summaries.length).toBeGreaterThan(0);
    for (const summary of summaries) expect(summary).toMatch(/field body is sha256:[0-9a-f]{8} on d\d but "t:d\d:w\d+" on the server/);
    const folder = /^reports: (.+)$/m.exec(redacted.stderr)![1]!;
    for (const file of ['report.json', 'summary.md', 'junit.xml']) expect(readFileSync(`${folder}/${file}`, 'utf8')).not.toContain(SIGNATURE.trim());

    const shown = await runCli(['run', 'scenarios/baseline.yaml', '--client', CLIENT, '--reporter', 'json', '--show-payloads']);
    const shownReport = JSON.parse(shown.stdout);
    expect(shownReport.command.flags.showPayloads).toBe(true);
    expect(shownReport.cases[0].eventLogHash).toBe(report.cases[0].eventLogHash);
    expect(shownReport.cases[0].violations.find((violation: { checker: string }) => violation.checker === 'divergence').summary).toContain(`${SIGNATURE}" on d`);
  });
});
