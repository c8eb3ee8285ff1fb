// Lost writes, as DESIGN §7 classifies them (src/check/judgement.ts): every acknowledged write whose
// value is not the final one is superseded (fine), kept in a reachable conflict (fine), overwritten (a
// logged conflict; fine only where the scenario allows it), silent, regressed or vanished (always violations).
import { clockTime } from '../history/clock-time.ts';
import { isToken } from '../history/tokens.ts';
import { type Write } from './causality.ts';
import { causalityOf, historyIndexOf } from './history-index.ts';
import { faultsDuring, type FaultSpan } from '../history/fault-spans.ts';
import { describeWrite, writeRef } from './evidence.ts';
import { classifyWrites, LOSSES, type Classified } from './judgement.ts';
import type { CheckInput, CheckResult, Violation } from './types.ts';

export function checkLostWrite(input: CheckInput): CheckResult {
  const allowed = new Set(input.allow ?? []);
  const spans = input.faultSpans;
  const { lastCommitMs } = historyIndexOf(input.events);
  const violations = classifyWrites(input)
    .filter((entry) => LOSSES.has(entry.class) && !allowed.has(entry.class))
    .map((entry) => violation(entry, spans, lastCommitMs.get(entry.write.id as string), replacementOf(input, entry)));
  return { valid: violations.length === 0, violations };
}

const EXPLANATIONS: Record<string, string> = {
  reinstall: 'the app was deleted and installed again before the write reached the server, and this scenario\'s `allow:` does not accept writes lost that way (`allow: [reinstall]` does)',
  overwritten: 'a concurrent change won; the conflict was logged but the value is gone, and this scenario\'s `allow:` does not accept logged overwrites (`allow: [overwritten]` does, for a policy that settles concurrent edits by keeping one side)',
  silent: 'a concurrent change won and nothing recorded a conflict',
  regressed: 'an older version this write was made over won: the server went back, or kept it against no concurrent change',
  vanished: 'no write or delete explains its disappearance',
};

function violation(entry: Classified, spans: readonly FaultSpan[], lastCommitMs: number | undefined, replaced: Replacement | undefined): Violation {
  const { write, field, winner } = entry;
  const involved = [write, ...(winner ? [winner] : []), ...(replaced?.by && replaced.by !== winner ? [replaced.by] : [])].sort((a, b) => a.atMs - b.atMs);
  const fromMs = Math.min(...involved.map((each) => each.atMs));
  const toMs = Math.max(lastCommitMs ?? 0, ...involved.map((each) => each.doneMs ?? each.atMs));
  const won = !winner ? '' : replaced ? `; ${replacedWords(write.device, replaced)}, before ${describeWrite(winner)}` : `; ${entry.class === 'regressed' ? 'the server went back to' : 'it lost to'} ${describeWrite(winner)}`;
  return {
    checker: 'lost-write',
    kind: entry.class,
    summary: `${entry.class}: ${write.entity ?? 'record'} ${write.id} field ${field}: ${describeWrite(write)} is lost${won} — ${EXPLANATIONS[entry.class]}`,
    record: { entity: write.entity ?? 'record', id: write.id as string },
    device: write.device,
    writes: involved.map((each) => writeRef(each, each.f === 'delete' ? undefined : field)),
    faults: faultsDuring(spans, fromMs, toMs),
  };
}

/** Where the writer's own device replaced the write at a sync, before the named winner could have reached it. */
interface Replacement {
  /** The read that first showed the field without the write. */
  shownMs: number;
  /** What it showed instead: a token, or nothing when the record was gone. */
  shown?: string;
  /** The write that produced what it showed, if a user's did. */
  by?: Write;
  /** The answers the device got from the server since its last read that still showed the write. */
  answers: { atMs: number; label: string }[];
}

/**
 * The evidence that a sync, not the named winner, took the write away: the writer's device showed the
 * field without it (a look after the save) before the winner reached the server (a write of another
 * device, committed later or never). Only the message changes with it, never the class.
 */
function replacementOf(input: CheckInput, entry: Classified): Replacement | undefined {
  const { write, field, winner } = entry;
  if (!winner || winner.device === write.device || entry.class === 'regressed') return undefined;
  const causality = causalityOf(input.events);
  const untilMs = winner.committedMs ?? Number.POSITIVE_INFINITY;
  let answers: Replacement['answers'] = [];
  for (const event of input.events) {
    if (event.t < (write.doneMs ?? write.atMs)) continue;
    if (event.t >= untilMs) return undefined;
    if (event.type === 'message' && event.link === write.device && event.direction === 'to-device' && event.fate === 'delivered') answers.push({ atMs: event.t, label: event.label });
    if (event.type !== 'read' || event.process !== write.device) continue;
    const record = event.records.find((each) => each.id === write.id);
    const gone = event.at === 'boot' ? !record : (event.removed ?? []).includes(write.id as string);
    const value = record?.fields[field];
    // a launch that lost it is durability's to judge; a look that still shows it (or does not mention the record) keeps it
    if (event.at === 'boot' && gone) return undefined;
    if (!gone && (!record || causality.includes(value, write.token as string, field))) {
      answers = [];
      continue;
    }
    const shown = typeof value === 'string' && isToken(value) ? value : undefined;
    const by = shown === undefined ? undefined : causality.writeOf(shown);
    return { shownMs: event.t, ...(shown && { shown }), ...(by && { by }), answers };
  }
  return undefined;
}

/** `a sync replaced it on d2 with t:d3:w2: d2 showed that at 1m25s, after the answers 200 /v1/push at 1m25s, 200 /v1/pull at 1m25s`. */
function replacedWords(device: string, replaced: Replacement): string {
  const answers = replaced.answers.slice(-3).map(({ atMs, label }) => `${label} at ${clockTime(atMs)}`);
  const after = answers.length === 0 ? '' : `, after the answer${answers.length === 1 ? '' : 's'} ${answers.join(', ')}`;
  const withWhat = replaced.shown ? ` with ${replaced.shown}` : '';
  return `a sync replaced it on ${device}${withWhat}: ${device} showed ${replaced.shown ? 'that' : 'the record gone'} at ${clockTime(replaced.shownMs)}${after}`;
}
