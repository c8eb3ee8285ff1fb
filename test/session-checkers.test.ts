import { describe, expect, it } from 'vitest';
import { checkLiveness } from '../src/check/liveness.ts';
import { checkMonotonicReads } from '../src/check/monotonic-reads.ts';
import { checkReadYourWrites } from '../src/check/read-your-writes.ts';
import { checkWritesFollowReads } from '../src/check/writes-follow-reads.ts';
import { device, HistoryBuilder, input, note, serverNote } from './history-builder.ts';

const A = 't:d1:w1';
const B = 't:d1:w2';

/** d1 creates n1 and then retitles it over what it saw. */
function edited(): HistoryBuilder {
  return new HistoryBuilder()
    .create('d1', { id: 'n1', fields: { title: A, body: A } })
    .update('d1', { id: 'n1', fields: { title: B }, seen: [{ title: A, body: A }] });
}

describe('the read-your-writes checker', () => {
  it('fires when a read after an acknowledged edit shows the older value, naming the device and the write', () => {
    const result = checkReadYourWrites(input(edited().read('d1', [note('n1', { title: A, body: A })]), []));
    expect(result.violations.map((violation) => [violation.device, violation.writes?.[0]?.token])).toEqual([['d1', B]]);
  });

  it("takes the device's own later delete as its latest word: a record it comes back with is not a missing edit", () => {
    const back = (history: HistoryBuilder) => history.commit('d2', 'n1', 2, { title: 't:d2:w1', body: A }).read('d1', [note('n1', { title: 't:d2:w1', body: A })]);
    expect(checkReadYourWrites(input(back(edited().delete('d1', { id: 'n1', seen: [{ title: B, body: A }] })), [])).valid).toBe(true);
    expect(checkReadYourWrites(input(back(edited()), [])).violations.map((violation) => violation.writes?.[0]?.token)).toEqual([B]);
  });

  it('stays silent when reads show the edit, or a logged conflict replaced it', () => {
    expect(checkReadYourWrites(input(edited().read('d1', [note('n1', { title: B, body: A })]), [])).valid).toBe(true);
    const replaced = edited().log('d1', 'conflict', { id: 'n1', discardedPayloads: [{ title: B }] }).read('d1', [note('n1', { title: A, body: A })]);
    expect(checkReadYourWrites(input(replaced, [])).valid).toBe(true);
  });
});

describe("the read-your-writes checker on a replacement another device's app logs after the read", () => {
  const C = 't:d2:w1';
  /** d1's retitle reaches the server; d2's concurrent retitle, made on the create, is applied over it there (as LWW does). */
  const replacedOnServer = () => edited().commit('d1', 'n1', 2, { title: B, body: A }).update('d2', { id: 'n1', fields: { title: C }, seen: [{ title: A, body: A }] }).commit('d2', 'n1', 3, { title: C, body: A });
  const replacedBy = { id: 'n1', outcome: 'applied-over-concurrent', replacedPayload: { title: B } };
  const violated = (history: HistoryBuilder) => checkReadYourWrites(input(history, [])).violations.map((violation) => [violation.device, violation.writes?.[0]?.token]);

  it('stays silent when the server had replaced the edit by the read (policy-lww seed 74: the winner logs it when its answer arrives)', () => {
    expect(violated(replacedOnServer().read('d1', [note('n1', { title: C, body: A })]).log('d2', 'conflict', replacedBy))).toEqual([]);
  });

  it('fires when the device showed its edit gone before the server replaced it', () => {
    const history = edited().commit('d1', 'n1', 2, { title: B, body: A }).read('d1', [note('n1', { title: A, body: A })]);
    const replacedAfter = history.update('d2', { id: 'n1', fields: { title: C }, seen: [{ title: A, body: A }] }).commit('d2', 'n1', 3, { title: C, body: A }).log('d2', 'conflict', replacedBy);
    expect(violated(replacedAfter)).toEqual([['d1', B]]);
  });

  it("fires when only the device's own app owns up, after the read", () => {
    expect(violated(replacedOnServer().read('d1', [note('n1', { title: C, body: A })]).log('d1', 'conflict', replacedBy))).toEqual([['d1', B]]);
  });
});

