// Checks over real HTTP that a server claiming sync protocol v1 (docs/protocol.md) keeps the contract,
// rule by rule: each rule writes its own fresh records (random UUIDs per run) and says what it expected
// and what it saw. Bounded: every request times out, a run makes at most MAX_REQUESTS of them.
import { randomUUID } from 'node:crypto';
import { Agent, fetch as undiciFetch } from 'undici';
import type { Entity, Fields, ServerRecord } from '../adapter.ts';
import { EPOCH_HEADER, PULL_PATH, PUSH_PATH, RESYNC_ERROR, type Change, type ChangeResult, type PullResponse } from '../protocol/v1.ts';
import { BadInputError } from '../errors.ts';

export interface RuleResult {
  rule: string;
  passed: boolean;
  detail: string;
}

export interface ConformanceTarget {
  /** The server's base URL; the protocol paths (`/v1/push`, …) are appended to its path. */
  url: string;
  /** Sent as `authorization: Bearer <token>` on every request. */
  token?: string;
  /** The deviceId pushed as; with per-device tokens, the token's device. Default: `conformance-<random>`. */
  deviceId?: string;
}

/** The first request got no HTTP answer at all (refused, reset, unknown host, timed out). */
export class ServerUnreachableError extends Error {
  override name = 'ServerUnreachableError';
}

export const HEALTH_PATH = '/health';
export const REQUEST_TIMEOUT_MS = 10_000;
export const MAX_REQUESTS = 500;
/** Pages of 1000 walked to find the end of the pull feed; past it the server is too big to check. */
const MAX_TAIL_PAGES = 100;
/** Pages walked by a rule's own small-limit paging: its records plus room for other writers. */
const MAX_RULE_PAGES = 40;
const TAIL_LIMIT = 1000;
/** clientTime is the device's clock and may be anything; a fixed start keeps the source free of the real clock. */
const CLIENT_TIME_START_MS = 1_700_000_000_000;

type Rule = (session: Session) => Promise<string>;

/** The rules, in the order they run; each resolves its pass detail or throws a Problem naming what it saw. */
const RULES: [string, Rule][] = [
  ['create-applies', createApplies],
  ['idempotent-replay', idempotentReplay],
  ['update-needs-base', updateNeedsBase],
  ['delete-tombstone', deleteTombstone],
  ['pull-cursor-monotonic', pullCursorMonotonic],
  ['pull-loses-nothing', pullLosesNothing],
  ['referential-rejection', referentialRejection],
  ['malformed-rejected', malformedRejected],
  ['epoch-resync', epochResync],
  ['health', health],
];

export const RULE_NAMES: readonly string[] = RULES.map(([name]) => name);

/**
 * Runs every rule against `target` and answers one result per rule, in order. Throws BadInputError
 * for an unusable URL or token, and ServerUnreachableError when the first request gets no answer.
 */
export async function checkConformance(target: ConformanceTarget, send?: typeof fetch): Promise<RuleResult[]> {
  const base = baseUrlOf(target.url);
  if (target.token !== undefined && !/^[\x21-\x7e]+$/.test(target.token)) {
    throw new BadInputError('the token must be printable ASCII without spaces');
  }
  const agent = send ? undefined : new Agent({ connect: { timeout: REQUEST_TIMEOUT_MS } });
  const session = new Session(base, target, send ?? undiciSend(agent!));
  try {
    await session.findTail();
    const results: RuleResult[] = [];
    for (const [rule, check] of RULES) {
      try {
        results.push({ rule, passed: true, detail: oneLine(await check(session)) });
      } catch (error) {
        results.push({ rule, passed: false, detail: oneLine(describe(error)) });
      }
    }
    return results;
  } finally {
    await agent?.close();
  }
}

function undiciSend(agent: Agent): typeof fetch {
  const send = (input: string, init: RequestOptions) =>
    undiciFetch(input, { method: init.method, headers: init.headers, body: init.body, signal: init.signal, dispatcher: agent });
  return send as unknown as typeof fetch;
}

