import { describe, expect, it } from 'vitest';
import { CHECKERS, runChecks, type CheckInput } from '../src/check/index.ts';
import type { CheckName } from '../src/scenario/index.ts';
import { checkDuplicate } from '../src/check/duplicate.ts';
import { checkDurability } from '../src/check/durability.ts';
import { checkHonestStatus } from '../src/check/honest-status.ts';
import { checkIntegrity } from '../src/check/integrity.ts';
import { checkLiveness } from '../src/check/liveness.ts';
import { checkLostWrite } from '../src/check/lost-write.ts';
import { checkResurrection } from '../src/check/resurrection.ts';
import { checkRetryBudget } from '../src/check/retry-budget.ts';
import { device, HistoryBuilder, input, note, serverNote } from './history-builder.ts';

const A = 't:d1:w1';
const kinds = (result: { violations: { kind?: string; checker: string }[] }) => result.violations.map((violation) => violation.kind ?? violation.checker);

/** d1 creates n1 and the server has it; d2 and d1 then both edit its title having seen only the create. */
function concurrentEdits(): HistoryBuilder {
  return new HistoryBuilder()
    .create('d1', { id: 'n1', fields: { title: A } })
    .commit('d1', 'n1', 1, { title: A })
    .update('d2', { id: 'n1', fields: { title: 't:d2:w1' }, seen: [{ title: A }] })
    .update('d1', { id: 'n1', fields: { title: 't:d1:w2' }, seen: [{ title: A }] })
    .commit('d2', 'n1', 2, { title: 't:d2:w1' });
}

