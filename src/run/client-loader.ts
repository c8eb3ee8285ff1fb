// Turns a scenario's `client:` into a factory: the built-in reference client configured from
// `system:`, or a user's module whose default export is a ClientFactory (TypeScript works when the
// CLI runs, since it registers tsx), given `system:` too if it has `configure`. Paths are relative to the scenario.
import { resolve } from 'node:path';
import type { ClientFactory } from '../adapter.ts';
import { referenceClient, type ReferenceClientSettings } from '../reference/client/client.ts';
import { scenarioSchema, type Scenario } from '../scenario/index.ts';
import { defaultExportOf } from './module-loader.ts';

/** Where the reference client believes the server lives; in simulation the host is never resolved. */
export const SIMULATED_SERVER_URL = 'http://sync-server.sim';
const PULL_LIMIT = 100;

/** The reference client's settings from a scenario's `system:` section. */
export function referenceSettings(system: Scenario['system']): ReferenceClientSettings {
  return {
    serverUrl: SIMULATED_SERVER_URL,
    batchSize: system.batchSize,
    pullLimit: PULL_LIMIT,
    syncIntervalMs: system.syncIntervalMs,
    debounceMs: system.debounceMs,
    retry: system.retry,
    ordering: system.ordering,
    conflict: system.conflict,
    pokes: system.pokes,
  };
}

/** The reference client with every default setting: what the deliberately broken clients in fixtures/ start from. */
export function defaultReferenceSettings(): ReferenceClientSettings {
  return referenceSettings(scenarioSchema.parse({ name: 'defaults' }).system);
}

/** A module's factory that takes the scenario's `system:` settings (conflict policy, batch size, timers): the loader calls `configure`. */
export interface ConfigurableClientFactory extends ClientFactory {
  configure(settings: ReferenceClientSettings): ClientFactory;
}

/** A module's factory for a client on real time (a library with timers and async I/O of its own): only `transport: http` can run it. */
export interface RealTimeClientFactory extends ClientFactory {
  realTime: true;
}

export function runsOnRealTime(factory: ClientFactory): boolean {
  return (factory as Partial<RealTimeClientFactory>).realTime === true;
}

export async function loadClientFactory(system: Scenario['system'], baseDir: string): Promise<ClientFactory> {
  if (system.client === 'reference') return referenceClient(referenceSettings(system));
  const path = resolve(baseDir, system.client);
  const factory = (await defaultExportOf(path, 'client', 'a ClientFactory, a function (env) => SyncClient')) as ClientFactory & Partial<ConfigurableClientFactory>;
  return typeof factory.configure === 'function' ? factory.configure(referenceSettings(system)) : factory;
}