describe('the monotonic-reads checker', () => {
  it('fires when a device goes back to an ancestor of a value it already showed', () => {
    const history = edited().read('d2', [note('n1', { title: B, body: A })]).read('d2', [note('n1', { title: A, body: A })]);
    expect(checkMonotonicReads(input(history, [])).violations.map((violation) => violation.summary)).toEqual([
      expect.stringMatching(/field title on d2 went back from t:d1:w2 .* to its ancestor t:d1:w1/),
    ]);
  });

  it("takes the device's own delete as its latest word: a record it comes back with, in the version that beat the delete, is no step back", () => {
    // policy-manual seed 5: d2 showed its own edit, deleted the record, and the delete lost to a concurrent edit of another field
    const back = (history: HistoryBuilder) => history.read('d2', [note('n1', { title: A, body: 't:d3:w1' })]);
    const shownThenDeleted = edited()
      .update('d2', { id: 'n1', fields: { title: 't:d2:w1' }, seen: [{ title: A, body: A }] })
      .read('d2', [note('n1', { title: 't:d2:w1', body: A }, 'conflict')])
      .delete('d2', { id: 'n1', seen: [{ title: 't:d2:w1', body: A }] })
      .read('d2', []);
    expect(checkMonotonicReads(input(back(shownThenDeleted), [])).valid).toBe(true);
    const shownOnly = edited()
      .update('d2', { id: 'n1', fields: { title: 't:d2:w1' }, seen: [{ title: A, body: A }] })
      .read('d2', [note('n1', { title: 't:d2:w1', body: A }, 'conflict')]);
    expect(checkMonotonicReads(input(back(shownOnly), [])).violations.map((violation) => violation.summary)).toEqual([
      expect.stringMatching(/field title on d2 went back from t:d2:w1 .* to its ancestor t:d1:w1/),
    ]);
  });

  it('stays silent when values only move forward or sideways to a concurrent one', () => {
    const history = edited()
      .update('d2', { id: 'n1', fields: { title: 't:d2:w1' }, seen: [{ title: A, body: A }] })
      .read('d3', [note('n1', { title: A, body: A })])
      .read('d3', [note('n1', { title: B, body: A })])
      .read('d3', [note('n1', { title: 't:d2:w1', body: A })]);
    expect(checkMonotonicReads(input(history, [])).valid).toBe(true);
  });
});

describe('the writes-follow-reads checker', () => {
  /** d1 edits the body; d2 sees that and retitles. */
  const derived = () =>
    new HistoryBuilder()
      .create('d1', { id: 'n1', fields: { title: A, body: A } })
      .update('d1', { id: 'n1', fields: { body: B }, seen: [{ title: A, body: A }] })
      .update('d2', { id: 'n1', fields: { title: 't:d2:w1' }, seen: [{ title: A, body: B }] });

  it('fires when a device shows a write without the value its writer had seen', () => {
    const result = checkWritesFollowReads(input(derived().read('d3', [note('n1', { title: 't:d2:w1', body: A })]), []));
    expect(result.violations.map((violation) => violation.writes?.map((write) => write.token))).toEqual([['t:d2:w1', B]]);
  });

  it('stays silent when the cause comes along with the effect', () => {
    expect(checkWritesFollowReads(input(derived().read('d3', [note('n1', { title: 't:d2:w1', body: B })]), [])).valid).toBe(true);
  });
});

describe('the resume phase in the liveness checker', () => {
  const resumed = () =>
    new HistoryBuilder()
      .at(600_000)
      .push({ t: 600_000, type: 'phase', phase: 'resume' })
      .create('d1', { id: 'n1', fields: { title: A } })
      .commit('d1', 'n1', 1, { title: A });

  it('fires when a write made after every fault healed reached the server but not another device', () => {
    const result = checkLiveness(input(resumed(), [serverNote('n1', { title: A })], [device('d1', [note('n1', { title: A })]), device('d2')]));
    expect(result.violations.map((violation) => [violation.kind, violation.device])).toEqual([['resume', 'd2']]);
  });

  it('stays silent when every device has it', () => {
    const devices = [device('d1', [note('n1', { title: A })]), device('d2', [note('n1', { title: A })])];
    expect(checkLiveness(input(resumed(), [serverNote('n1', { title: A })], devices)).valid).toBe(true);
  });
});