describe('the lost-write checker', () => {
  it('calls a concurrent edit that lost without any conflict record silent, naming both writes', () => {
    const result = checkLostWrite(input(concurrentEdits(), [serverNote('n1', { title: 't:d2:w1' }, 2)]));
    expect(kinds(result)).toEqual(['silent']);
    const [violation] = result.violations;
    expect(violation?.record).toEqual({ entity: 'note', id: 'n1' });
    expect(violation?.writes?.map((write) => write.token)).toEqual(['t:d2:w1', 't:d1:w2']);
    expect(violation?.summary).toContain('t:d1:w2');
  });

  it('says a sync on the writer\'s device replaced the write, naming its answers, when that came before the delete it lost to; the class stays silent', () => {
    /** d1 creates n1; d2 edits it over the create, but a concurrent edit by d3 got there first; d1 deletes it later, having seen only d3's edit. */
    const history = (pulled: boolean) => {
      const built = new HistoryBuilder()
        .create('d1', { id: 'n1', fields: { title: A } })
        .commit('d1', 'n1', 1, { title: A })
        .update('d3', { id: 'n1', fields: { title: 't:d3:w1' }, seen: [{ title: A }] })
        .commit('d3', 'n1', 2, { title: 't:d3:w1' })
        .update('d2', { id: 'n1', fields: { title: 't:d2:w1' }, seen: [{ title: A }] })
        .read('d2', [note('n1', { title: 't:d2:w1' }, 'pending')]);
      if (pulled) {
        built
          .push({ t: 7_500, type: 'message', fate: 'delivered', messageId: 1, link: 'd2', direction: 'to-device', label: '200 /v1/pull', sizeBytes: 10 })
          .at(7_500)
          .read('d2', [note('n1', { title: 't:d3:w1' })]);
      }
      return built.delete('d1', { id: 'n1', seen: [{ title: 't:d3:w1' }] }).commit('d1', 'n1', 3, { title: 't:d3:w1' }, true);
    };
    const server = [serverNote('n1', { title: 't:d3:w1' }, 3, true)];
    const replaced = checkLostWrite(input(history(true), server));
    expect(kinds(replaced)).toEqual(['silent']);
    expect(replaced.violations[0]?.summary).toMatch(
      /t:d2:w1 \(update by d2 at 5\.0s, saved on device, never committed by the server\) is lost; a sync replaced it on d2 with t:d3:w1: d2 showed that at 8\.5s, after the answer 200 \/v1\/pull at 7\.5s, before delete by d1 at 9\.5s \(saved on device, committed by the server at 10\.5s\)/,
    );
    expect(replaced.violations[0]?.writes?.map((write) => write.token ?? write.f)).toEqual(['t:d3:w1', 't:d2:w1', 'delete']);
    const notPulled = checkLostWrite(input(history(false), server));
    expect(kinds(notPulled)).toEqual(['silent']);
    expect(notPulled.violations[0]?.summary).toMatch(/is lost; it lost to delete by d1 at /);
  });

  it('calls it overwritten when a client logged the conflict, and accepts that only where the scenario allows it', () => {
    const history = concurrentEdits().log('d1', 'conflict', { id: 'n1', discardedPayloads: [{ title: 't:d1:w2' }] });
    const server = [serverNote('n1', { title: 't:d2:w1' }, 2)];
    expect(kinds(checkLostWrite(input(history, server)))).toEqual(['overwritten']);
    expect(checkLostWrite(input(history, server, [], { allow: ['overwritten'] }))).toEqual({ valid: true, violations: [] });
  });

  it('stays silent when the final value descends from every acknowledged write', () => {
    const history = concurrentEdits()
      .resolve('d1', { id: 'n1', fields: { title: 't:d1:w3' }, seen: [{ title: 't:d1:w2' }, { title: 't:d2:w1' }] })
      .commit('d1', 'n1', 3, { title: 't:d1:w3' });
    expect(checkLostWrite(input(history, [serverNote('n1', { title: 't:d1:w3' }, 3)]))).toEqual({ valid: true, violations: [] });
  });

  it('calls a server that went back to an older version regressed', () => {
    const history = new HistoryBuilder()
      .create('d1', { id: 'n1', fields: { title: A } })
      .commit('d1', 'n1', 1, { title: A })
      .update('d1', { id: 'n1', fields: { title: 't:d1:w2' }, seen: [{ title: A }] })
      .commit('d1', 'n1', 2, { title: 't:d1:w2' })
      .commit('d1', 'n1', 3, { title: A });
    expect(kinds(checkLostWrite(input(history, [serverNote('n1', { title: A }, 3)])))).toEqual(['regressed']);
  });

  /**
   * A server whose commits the history lacks (a server module that never calls `onCommit`): d1 edits n1's title
   * while d2's edit of its body is on the way; the server keeps its own version, with d1's title gone.
   */
  const keptAgainstAnotherField = (logged: boolean) => {
    const history = new HistoryBuilder()
      .create('d1', { id: 'n1', fields: { title: A, body: A } })
      .update('d2', { id: 'n1', fields: { body: 't:d2:w1' }, seen: [{ title: A, body: A }] })
      .update('d1', { id: 'n1', fields: { title: 't:d1:w2' }, seen: [{ title: A, body: A }] });
    return logged ? history.log('d1', 'conflict', { id: 'n1', outcome: 'server-kept', discardedPayloads: [{ title: 't:d1:w2' }] }) : history;
  };

  it('without the server\'s commits, takes a write that lost to the version it was made over for a concurrent loss, not regressed: nothing proves no concurrent change had reached it', () => {
    const server = [serverNote('n1', { title: A, body: 't:d2:w1' }, 2)];
    const external = { commitLog: false, allow: ['overwritten'] };
    expect(checkLostWrite(input(keptAgainstAnotherField(true), server, [], external))).toEqual({ valid: true, violations: [] });
    expect(kinds(checkLostWrite(input(keptAgainstAnotherField(false), server, [], external)))).toEqual(['silent']);
    // with a full commit log and no commits at all, the server turned the write down against no concurrent change
    expect(kinds(checkLostWrite(input(keptAgainstAnotherField(true), server, [], { allow: ['overwritten'] })))).toEqual(['regressed']);
  });

  it('calls an acknowledged create that never reached the server vanished', () => {
    const history = new HistoryBuilder().create('d1', { id: 'n1', fields: { title: A } });
    expect(kinds(checkLostWrite(input(history, [])))).toEqual(['vanished']);
  });

  it('counts an edit a pull replaced before the user edited again as lost, not as an ancestor of the next edit', () => {
    const history = concurrentEdits()
      .update('d1', { id: 'n1', fields: { title: 't:d1:w3' }, seen: [{ title: 't:d2:w1' }] })
      .commit('d1', 'n1', 3, { title: 't:d1:w3' });
    const result = checkLostWrite(input(history, [serverNote('n1', { title: 't:d1:w3' }, 3)]));
    expect(result.violations.map((violation) => violation.writes?.map((write) => write.token))).toEqual([['t:d2:w1', 't:d1:w2']]);
  });

  it('ignores a write whose app died before the call returned', () => {
    const history = new HistoryBuilder().create('d1', { id: 'n1', fields: { title: A }, outcome: 'info' });
    expect(checkLostWrite(input(history, [])).valid).toBe(true);
  });
});