function baseUrlOf(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BadInputError(`not a URL: "${text}" (expected e.g. http://127.0.0.1:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BadInputError(`not an http(s) URL: "${text}"`);
  }
  if (url.username || url.password) throw new BadInputError(`the URL must not carry credentials (use a token): "${text}"`);
  if (url.search || url.hash) throw new BadInputError(`the URL must not have a query or fragment: "${text}"`);
  return url;
}

// ---------------------------------------------------------------------------------------------
// Requests

interface RequestOptions {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

interface Answer {
  status: number;
  /** The `sync-epoch` header, if the server sent one. */
  epoch: string | null;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
}

/** A rule's finding: the rule fails with this text. */
class Problem extends Error {}

/** The request got no HTTP answer. */
class NoAnswer extends Problem {
  constructor(
    what: string,
    readonly reason: string,
  ) {
    super(`${what}: no answer (${reason})`);
  }
}

class Session {
  readonly deviceId: string;
  private requests = 0;
  private clock = CLIENT_TIME_START_MS;
  /** The end of the pull feed as last walked: rules pull from here to see only what they wrote since. */
  private tail = 0;
  private tailProblem: string | undefined;

  constructor(
    private readonly base: URL,
    private readonly target: ConformanceTarget,
    private readonly send: typeof fetch,
  ) {
    this.deviceId = target.deviceId ?? `conformance-${randomUUID().slice(0, 8)}`;
  }

  /** Walks the whole feed once; the very first request getting no answer means the server cannot be reached. */
  async findTail(): Promise<void> {
    try {
      this.tail = (await this.walk(0, TAIL_LIMIT, MAX_TAIL_PAGES, 'pull to the end of the feed')).cursor;
    } catch (error) {
      if (error instanceof NoAnswer && this.requests === 1) {
        throw new ServerUnreachableError(`cannot reach ${this.base.href}: ${error.reason}`);
      }
      this.tailProblem = describe(error);
    }
  }

  /** The current end of the pull feed: a rule's starting cursor. */
  async currentTail(): Promise<number> {
    if (this.tailProblem !== undefined) throw new Problem(`could not page to the end of the pull feed: ${this.tailProblem}`);
    this.tail = (await this.walk(this.tail, TAIL_LIMIT, MAX_TAIL_PAGES, 'pull to the end of the feed')).cursor;
    return this.tail;
  }

  async request(method: 'GET' | 'POST', path: string, body?: string, extraHeaders: Record<string, string> = {}): Promise<Answer> {
    if (++this.requests > MAX_REQUESTS) throw new Problem(`request budget of ${MAX_REQUESTS} exhausted before ${method} ${path}`);
    const url = new URL(this.base.pathname.replace(/\/+$/, '') + path, this.base).href;
    const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.target.token !== undefined) headers.authorization = `Bearer ${this.target.token}`;
    const init: RequestOptions = { method, headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), ...(body !== undefined && { body }) };
    let response: Response;
    let text: string;
    try {
      response = await this.send(url, init);
      text = await response.text();
    } catch (error) {
      throw new NoAnswer(`${method} ${path}`, transportFailure(error));
    }
    return { status: response.status, epoch: response.headers.get(EPOCH_HEADER), text, json: parseJson(text) };
  }

  /** Pushes a batch that must be answered 200 with one well-formed result per change, in order. */
  async push(changes: unknown[], what: string): Promise<ChangeResult[]> {
    const answer = await this.request('POST', PUSH_PATH, JSON.stringify({ deviceId: this.deviceId, changes }));
    const prefix = `${what}: expected 200 with one result per change`;
    if (answer.status === 401 || answer.status === 403) {
      throw new Problem(`${prefix}, saw ${seen(answer)} (pushing as device ${this.deviceId}: check the token, and give the token's deviceId)`);
    }
    if (answer.status !== 200) throw new Problem(`${prefix}, saw ${seen(answer)}`);
    const results = isObject(answer.json) ? answer.json.results : undefined;
    if (!Array.isArray(results) || results.length !== changes.length) throw new Problem(`${prefix}, saw ${seen(answer)}`);
    for (const [index, result] of results.entries()) {
      const changeId = (changes[index] as Change).changeId;
      const shape = resultProblem(result, changeId);
      if (shape) throw new Problem(`${what}: result ${index} ${shape}`);
    }
    return results as ChangeResult[];
  }

  async pushOne(change: Change, what: string): Promise<ChangeResult> {
    const [result] = await this.push([change], what);
    return result!;
  }

  async pull(cursor: number, limit: number, what: string): Promise<PullResponse> {
    const path = `${PULL_PATH}?cursor=${cursor}&limit=${limit}`;
    const answer = await this.request('GET', path);
    const shape = answer.status === 200 ? pullProblem(answer.json) : `status ${answer.status}`;
    if (shape) throw new Problem(`${what} (GET ${path}): expected 200 with { records, cursor, hasMore }, saw ${seen(answer)} (${shape})`);
    return answer.json as PullResponse;
  }

  /** Pages from `cursor` until `hasMore` is false; every record delivered, in order. */
  async walk(cursor: number, limit: number, maxPages: number, what: string): Promise<{ records: ServerRecord[]; cursor: number }> {
    const records: ServerRecord[] = [];
    for (let page = 0; page < maxPages; page++) {
      const answer = await this.pull(cursor, limit, what);
      records.push(...answer.records);
      if (answer.cursor < cursor) throw new Problem(`${what}: the cursor went back from ${cursor} to ${answer.cursor}`);
      cursor = answer.cursor;
      if (!answer.hasMore) return { records, cursor };
    }
    throw new Problem(`${what}: hasMore was still true after ${maxPages} pages of ${limit}`);
  }

  /** The latest state pull delivers after `cursor` of each of `ids` (absent: never delivered). */
  async latest(cursor: number, ids: string[], what: string): Promise<Map<string, ServerRecord>> {
    const { records } = await this.walk(cursor, TAIL_LIMIT, MAX_TAIL_PAGES, what);
    const wanted = new Set(ids);
    return new Map(records.filter((record) => wanted.has(record.id)).map((record) => [record.id, record]));
  }

  create(entity: Entity, fields: Fields): Change {
    return this.change({ entity, id: randomUUID() }, 'create', fields, 0);
  }

  update(record: { entity: Entity; id: string }, fields: Fields, baseVersion: number): Change {
    return this.change(record, 'update', fields, baseVersion);
  }

  remove(record: { entity: Entity; id: string }, baseVersion: number): Change {
    return this.change(record, 'delete', {}, baseVersion);
  }

  private change(record: { entity: Entity; id: string }, changeType: Change['changeType'], fields: Fields, baseVersion: number): Change {
    this.clock += 1000;
    return { changeId: randomUUID(), entity: record.entity, id: record.id, changeType, fields, baseVersion, clientTime: this.clock };
  }
}

