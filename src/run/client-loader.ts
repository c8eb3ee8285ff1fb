// Turns a scenario's `client:` into a client definition: the built-in reference client configured from
// `system:`, or a user's module whose default export is a ClientFactory or a `defineClient({...})`
// (TypeScript works when the CLI runs, since it registers tsx), configured from `system:` when it
// declares `configure`. Paths are relative to the scenario.
import { resolve } from 'node:path';
import { clientDefinitionOf, type ClientDefinition, type ClientModule, type ClientSettings } from '../adapter.ts';
import { referenceClientDefinition } from '../reference/client/client.ts';
import { scenarioSchema, type Scenario } from '../scenario/index.ts';
import { defaultExportOf } from './module-loader.ts';

/** Where the reference client believes the server lives; in simulation the host is never resolved. */
export const SIMULATED_SERVER_URL = 'http://sync-server.sim';
const PULL_LIMIT = 100;

/** The client settings of a scenario's `system:` section. */
export function clientSettings(system: Scenario['system']): ClientSettings {
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

/** Every default setting: what the deliberately broken clients in fixtures/ start from. */
export function defaultClientSettings(): ClientSettings {
  return clientSettings(scenarioSchema.parse({ name: 'defaults' }).system);
}

export async function loadClient(system: Scenario['system'], baseDir: string): Promise<ClientDefinition> {
  if (system.client === 'reference') return referenceClientDefinition(clientSettings(system));
  const path = resolve(baseDir, system.client);
  const exported = (await defaultExportOf(path, 'client', 'a ClientFactory, a function (env) => SyncClient, or defineClient({ factory, … })', isClientModule)) as ClientModule;
  const definition = clientDefinitionOf(exported);
  return definition.configure ? definition.configure(clientSettings(system)) : definition;
}

function isClientModule(value: unknown): boolean {
  return typeof value === 'function' || (typeof value === 'object' && value !== null && typeof (value as { factory?: unknown }).factory === 'function');
}