/**
 * policy-manual seed 11, as a history: d4's edit met d1's in a manual conflict; d4's user, shown their own
 * side only, deleted the record. The delete, made on what they saw, lost to d1's edit, logged.
 */
function deletedWhileInConflict(deleteOutcome: 'ok' | 'info' = 'ok'): HistoryBuilder {
  return new HistoryBuilder()
    .create('d1', { id: 'n1', fields: { title: A } })
    .commit('d1', 'n1', 1, { title: A })
    .update('d1', { id: 'n1', fields: { title: 't:d1:w52' }, seen: [{ title: A }] })
    .commit('d1', 'n1', 2, { title: 't:d1:w52' })
    .update('d4', { id: 'n1', fields: { title: 't:d4:w46' }, seen: [{ title: A }] })
    .log('d4', 'conflict', { id: 'n1', outcome: 'inbox', discardedPayloads: [] })
    .delete('d4', { id: 'n1', seen: [{ title: 't:d4:w46' }], outcome: deleteOutcome })
    .log('d4', 'conflict', { id: 'n1', outcome: 'server-kept', discardedPayloads: [{}] });
}

describe('a write its user then deleted', () => {
  it('is superseded by the acknowledged delete even when the delete lost to an edit it never saw; without that delete it is a silent loss', () => {
    const server = [serverNote('n1', { title: 't:d1:w52' }, 2)];
    expect(checkLostWrite(input(deletedWhileInConflict(), server))).toEqual({ valid: true, violations: [] });
    expect(checkLiveness(input(deletedWhileInConflict(), server))).toEqual({ valid: true, violations: [] });
    const unknown = checkLostWrite(input(deletedWhileInConflict('info'), server));
    expect(unknown.violations.map((violation) => [violation.kind, violation.device])).toEqual([['silent', 'd4']]);
  });

  it('leaves the edit the delete never saw a silent loss when the delete wins', () => {
    const history = deletedWhileInConflict().commit('d4', 'n1', 3, { title: 't:d1:w52' }, true);
    const result = checkLostWrite(input(history, [serverNote('n1', { title: 't:d1:w52' }, 3, true)]));
    expect(result.violations.map((violation) => [violation.kind, violation.writes?.map((write) => write.f)])).toEqual([['silent', ['update', 'delete']]]);
  });
});

/**
 * A state-based client's history: d1 edits n1's title twice offline and pushes only the latest state (w3),
 * which meets d2's concurrent edit; the intermediate edit (w2) never reaches the server in any form.
 */
function foldedEdits(logged: boolean): HistoryBuilder {
  const history = new HistoryBuilder()
    .create('d1', { id: 'n1', fields: { title: A } })
    .commit('d1', 'n1', 1, { title: A })
    .update('d1', { id: 'n1', fields: { title: 't:d1:w2' }, seen: [{ title: A }] })
    .update('d1', { id: 'n1', fields: { title: 't:d1:w3' }, seen: [{ title: 't:d1:w2' }] })
    .update('d2', { id: 'n1', fields: { title: 't:d2:w1' }, seen: [{ title: A }] })
    .commit('d2', 'n1', 2, { title: 't:d2:w1' });
  return logged ? history.log('d1', 'conflict', { id: 'n1', outcome: 'server-kept', discardedPayloads: [{ title: 't:d1:w3' }] }) : history;
}