// ---------------------------------------------------------------------------------------------
// Rules

/** A create is `applied` at version 1 and answered with the record as sent (a folder, then a note in it, in one batch). */
async function createApplies(s: Session): Promise<string> {
  const folder = s.create('folder', { name: 'conformance folder' });
  const note = s.create('note', { title: 'conformance note', body: 'created', folderId: folder.id });
  const results = await s.push([folder, note], 'a batch creating a folder and a note in it');
  const problems = [
    ...appliedProblems('the folder create', results[0]!, recordOf(folder, 1, false)),
    ...appliedProblems('the note create', results[1]!, recordOf(note, 1, false)),
  ];
  fail(problems);
  return 'a folder and a note in it, created in one batch, were each applied at version 1 with the record as sent';
}

/** The same changeId pushed again answers `duplicate` with the version it produced, and changes nothing. */
async function idempotentReplay(s: Session): Promise<string> {
  const from = await s.currentTail();
  const create = s.create('note', { title: 'replay me', body: 'v1' });
  await setup(s, create, 'the create', 1);
  const update = s.update(create, { title: 'replayed' }, 1);
  await setup(s, update, 'the update', 2);
  const problems: string[] = [];
  const updateAgain = await s.pushOne(update, 'the update pushed again');
  problems.push(...duplicateProblems('the update pushed again (same changeId)', updateAgain, 2, 2));
  const createAgain = await s.pushOne(create, 'the create pushed again');
  problems.push(...duplicateProblems('the create pushed again (same changeId)', createAgain, 1, 2));
  const now = (await s.latest(from, [create.id], 'pull after the replays')).get(create.id);
  if (!now) problems.push('pull after the replays does not deliver the note');
  else if (now.version !== 2 || now.fields.title !== 'replayed') {
    problems.push(`pull after the replays shows the note at version ${now.version} (title ${JSON.stringify(now.fields.title)}); expected version 2: a replay was applied again`);
  }
  fail(problems);
  return 'a create and an update pushed again answered duplicate with versions 1 and 2; the note stayed at version 2';
}

