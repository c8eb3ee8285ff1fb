// Small deterministic runs for the fault tests: a scenario from YAML lines, a run with the
// reference client (or any factory), a reference client that writes what it sends and hears into
// the history, and readers for the history's events.
import { expect } from 'vitest';
import type { ClientFactory, DeviceEnv, ClientDefinition } from '../src/adapter.ts';
import type { ClientLogEvent, FaultEvent, HistoryEvent, MessageLogEvent, OperationEvent } from '../src/history/events.ts';
import { PULL_PATH, PUSH_PATH, type PushRequest, type PushResponse } from '../src/protocol/v1.ts';
import { loadClient } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import type { RunResult } from '../src/check/verdict.ts';
import { parseScenario, type Scenario } from '../src/scenario/index.ts';
import type { FaultKind } from '../src/scenario/fault-specs.ts';

/** A fault test's scenario; it accepts logged overwrites (what the policies do by design) unless it says otherwise. */
export function scenarioOf(lines: readonly string[]): Scenario {
  const allowed = lines.some((line) => line.startsWith('allow:')) ? lines : [...lines, 'allow: [overwritten]'];
  const parsed = parseScenario(allowed.join('\n'), 'faults.yaml');
  if (!parsed.ok) throw new Error(`bad test scenario: ${JSON.stringify(parsed.issues)}`);
  return parsed.scenario;
}

export interface RunSettings {
  seed?: number;
  /** Wraps the scenario's client; `observed` by default, so pushes and pulls show in the history. */
  client?: (scenario: Scenario) => ClientDefinition | Promise<ClientDefinition>;
  swarm?: boolean;
}

/** Runs a scenario and insists that the run itself did not fail. */
export async function run(lines: readonly string[], settings: RunSettings = {}): Promise<RunResult> {
  const scenario = scenarioOf(lines);
  const client = await (settings.client ?? observedReference)(scenario);
  const result = await runScenario(scenario, { seed: settings.seed ?? 1, client, ...(settings.swarm && { swarm: true }) });
  expect(result.error, result.error?.stack).toBeUndefined();
  return result;
}

/** The scenario's own client, unwrapped. */
export function plainClient(scenario: Scenario): Promise<ClientDefinition> {
  return loadClient(scenario.system, '.');
}

/** A client whose every boot gets `adapt(env)` instead of `env`; its other builds (what an upgrade installs) are adapted alike. */
export function withEnv(client: ClientDefinition, adapt: (env: DeviceEnv) => DeviceEnv): ClientDefinition {
  const adapting = (factory: ClientFactory): ClientFactory => (env) => factory(adapt(env));
  const { builds } = client;
  return {
    factory: adapting(client.factory),
    ...(builds && { builds: { versions: builds.versions, build: (version, options) => adapting(builds.build(version, options)) } }),
  };
}

/**
 * The scenario's client with its network watched: each push it sends is logged as `push-sent` with
 * its change ids, each answer as `push-answered` with the HTTP status and every result, and each
 * pull as `pull-sent` with its cursor. A dead process logs nothing, as `env.log` is fenced.
 */
export async function observedReference(scenario: Scenario): Promise<ClientDefinition> {
  return withEnv(await plainClient(scenario), (env) => ({ ...env, fetch: observedFetch(env) }));
}

/** Logs `clock-reading` with env.now() every `everyMs` of the device's timers, from each boot on. */
export function readingClock(everyMs: number): (env: DeviceEnv) => DeviceEnv {
  return (env) => {
    const read = () => {
      env.log('clock-reading', { now: env.now() });
      env.setTimeout(read, everyMs);
    };
    env.setTimeout(read, everyMs);
    return env;
  };
}

export interface PushResult {
  changeId: string;
  status: string;
  reason?: string;
  version?: number;
}

function observedFetch(env: DeviceEnv): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.pathname === PULL_PATH) env.log('pull-sent', { cursor: Number(url.searchParams.get('cursor')) });
    if (url.pathname !== PUSH_PATH) return env.fetch(request);
    const push = (await request.clone().json()) as PushRequest;
    const changeIds = push.changes.map((change) => change.changeId);
    const objectIds = push.changes.map((change) => change.id);
    env.log('push-sent', { changeIds, objectIds });
    const response = await env.fetch(request);
    const body = (await response.clone().json()) as Partial<PushResponse>;
    const results: PushResult[] = (body.results ?? []).map(({ changeId, status, reason, version }) => ({
      changeId,
      status,
      ...(reason !== undefined && { reason }),
      ...(version !== undefined && { version }),
    }));
    env.log('push-answered', { status: response.status, changeIds, results });
    return response;
  };
}

export function clientEvents(result: RunResult, event?: string, process?: string): ClientLogEvent[] {
  return [...result.history.events].filter(
    (logged): logged is ClientLogEvent =>
      logged.type === 'client' && (event === undefined || logged.event === event) && (process === undefined || logged.process === process),
  );
}

export function messages(result: RunResult, link?: string): MessageLogEvent[] {
  return [...result.history.events].filter((event): event is MessageLogEvent => event.type === 'message' && (link === undefined || event.link === link));
}

export function operations(result: RunResult, process?: string): OperationEvent[] {
  const kinds = new Set(['invoke', 'ok', 'fail', 'info']);
  return [...result.history.events].filter(
    (event): event is OperationEvent => kinds.has(event.type) && (process === undefined || (event as OperationEvent).process === process),
  );
}

export function faultEvents(result: RunResult, kind?: FaultKind): FaultEvent[] {
  return [...result.history.events].filter((event): event is FaultEvent => event.type === 'fault' && (kind === undefined || event.spec.kind === kind));
}

/** The start and stop times of the run's only fault of `kind`. */
export function window(result: RunResult, kind: FaultKind): { start: number; stop: number } {
  const events = faultEvents(result, kind);
  const start = events.find((event) => event.phase === 'start');
  const stop = events.find((event) => event.phase === 'stop');
  if (events.length !== 2 || !start || !stop) throw new Error(`expected one ${kind} fault, found events ${JSON.stringify(events)}`);
  return { start: start.t, stop: stop.t };
}

export function ofType<T extends HistoryEvent['type']>(result: RunResult, type: T, process?: string): Extract<HistoryEvent, { type: T }>[] {
  return [...result.history.events].filter(
    (event): event is Extract<HistoryEvent, { type: T }> =>
      event.type === type && (process === undefined || (event as { process?: string }).process === process),
  );
}

export function phaseTime(result: RunResult, phase: 'chaos' | 'quiesce' | 'end'): number {
  const event = [...result.history.events].find((candidate) => candidate.type === 'phase' && candidate.phase === phase);
  if (!event) throw new Error(`no ${phase} phase in the history`);
  return event.t;
}

/** Every result the observed client heard, in order, with when it heard it. */
export function pushResults(result: RunResult, process?: string): (PushResult & { t: number })[] {
  return clientEvents(result, 'push-answered', process).flatMap((event) =>
    (event.data?.['results'] as PushResult[]).map((answer) => ({ ...answer, t: event.t })),
  );
}

/** Change ids of every push the observed client sent, with when it sent them. */
export function pushesSent(result: RunResult, process?: string): { t: number; changeIds: string[]; objectIds: string[] }[] {
  return clientEvents(result, 'push-sent', process).map((event) => ({
    t: event.t,
    changeIds: event.data?.['changeIds'] as string[],
    objectIds: event.data?.['objectIds'] as string[],
  }));
}