describe('edits folded into one push of the latest state', () => {
  const server = [serverNote('n1', { title: 't:d2:w1' }, 2)];
  /** The write each violation is about: the first of d1's tokens its summary names. */
  const about = (violation: { summary: string }) => /t:d1:w\d+/.exec(violation.summary)?.[0];
  const judged = (logged: boolean) => {
    const lost = checkLostWrite(input(foldedEdits(logged), server)).violations.map((violation) => `${violation.kind} ${about(violation)}`);
    const dropped = checkLiveness(input(foldedEdits(logged), server)).violations.map(about);
    return { lost, dropped };
  };

  it('are judged alike by lost-write and liveness: the intermediate edit shares the fate of the latest, logged as overwritten', () => {
    expect(judged(true)).toEqual({ lost: ['overwritten t:d1:w2', 'overwritten t:d1:w3'], dropped: [] });
    expect(checkLostWrite(input(foldedEdits(true), server, [], { allow: ['overwritten'] })).valid).toBe(true);
  });

  it('are both lost, to both checkers, when no conflict was logged', () => {
    expect(judged(false)).toEqual({ lost: ['silent t:d1:w2', 'silent t:d1:w3'], dropped: ['t:d1:w2', 't:d1:w3'] });
  });
});

describe('the durability checker', () => {
  const saved = () =>
    new HistoryBuilder()
      .create('d1', { id: 'n1', fields: { title: A } })
      .update('d1', { id: 'n1', fields: { title: 't:d1:w2' }, seen: [{ title: A }] })
      .kill('d1')
      .boot('d1');

  it('fires when the app shows an older version after a restart than the one it acknowledged', () => {
    const result = checkDurability(input(saved().read('d1', [note('n1', { title: A }, 'pending')], 'boot'), []));
    expect(result.valid).toBe(false);
    expect(result.violations[0]?.summary).toMatch(/t:d1:w2 .*saved before the app died/);
  });

  it('fires when an acknowledged record is gone after a restart', () => {
    expect(checkDurability(input(saved().read('d1', [], 'boot'), [])).valid).toBe(false);
  });

  it('stays silent when the restarted app shows what it saved', () => {
    const result = checkDurability(input(saved().read('d1', [note('n1', { title: 't:d1:w2' }, 'pending')], 'boot'), []));
    expect(result).toEqual({ valid: true, violations: [] });
  });

  /**
   * The swarm's false alarm (everything.yaml): d2 edits d4's note over t:d4:w13, the server refuses the
   * change and the app shows it failed; a pull then puts the server's version back, and a kill minutes
   * later finds t:d4:w13 on screen. `refusal` is how the app surfaced the refusal.
   */
  const refusedThenReplaced = (refusal: 'logged' | 'shown failed' | 'not at all') => {
    const history = new HistoryBuilder()
      .create('d4', { id: 'n1', fields: { title: 't:d4:w13' } })
      .commit('d4', 'n1', 1, { title: 't:d4:w13' })
      .read('d2', [note('n1', { title: 't:d4:w13' })])
      .update('d2', { id: 'n1', fields: { title: 't:d2:w32' }, seen: [{ title: 't:d4:w13' }] });
    if (refusal === 'logged') history.log('d2', 'change-rejected', { id: 'n1', entity: 'note', reason: 'record n1 was deleted' });
    const status = refusal === 'shown failed' ? 'failed' : 'synced';
    return history
      .read('d2', [note('n1', { title: 't:d4:w13' }, status)])
      .at(464_300)
      .kill('d2')
      .boot('d2')
      .read('d2', [note('n1', { title: 't:d4:w13' }, status)], 'boot');
  };

  it('stays silent when the server refused the write, the app said so, and a newer server version replaced it before the kill', () => {
    expect(checkDurability(input(refusedThenReplaced('logged'), []))).toEqual({ valid: true, violations: [] });
    expect(checkDurability(input(refusedThenReplaced('shown failed'), []))).toEqual({ valid: true, violations: [] });
    const unsurfaced = checkDurability(input(refusedThenReplaced('not at all'), []));
    expect(unsurfaced.violations.map((violation) => violation.summary)).toEqual([
      expect.stringMatching(/t:d2:w32 .*saved before the app died at 7m45s, but at the next launch \(7m47s\) it shows t:d4:w13, an older version/),
    ]);
  });
});