/**
 * An update made on an old version (baseVersion 1 while the record is at 2) is not applied blindly:
 * `conflict` with the current record (server-wins, manual, field-merge, and lww when the change loses),
 * or `applied` with `concurrent: true` (lww when it wins). The stale change carries the later clientTime,
 * so an lww server lets it win; it writes only a field changed since its base, so field-merge keeps it.
 */
async function updateNeedsBase(s: Session): Promise<string> {
  const from = await s.currentTail();
  const create = s.create('note', { title: 'base', body: 'kept' });
  await setup(s, create, 'the create', 1);
  await setup(s, s.update(create, { title: 'current' }, 1), 'the update on version 1', 2);
  const stale = s.update(create, { title: 'stale' }, 1);
  const result = await s.pushOne(stale, 'the stale update');
  const problems: string[] = [];
  let expectedVersion: number;
  let expectedTitle: string;
  let outcome: string;
  if (result.status === 'conflict') {
    if (!nonEmpty(result.reason)) problems.push('the conflict carries no reason');
    if (!result.record) problems.push('the conflict carries no record (the server\'s current record)');
    if (result.version === undefined) {
      [expectedVersion, expectedTitle, outcome] = [2, 'current', 'conflict, nothing written'];
      if (result.record) problems.push(...recordProblems("the conflict's record", result.record, { ...recordOf(create, 2, false), fields: { title: 'current', body: 'kept' } }));
    } else {
      // A partial field-merge: written, answered conflict with the version it produced.
      [expectedVersion, expectedTitle, outcome] = [result.version, 'current', `conflict with a partial merge at version ${result.version}`];
      if (result.record && result.record.version !== result.version) problems.push(`the conflict's version is ${result.version} but its record is at ${result.record.version}`);
    }
  } else if (result.status === 'applied' && result.concurrent === true) {
    [expectedVersion, expectedTitle, outcome] = [3, 'stale', 'applied with concurrent: true'];
    problems.push(...appliedProblems('the stale update', result, { ...recordOf(create, 3, false), fields: { title: 'stale', body: 'kept' } }));
  } else {
    const blind = result.status === 'applied' ? ' without concurrent: true: the server ignored baseVersion and overwrote version 2 unseen' : '';
    throw new Problem(`an update made on version 1 of a record at version 2 answered ${summary(result)}${blind}; expected conflict, or applied with concurrent: true`);
  }
  const now = (await s.latest(from, [create.id], 'pull after the stale update')).get(create.id);
  if (!now) problems.push('pull after the stale update does not deliver the note');
  else if (now.version !== expectedVersion || now.fields.title !== expectedTitle) {
    problems.push(`after ${outcome}, pull shows the note at version ${now.version} titled ${JSON.stringify(now.fields.title)}; expected version ${expectedVersion} titled "${expectedTitle}"`);
  }
  fail(problems);
  return `an update made on version 1 of a record at version 2 answered ${outcome}`;
}

/** A delete is applied (next version); pull then delivers a tombstone (`deleted: true`, fields kept), which an older update does not revive. */
async function deleteTombstone(s: Session): Promise<string> {
  const from = await s.currentTail();
  const fields = { title: 'delete me', body: 'tombstone' };
  const create = s.create('note', fields);
  await setup(s, create, 'the create', 1);
  const tombstone: ServerRecord = { ...recordOf(create, 2, true), fields };
  const problems: string[] = [];
  const deleted = await s.pushOne(s.remove(create, 1), 'the delete');
  if (deleted.status !== 'applied' || deleted.version !== 2) throw new Problem(`the delete of a note at version 1 answered ${summary(deleted)}; expected applied at version 2`);
  if (deleted.record) problems.push(...recordProblems("the delete's record", deleted.record, tombstone));
  const pulled = (await s.latest(from, [create.id], 'pull after the delete')).get(create.id);
  if (!pulled) throw new Problem('pull after the delete does not deliver the record at all: a delete must leave a tombstone that pull delivers');
  problems.push(...recordProblems('pull after the delete', pulled, tombstone));
  const revive = await s.pushOne(s.update(create, { title: 'revived' }, 1), 'an update made on version 1 after the delete');
  if (revive.status !== 'conflict') {
    problems.push(`an update made on version 1 of the tombstone answered ${summary(revive)}; expected conflict with the tombstone`);
  } else if (revive.record && !revive.record.deleted) problems.push("the conflict's record is not the tombstone (deleted: false)");
  const after = (await s.latest(from, [create.id], 'pull after the update on the tombstone')).get(create.id);
  if (after && (!after.deleted || after.version !== 2)) {
    problems.push(`after an update on the tombstone, pull shows the record at version ${after.version}, deleted: ${after.deleted}; a tombstone is never revived`);
  }
  fail(problems);
  return 'the delete was applied at version 2; pull delivers deleted: true with the fields kept, and an older update answered conflict';
}

