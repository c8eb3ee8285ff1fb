// The server as faults see it: the reference (or a user's) server behind a switch that can be
// turned off for a restart, and a push handler that can fail part-way through a batch, lose its
// answer after doing the work, or reject single changes, as real servers under stress do.
import type { SyncServer } from '../adapter.ts';
import { ServerUnavailableError } from '../errors.ts';
import { handlerOf, jsonAnswer, type ExchangeServer, type SettledAnswer, type SettledRequest } from '../protocol/settled-exchange.ts';
import { PUSH_PATH, type ChangeResult, type PushRequest, type PushResponse } from '../protocol/v1.ts';
import type { BatchFailureMode } from '../scenario/fault-specs.ts';
import type { Rng } from '../sim/rng.ts';

export interface BatchFailure {
  mode: BatchFailureMode;
  appliedCount: number;
  rejectShare: number;
}

export class FaultyServer implements ExchangeServer {
  private up = true;
  private batchFailure: BatchFailure | undefined;
  /** Whether each push is read here to keep its change ids, which a reject needs: until the run says no batch failure is to come. */
  private pushesWatched = true;
  /** Every change id the server was handed, applied or not, across restarts, while pushes are watched. */
  private readonly passedOn = new Set<string>();

  constructor(
    private inner: ExchangeServer,
    private readonly rng: Rng,
  ) {}

  /** Takes the server down; `restart` brings a new server process up over the same committed data. */
  stop(): void {
    this.up = false;
  }

  restart(next: ExchangeServer): void {
    this.inner = next;
    this.up = true;
  }

  /** Said before the run starts when no batch failure is scheduled: a push no failure touches then goes to the server unread. */
  stopWatchingPushes(): void {
    this.pushesWatched = false;
  }

  setBatchFailure(failure: BatchFailure | undefined): void {
    this.batchFailure = failure;
  }

  readonly handle = handlerOf((request) => this.exchange(request));

  async exchange(request: SettledRequest): Promise<SettledAnswer> {
    if (!this.up) throw new ServerUnavailableError('connection refused: the server is restarting');
    if ((!this.pushesWatched && !this.batchFailure) || request.method !== 'POST' || request.url.pathname !== PUSH_PATH) return this.inner.exchange(request);
    const push = readPush(request.body);
    const failure = this.batchFailure;
    const ids = push?.changes.map((change) => change.changeId) ?? [];
    const seenBefore = new Set(ids.filter((id) => this.passedOn.has(id)));
    ids.forEach((id) => this.passedOn.add(id));
    if (!failure || !push) return this.inner.exchange(request);
    if (failure.mode === 'partial') {
      await this.forward(request, { ...push, changes: push.changes.slice(0, failure.appliedCount) });
      return jsonAnswer(500, { error: `injected failure after ${failure.appliedCount} changes` });
    }
    if (failure.mode === 'response-lost') {
      await this.inner.exchange(request);
      return new Promise<SettledAnswer>(() => {});
    }
    return this.rejectSome(request, push, failure.rejectShare, seenBefore);
  }

  records(): ReturnType<SyncServer['records']> {
    return this.inner.records();
  }

  /**
   * Passes on the changes the dice spare and answers the rest `rejected`, in the batch's order. A
   * change passed on before may already be applied: a server checks idempotency before anything
   * else, so it is never rejected, only answered as the server answers it.
   */
  private async rejectSome(request: SettledRequest, push: PushRequest, rejectShare: number, seenBefore: Set<string>): Promise<SettledAnswer> {
    const fresh = push.changes.filter((change) => !seenBefore.has(change.changeId));
    const rejected = new Set(fresh.filter(() => this.rng.chance(rejectShare)).map((change) => change.changeId));
    const kept = push.changes.filter((change) => !rejected.has(change.changeId));
    const answer = await this.forward(request, { ...push, changes: kept });
    if (answer.status < 200 || answer.status > 299) return answer;
    const answered = new Map((JSON.parse(answer.text) as PushResponse).results.map((result) => [result.changeId, result]));
    const results: ChangeResult[] = push.changes.map(
      (change) => answered.get(change.changeId) ?? { changeId: change.changeId, status: 'rejected', reason: 'injected: the server rejected this change' },
    );
    return jsonAnswer(200, { results } satisfies PushResponse);
  }

  private forward(request: SettledRequest, push: PushRequest): Promise<SettledAnswer> {
    return this.inner.exchange({ ...request, body: JSON.stringify(push) });
  }
}

/** The push a request's body carries, or undefined when it is malformed (the server itself answers that). */
function readPush(body: string | undefined): PushRequest | undefined {
  try {
    const push = JSON.parse(body ?? '') as PushRequest;
    return Array.isArray(push.changes) && push.changes.every((change) => typeof change?.changeId === 'string') ? push : undefined;
  } catch {
    return undefined;
  }
}