describe('the duplicate checker', () => {
  const created = () => new HistoryBuilder().create('d1', { id: 'n1', fields: { title: A } });

  it('fires when one create became two live records on the server', () => {
    const result = checkDuplicate(input(created(), [serverNote('n1', { title: A }), serverNote('n2', { title: A })]));
    expect(result.violations.map((violation) => violation.summary)).toEqual([expect.stringMatching(/the server holds 2 records \(n1, n2\) made by one create/)]);
  });

  it('stays silent when every create made one record, however edited', () => {
    const history = created().update('d2', { id: 'n1', fields: { title: 't:d2:w1' }, seen: [{ title: A }] });
    expect(checkDuplicate(input(history, [serverNote('n1', { title: 't:d2:w1' })], [device('d1', [note('n1', { title: 't:d2:w1' })])])).valid).toBe(true);
  });
});

describe('the resurrection checker', () => {
  it('fires when a delete that saw every write is undone', () => {
    const history = new HistoryBuilder()
      .create('d1', { id: 'n1', fields: { title: A } })
      .delete('d2', { id: 'n1', seen: [{ title: A }] });
    expect(checkResurrection(input(history, [serverNote('n1', { title: A })])).valid).toBe(false);
  });

  /** d2 deletes n1 having seen only its create, while d3's edit is on the way: the edit wins or loses at the server, by `fate`. */
  const deleteMissingAnEdit = (fate: 'committed' | 'logged' | 'dropped') => {
    const history = new HistoryBuilder()
      .create('d1', { id: 'n1', fields: { title: A } })
      .commit('d1', 'n1', 1, { title: A })
      .update('d3', { id: 'n1', fields: { title: 't:d3:w1' }, seen: [{ title: A }] })
      .delete('d2', { id: 'n1', seen: [{ title: A }] });
    if (fate === 'committed') history.commit('d2', 'n1', 2, { title: A }, true);
    if (fate === 'logged') history.log('d2', 'conflict', { id: 'n1', outcome: 'server-kept', discardedPayloads: [{}] });
    return history.commit('d3', 'n1', 3, { title: 't:d3:w1' });
  };
  const edited = [serverNote('n1', { title: 't:d3:w1' }, 3)];

  it('stays silent when the record came back through an edit the delete never saw, or the delete lost to it at the server and the app logged it', () => {
    expect(checkResurrection(input(deleteMissingAnEdit('committed'), edited)).valid).toBe(true);
    expect(checkResurrection(input(deleteMissingAnEdit('logged'), edited)).valid).toBe(true);
  });

  it('fires when a delete that missed an edit never reached the server and the app said nothing, unless the server under test logs no commits', () => {
    const result = checkResurrection(input(deleteMissingAnEdit('dropped'), edited));
    expect(result.violations.map((violation) => violation.summary)).toEqual([
      expect.stringMatching(/^note n1: delete by d2 at 4\.0s \(saved on device, never committed by the server\) missed an edit, but never reached the server to lose to it there, and the app said nothing: the record is still live on the server, which the delete never reached$/),
    ]);
    expect(checkResurrection(input(deleteMissingAnEdit('dropped'), edited, [], { commitLog: false })).valid).toBe(true);
  });

  it('says live again only where the record had been seen deleted, and still live where the delete never arrived', () => {
    // d2 deletes n1, the server commits the tombstone, d1 stops showing it; then it comes back on the server and on d1, and d3 never lost it
    const history = new HistoryBuilder()
      .create('d1', { id: 'n1', fields: { title: A } })
      .commit('d1', 'n1', 1, { title: A })
      .read('d1', [note('n1', { title: A })])
      .read('d3', [note('n1', { title: A })])
      .delete('d2', { id: 'n1', seen: [{ title: A }] })
      .commit('d2', 'n1', 2, { title: A }, true)
      .read('d1', [])
      .read('d1', [note('n1', { title: A })]);
    const shown = [device('d1', [note('n1', { title: A })]), device('d2', [note('n1', { title: A })]), device('d3', [note('n1', { title: A })])];
    const result = checkResurrection(input(history, [serverNote('n1', { title: A }, 3)], shown));
    expect(result.violations.map((violation) => violation.summary)).toEqual([
      expect.stringMatching(/^note n1: delete by d2 at 5\.0s \(saved on device, committed by the server at 6\.0s\) saw every write to it, yet the record is live again on the server, d1, d2, and still live on d3, which the delete never reached$/),
    ]);
    const neverArrived = checkResurrection(input(new HistoryBuilder().create('d1', { id: 'n1', fields: { title: A } }).delete('d2', { id: 'n1', seen: [{ title: A }] }), [serverNote('n1', { title: A })]));
    expect(neverArrived.violations.map((violation) => violation.summary)).toEqual([expect.stringMatching(/yet the record is still live on the server, which the delete never reached$/)]);
  });
});