/**
 * Paging the records written since the rule began with limits 1, 2 and 3: every page holds at most
 * `limit` records, the cursor rises with every non-empty page and stays put on an empty one, `hasMore`
 * is true exactly when another non-empty page follows, and each record arrives once, at its latest
 * version, oldest change first (a record updated after the others comes last).
 */
async function pullCursorMonotonic(s: Session): Promise<string> {
  const from = await s.currentTail();
  const creates = [1, 2, 3, 4].map((n) => s.create('note', { title: `page ${n}` }));
  const results = await s.push(creates, 'a batch creating four notes');
  for (const [index, result] of results.entries()) {
    if (result.status !== 'applied') throw new Problem(`setup: create ${index + 1} answered ${summary(result)}; expected applied`);
  }
  await setup(s, s.update(creates[0]!, { title: 'page 1, moved' }, 1), 'the update of the first note', 2);
  const expected = [creates[1]!.id, creates[2]!.id, creates[3]!.id, creates[0]!.id];
  const ours = new Set(expected);
  const problems: string[] = [];
  for (const limit of [1, 2, 3]) {
    const delivered: ServerRecord[] = [];
    let cursor = from;
    let previousHadMore = false;
    let pages = 0;
    for (;;) {
      if (++pages > MAX_RULE_PAGES) {
        problems.push(`limit ${limit}: hasMore still true after ${MAX_RULE_PAGES} pages`);
        break;
      }
      const page = await s.pull(cursor, limit, `limit ${limit}, page ${pages}`);
      const at = `limit ${limit}, page ${pages} (cursor ${cursor})`;
      if (page.records.length > limit) problems.push(`${at}: ${page.records.length} records, more than the limit`);
      if (page.records.length > 0 && page.cursor <= cursor) problems.push(`${at}: a non-empty page answered cursor ${page.cursor}; expected above ${cursor}`);
      if (page.records.length === 0 && page.cursor !== cursor) problems.push(`${at}: an empty page answered cursor ${page.cursor}; expected the request's ${cursor}`);
      if (page.records.length === 0 && previousHadMore) problems.push(`${at}: the previous page said hasMore: true but this one is empty`);
      delivered.push(...page.records);
      previousHadMore = page.hasMore;
      if (page.cursor < cursor) break;
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    const again = await s.pull(cursor, limit, `limit ${limit}, after hasMore: false`);
    const late = again.records.filter((record) => ours.has(record.id));
    if (late.length > 0) problems.push(`limit ${limit}: hasMore was false, yet the next pull still delivered ${late.length} of the rule's records`);
    if (again.cursor < cursor) problems.push(`limit ${limit}: the cursor went back from ${cursor} to ${again.cursor}`);
    const order = delivered.filter((record) => ours.has(record.id));
    const ids = order.map((record) => record.id);
    if (ids.join() !== expected.join()) {
      problems.push(`limit ${limit}: delivered the four notes as [${labels(ids, expected)}]; expected [2, 3, 4, 1] (each once, oldest change first)`);
    }
    const moved = order.find((record) => record.id === creates[0]!.id);
    if (moved && moved.version !== 2) problems.push(`limit ${limit}: note 1 delivered at version ${moved.version}; expected its latest, 2`);
  }
  fail(problems);
  return 'with limits 1, 2 and 3, four notes arrived once each in change order, the cursor only rose and hasMore was exact';
}

/** Records written while a client is paging all reach it: created after its first page, or changed after it had them. */
async function pullLosesNothing(s: Session): Promise<string> {
  const from = await s.currentTail();
  const first = [1, 2, 3].map((n) => s.create('note', { title: `early ${n}` }));
  const results = await s.push(first, 'a batch creating three notes');
  for (const [index, result] of results.entries()) {
    if (result.status !== 'applied') throw new Problem(`setup: create ${index + 1} answered ${summary(result)}; expected applied`);
  }
  const page = await s.pull(from, 2, 'the first pull');
  await setup(s, s.update(first[0]!, { title: 'early 1, changed' }, 1), 'the update of note 1', 2);
  const later = [1, 2].map((n) => s.create('note', { title: `late ${n}` }));
  const laterResults = await s.push(later, 'a batch creating two more notes');
  for (const [index, result] of laterResults.entries()) {
    if (result.status !== 'applied') throw new Problem(`setup: late create ${index + 1} answered ${summary(result)}; expected applied`);
  }
  const rest = await s.walk(page.cursor, 2, MAX_RULE_PAGES, 'the second pull, from the first page\'s cursor');
  const latest = new Map([...page.records, ...rest.records].map((record) => [record.id, record]));
  const wanted: [string, string, number][] = [
    [first[0]!.id, 'note 1 at version 2 (updated after the first page)', 2],
    [first[1]!.id, 'note 2', 1],
    [first[2]!.id, 'note 3 (created before the first pull)', 1],
    [later[0]!.id, 'late note 1 (created between the pulls)', 1],
    [later[1]!.id, 'late note 2 (created between the pulls)', 1],
  ];
  const lost = wanted.filter(([id, , version]) => latest.get(id)?.version !== version).map(([, label]) => label);
  if (lost.length > 0) {
    throw new Problem(`paging with limit 2 while writing (first page of ${page.records.length}, then ${rest.records.length} more): never delivered ${lost.join(', ')}`);
  }
  return 'two notes created and one updated between pulls all reached the second pull (limit 2)';
}

/** A note whose folder does not exist is `rejected` with a reason, and nothing is written. */
async function referentialRejection(s: Session): Promise<string> {
  const from = await s.currentTail();
  const note = s.create('note', { title: 'orphan', folderId: randomUUID() });
  const result = await s.pushOne(note, 'a note in a folder that does not exist');
  if (result.status !== 'rejected' || !nonEmpty(result.reason)) {
    throw new Problem(`a note created in a folder that does not exist answered ${summary(result)}; expected rejected with a reason`);
  }
  if ((await s.latest(from, [note.id], 'pull after the rejection')).has(note.id)) {
    throw new Problem('the note was answered rejected, yet pull delivers it: a rejected change must write nothing');
  }
  return `a note in a missing folder was rejected ("${result.reason}")`;
}

/** Malformed input is refused 4xx with `{ error: reason }`, never 5xx, and a batch with one bad change applies none of it. */
async function malformedRejected(s: Session): Promise<string> {
  const from = await s.currentTail();
  const problems: string[] = [];
  const valid = s.create('note', { title: 'in a malformed batch' });
  const cases: [string, () => Promise<Answer>][] = [
    ['a push body that is not JSON', () => s.request('POST', PUSH_PATH, '{"deviceId": "d1", "changes": [')],
    [
      'a push whose second change lacks fields, baseVersion and clientTime',
      () => s.request('POST', PUSH_PATH, JSON.stringify({ deviceId: s.deviceId, changes: [valid, { changeId: randomUUID(), entity: 'note', id: randomUUID(), changeType: 'create' }] })),
    ],
    ['a pull with cursor "not-a-cursor"', () => s.request('GET', `${PULL_PATH}?cursor=not-a-cursor&limit=10`)],
  ];
  for (const [what, send] of cases) {
    const answer = await send();
    const error = isObject(answer.json) ? answer.json.error : undefined;
    if (answer.status >= 500) problems.push(`${what}: answered ${seen(answer)}; a malformed request must be refused 4xx, never crash the server`);
    else if (answer.status < 400) problems.push(`${what}: expected 4xx with { error }, saw ${seen(answer)}`);
    else if (!nonEmpty(error)) problems.push(`${what}: answered ${answer.status} but not with { "error": reason }: ${excerpt(answer.text)}`);
  }
  if ((await s.latest(from, [valid.id], 'pull after the malformed batch')).has(valid.id)) {
    problems.push('the valid first change of the batch with a malformed second change was applied; a malformed change must refuse the whole batch');
  }
  fail(problems);
  return 'a non-JSON push, a push with a change missing fields, and a bad cursor were each refused 4xx with { error }; nothing applied';
}

/** Informational: GET /health is not part of protocol v1, so a missing one passes; only a 5xx (the server reports itself unhealthy) fails. */
/** A push at another epoch than the server's is answered 409 resync with the version floor, and applies nothing (docs/protocol.md, Epochs). */
async function epochResync(s: Session): Promise<string> {
  const from = await s.currentTail();
  const probe = await s.request('GET', `${PULL_PATH}?cursor=${from}&limit=1`);
  const epoch = Number(probe.epoch);
  if (probe.epoch === null) return `informational: no ${EPOCH_HEADER} header; the server declares no restores from a backup`;
  if (!Number.isSafeInteger(epoch) || epoch < 1) throw new Problem(`${EPOCH_HEADER} must be a whole number >= 1, saw "${probe.epoch}"`);
  const change = s.create('folder', { name: 'pushed at another epoch' });
  const other = String(epoch + 1);
  const answer = await s.request('POST', PUSH_PATH, JSON.stringify({ deviceId: s.deviceId, changes: [change] }), { [EPOCH_HEADER]: other });
  const body = isObject(answer.json) ? answer.json : {};
  const problems: string[] = [];
  if (answer.status !== 409 || body.error !== RESYNC_ERROR) problems.push(`a push at ${EPOCH_HEADER}: ${other} (the server is at ${epoch}): expected 409 { "error": "${RESYNC_ERROR}" }, saw ${seen(answer)}`);
  else if (!Number.isSafeInteger(body.versionFloor) || (body.versionFloor as number) < 0) problems.push(`the 409 must name versionFloor, a whole number >= 0: ${excerpt(answer.text)}`);
  if (answer.epoch !== String(epoch)) problems.push(`the 409 must name the server's epoch in ${EPOCH_HEADER} (${epoch}), saw ${answer.epoch ?? 'none'}`);
  if ((await s.latest(from, [change.id], 'pull after the push at another epoch')).has(change.id)) problems.push('the push at another epoch was applied; nothing of it may be');
  fail(problems);
  return `a push at ${EPOCH_HEADER}: ${other} was answered 409 resync with versionFloor ${String(body.versionFloor)} and ${EPOCH_HEADER}: ${epoch}; nothing applied`;
}

async function health(s: Session): Promise<string> {
  const answer = await s.request('GET', HEALTH_PATH);
  if (answer.status >= 200 && answer.status < 300) return `GET ${HEALTH_PATH} answered ${answer.status}`;
  if (answer.status >= 500) throw new Problem(`GET ${HEALTH_PATH} answered ${seen(answer)}: the server reports itself unhealthy`);
  return `informational: GET ${HEALTH_PATH} answered ${answer.status}; protocol v1 does not require a health endpoint`;
}

// ---------------------------------------------------------------------------------------------
// Expectations

/** Pushes a change a rule builds on; anything but `applied` at `version` ends the rule. */
async function setup(s: Session, change: Change, what: string, version: number): Promise<void> {
  const result = await s.pushOne(change, what);
  if (result.status !== 'applied' || result.version !== version) {
    throw new Problem(`setup: ${what} answered ${summary(result)}; expected applied at version ${version}`);
  }
}

function recordOf(change: Change, version: number, deleted: boolean): ServerRecord {
  return { entity: change.entity, id: change.id, fields: change.fields, version, deleted };
}

function appliedProblems(what: string, result: ChangeResult, expected: ServerRecord): string[] {
  if (result.status !== 'applied' || result.version !== expected.version) {
    return [`${what} answered ${summary(result)}; expected applied at version ${expected.version}`];
  }
  if (!result.record) return [`${what} was applied but answered no record`];
  return recordProblems(`${what}'s record`, result.record, expected);
}

function duplicateProblems(what: string, result: ChangeResult, version: number, recordVersion: number): string[] {
  if (result.status !== 'duplicate' || result.version !== version) {
    return [`${what} answered ${summary(result)}; expected duplicate with version ${version}`];
  }
  if (result.record && result.record.version !== recordVersion) {
    return [`${what} answered duplicate with the record at version ${result.record.version}; expected it unchanged at ${recordVersion}`];
  }
  return [];
}

function recordProblems(what: string, record: ServerRecord, expected: ServerRecord): string[] {
  const problems: string[] = [];
  if (record.entity !== expected.entity || record.id !== expected.id) problems.push(`${what} is ${record.entity} ${record.id}; expected ${expected.entity} ${expected.id}`);
  if (record.version !== expected.version) problems.push(`${what} is at version ${record.version}; expected ${expected.version}`);
  if (record.deleted !== expected.deleted) problems.push(`${what} has deleted: ${record.deleted}; expected ${expected.deleted}`);
  if (canonical(record.fields) !== canonical(expected.fields)) problems.push(`${what} has fields ${canonical(record.fields)}; expected ${canonical(expected.fields)}`);
  return problems;
}

function fail(problems: string[]): void {
  if (problems.length > 0) throw new Problem(problems.join('; '));
}

function summary(result: ChangeResult): string {
  const parts: string[] = [result.status];
  if (result.version !== undefined) parts.push(`at version ${result.version}`);
  if (result.concurrent) parts.push('(concurrent)');
  if (nonEmpty(result.reason)) parts.push(`("${result.reason}")`);
  return parts.join(' ');
}

function labels(ids: string[], expected: string[]): string {
  return ids.map((id) => (expected.indexOf(id) === 3 ? '1' : String(expected.indexOf(id) + 2))).join(', ');
}

// ---------------------------------------------------------------------------------------------
// Shapes and text

const STATUSES = new Set(['applied', 'duplicate', 'conflict', 'rejected']);

function resultProblem(result: unknown, changeId: string): string | undefined {
  if (!isObject(result)) return 'is not an object';
  if (result.changeId !== changeId) return `answers changeId ${JSON.stringify(result.changeId)}; expected ${changeId} (results follow the request's order)`;
  if (!STATUSES.has(result.status as string)) return `has status ${JSON.stringify(result.status)}; expected applied, duplicate, conflict or rejected`;
  if (result.version !== undefined && !Number.isSafeInteger(result.version)) return `has version ${JSON.stringify(result.version)}, not a whole number`;
  if (result.record !== undefined && recordShapeProblem(result.record)) return `has a malformed record: ${recordShapeProblem(result.record)}`;
  return undefined;
}

function pullProblem(body: unknown): string | undefined {
  if (!isObject(body)) return 'not a JSON object';
  if (!Array.isArray(body.records)) return 'records is not an array';
  if (!Number.isSafeInteger(body.cursor) || (body.cursor as number) < 0) return 'cursor is not a whole number >= 0';
  if (typeof body.hasMore !== 'boolean') return 'hasMore is not a boolean';
  for (const record of body.records) {
    const problem = recordShapeProblem(record);
    if (problem) return `a malformed record: ${problem}`;
  }
  return undefined;
}

function recordShapeProblem(record: unknown): string | undefined {
  if (!isObject(record)) return 'not an object';
  if (record.entity !== 'folder' && record.entity !== 'note') return `entity ${JSON.stringify(record.entity)}`;
  if (typeof record.id !== 'string') return 'id is not a string';
  if (!isObject(record.fields)) return 'fields is not an object';
  if (!Number.isSafeInteger(record.version) || (record.version as number) < 1) return `version ${JSON.stringify(record.version)}`;
  if (typeof record.deleted !== 'boolean') return 'deleted is not a boolean';
  return undefined;
}

function transportFailure(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no response within ${REQUEST_TIMEOUT_MS / 1000} s`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.message === 'string' && cause.message) return cause.message;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}

function describe(error: unknown): string {
  if (error instanceof Problem) return error.message;
  return `the check itself failed: ${error instanceof Error ? error.message : String(error)}`;
}

function seen(answer: Answer): string {
  return `${answer.status} ${excerpt(answer.text)}`;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 160)}…` : flat || '(empty body)';
}

function canonical(fields: Fields): string {
  return JSON.stringify(Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