describe('the integrity checker', () => {
  const folder = { entity: 'folder' as const, id: 'f1', fields: { name: 't:d1:w1' }, version: 1, deleted: false };

  it('fires on a note whose folder is not there', () => {
    const result = checkIntegrity(input(new HistoryBuilder(), [serverNote('n1', { title: A, folderId: 'f1' })]));
    expect(result.violations.map((violation) => violation.summary)).toEqual(['note n1 on the server points at folder f1, which is not there']);
  });

  it('stays silent when every note has its folder', () => {
    expect(checkIntegrity(input(new HistoryBuilder(), [folder, serverNote('n1', { title: A, folderId: 'f1' })])).valid).toBe(true);
  });
});

describe('the honest-status checker', () => {
  it('fires when a record is shown synced before the server committed that version', () => {
    const history = new HistoryBuilder().create('d1', { id: 'n1', fields: { title: A } }).read('d1', [note('n1', { title: A }, 'synced')]);
    expect(checkHonestStatus(input(history, [])).valid).toBe(false);
  });

  it('stays silent when the server already held that version', () => {
    const history = new HistoryBuilder()
      .create('d1', { id: 'n1', fields: { title: A } })
      .commit('d1', 'n1', 1, { title: A })
      .read('d1', [note('n1', { title: A }, 'synced'), note('n2', { title: 't:d1:w2' }, 'pending')]);
    expect(checkHonestStatus(input(history, [])).valid).toBe(true);
  });
});

describe('the liveness checker', () => {
  it('fires when a device never drained its queue after healing', () => {
    const result = checkLiveness(input(new HistoryBuilder(), [], [device('d1', [note('n1', { title: A }, 'pending')])], { quiesced: false }));
    expect(result.violations.map((violation) => violation.summary)).toEqual([expect.stringMatching(/^d1 never drained/)]);
  });

  it('fires when an acknowledged change never reached the server and was never surfaced', () => {
    const history = new HistoryBuilder().create('d1', { id: 'n1', fields: { title: A } });
    expect(kinds(checkLiveness(input(history, [], [device('d1', [note('n1', { title: A })])])))).toEqual(['liveness']);
  });

  it('does not say a lost change never reached a server that logs no commits, which it cannot know, and leaves the loss to lost-write', () => {
    const history = new HistoryBuilder().create('d1', { id: 'n1', fields: { title: A } });
    const shown = [device('d1', [note('n1', { title: A })])];
    expect(checkLiveness(input(history, [], shown, { commitLog: false })).valid).toBe(true);
    expect(kinds(checkLostWrite(input(history, [], shown, { commitLog: false })))).toEqual(['vanished']);
  });

  it('stays silent when the change was applied, or refused and shown failed', () => {
    const applied = new HistoryBuilder().create('d1', { id: 'n1', fields: { title: A } }).commit('d1', 'n1', 1, { title: A });
    expect(checkLiveness(input(applied, [serverNote('n1', { title: A })])).valid).toBe(true);
    const refused = new HistoryBuilder().create('d1', { id: 'n1', fields: { title: A } });
    expect(checkLiveness(input(refused, [], [device('d1', [note('n1', { title: A }, 'failed')])])).valid).toBe(true);
  });
});

describe('the retry-budget checker', () => {
  const offline = { kind: 'partition' as const, targets: ['d1'], mode: 'drop' as const };
  /** `count` requests while offline, each refused by the device's network as a simulated run records it (the last one `sent`, caught as the link went down). */
  const attempts = (count: number) => {
    const history = new HistoryBuilder().fault('start', 1, offline);
    for (let index = 0; index < count; index++) history.message('d1', index === count - 1 ? 'sent' : 'refused');
    return history.fault('stop', 1, offline);
  };

  it('fires when a device tries more requests in an hour offline than its budget, counting the ones its network refused', () => {
    const result = checkRetryBudget(input(attempts(5), [], [], { retryBudgetPerHour: 3 }));
    expect(result.violations.map((violation) => violation.summary)).toEqual([expect.stringMatching(/^d1 tried 5 requests while offline/)]);
  });

  it('stays silent within the budget, and does not count requests the user asked for', () => {
    expect(checkRetryBudget(input(attempts(3), [], [], { retryBudgetPerHour: 3 })).valid).toBe(true);
    const history = attempts(3);
    history.events.splice(2, 0, { t: 1500, type: 'invoke', process: 'd1', op: 1, f: 'refresh' });
    history.events.splice(4, 0, { t: 2500, type: 'ok', process: 'd1', op: 1, f: 'refresh' });
    expect(checkRetryBudget(input(history, [], [], { retryBudgetPerHour: 2 })).valid).toBe(true);
  });
});

describe('running checkers by name', () => {
  /** n1 committed with A; d1 then saves B, yet its next look shows A, and d2 shows a value as synced that the server never committed. */
  function misreadHistory(): CheckInput {
    const history = new HistoryBuilder()
      .create('d1', { id: 'n1', fields: { title: A } })
      .commit('d1', 'n1', 1, { title: A })
      .update('d1', { id: 'n1', fields: { title: 't:d1:w2' }, seen: [{ title: A }] })
      .read('d1', [note('n1', { title: A })])
      .read('d2', [note('n1', { title: 't:d1:w9' })]);
    return input(history, [serverNote('n1', { title: A })], [device('d1', [note('n1', { title: A })]), device('d2', [note('n1', { title: A })])], { retryBudgetPerHour: 5 });
  }

  /** The log of `base`, counting the passes made over it; the passes from `failFrom` on fail as a log read back from a vanished disk would. */
  function countedLog(base: CheckInput, failFrom = Number.POSITIVE_INFINITY): { input: CheckInput; passes: () => number } {
    let passes = 0;
    const events = {
      [Symbol.iterator]: () => {
        passes++;
        if (passes >= failFrom) throw new Error('the spilled log is gone');
        return base.events[Symbol.iterator]();
      },
    };
    return { input: { ...base, events }, passes: () => passes };
  }

  it('reads the log twice in all, the shared index then every folding checker at once, and judges as each checker does on its own', () => {
    const names = Object.keys(CHECKERS) as CheckName[];
    const alone = Object.fromEntries(names.map((name) => [name, CHECKERS[name](misreadHistory())]));
    const { input: counted, passes } = countedLog(misreadHistory());
    const together = runChecks(names, counted);
    expect(passes()).toBe(2);
    expect(together).toEqual(alone);
    expect(Object.keys(together)).toEqual(names);
    expect(names.filter((name) => together[name]?.valid === false)).toEqual(expect.arrayContaining(['honest-status', 'read-your-writes']));
  });

  it('makes every folding checker unknown when the log cannot be read back, and still judges the others', () => {
    const { input: counted } = countedLog(misreadHistory(), 2);
    const results = runChecks(['honest-status', 'read-your-writes', 'duplicate', 'divergence'], counted);
    expect(results['honest-status']).toEqual({ valid: 'unknown', violations: [], error: 'the spilled log is gone' });
    expect(results['read-your-writes']?.valid).toBe('unknown');
    expect(results.duplicate?.valid).toBe(true);
    expect(results.divergence?.valid).toBe(true);
  });

  it('turns a checker that throws into unknown for that checker alone', () => {
    const broken = { events: null, server: [], devices: [] } as unknown as Parameters<typeof runChecks>[1];
    const results = runChecks(['lost-write', 'integrity'], broken);
    expect(results['lost-write']?.valid).toBe('unknown');
    expect(results.integrity?.valid).toBe(true);
  });
});
