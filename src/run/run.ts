// One run of a scenario with one seed: builds the simulated world (scheduler, network, server,
// devices, users), runs its phases (chaos for `duration`, quiesce, resume, quiesce again), and hands
// the history and the final states to the checkers. The only module that knows every part.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uuidFrom, type AppBuilds, type ClientDefinition, type ServerDefinition } from '../adapter.ts';
import { runChecks, type CheckInput, type CheckResult, type DeviceFinalState } from '../check/index.ts';
import { summarize, type RunSummary } from '../check/summary.ts';
import { verdictOf, type FinalStates, type RunResult } from '../check/verdict.ts';
import type Database from 'better-sqlite3';
import { Device, openStore, reopenStore } from '../device/device.ts';
import { ProcessKilledError } from '../device/fenced-db.ts';
import { ProcessContexts } from '../device/process-context.ts';
import { FaultyServer } from '../faults/faulty-server.ts';
import { LinkControl } from '../faults/link-control.ts';
import { Nemesis } from '../faults/nemesis.ts';
import { FAULT_KINDS, type NemesisSettings } from '../scenario/fault-specs.ts';
import { firstAppVersions } from '../faults/upgrade.ts';
import type { FaultWorld } from '../faults/world.ts';
import { SimulatedUser } from '../device/workload.ts';
import type { PhaseEvent } from '../history/events.ts';
import { History } from '../history/history.ts';
import { PokeHub } from '../protocol/pokes.ts';
import { createReferenceServer, type ReferenceServer } from '../reference/server/server.ts';
import { formatDuration, type Scenario } from '../scenario/index.ts';
import { DeviceClock } from '../sim/clock.ts';
import { Network } from '../sim/network.ts';
import { createRng } from '../sim/rng.ts';
import type { Scheduler } from '../sim/scheduler.ts';
import { installVirtualGlobals } from '../sim/virtual-globals.ts';
import { phasesOf, type QuiesceBy } from './phases.ts';
import { trackRealTimers } from './leftover-timers.ts';
import { installRealWorldTraps, type TrappedKind } from './real-world-traps.ts';
import { loadServerAdapter, startServerAdapter } from './server-adapter.ts';
import { BadInputError, SystemUnderTestError } from '../errors.ts';
import { LinkSocket } from '../transport/link-socket.ts';
import { routeWebSockets } from '../transport/simulated/routed-websocket.ts';
import type { SocketEnds } from '../transport/simulated/sim-socket.ts';
import { simulatedTransport, type Transport } from '../transport/transport.ts';

/**
 * What `--swarm` draws from when the scenario has no nemesis of its own: every kind, six an hour;
 * upgrades only for a client that declares its app builds. Not a server restore: a client that does
 * not speak the protocol's epoch cannot tell the server went back, and scenarios name that class.
 */
const SWARM_NEMESIS: NemesisSettings = { kinds: FAULT_KINDS.filter((kind) => kind !== 'server_restore'), ratePerHour: 6, forMsMin: 30_000, forMsMax: 300_000, swarm: true };

/** Quiet time after each quiescence round, so messages still in flight land before states are compared. */
const SETTLE_GAP_MS = 1000;
/** The longest wait for apps to settle on their own when four of their sync intervals are longer still. */
const ON_OWN_TIMERS_MAX_MS = 24 * 3_600_000;
/**
 * Bounds on the events of a phase, so that no setting and no client makes a run go on for ever: a phase
 * that reaches one stops the run there and the case fails. A 10-device day of the baseline workload runs
 * about 450,000 events; events at one simulated instant without time moving on are a loop that never waits.
 */
export const MAX_EVENTS_PER_PHASE = 2_000_000;
export const MAX_EVENTS_PER_INSTANT = 100_000;

export interface RunOptions {
  seed: number;
  /** The client under test, as its module declares it (configured from the scenario already). */
  client: ClientDefinition;
  /** Draw the nemesis's fault parameters from the seed too (swarm testing). */
  swarm?: boolean;
}

export async function runScenario(scenario: Scenario, options: RunOptions): Promise<RunResult> {
  const misfit = clientMisfit(scenario, options.client);
  if (misfit) throw new BadInputError(misfit.message);
  if (scenario.system.transport === 'simulated' && options.client.realTime === true) {
    throw new BadInputError('this client runs on real time (its library keeps timers and async I/O of its own), which a simulated run cannot drive: use `transport: http`');
  }
  const transport = await transportOf(scenario);
  const root = mkdtempSync(join(tmpdir(), 'sync-chaos-'));
  const endTimers = trackRealTimers();
  let played: RunResult | PlayedRun;
  try {
    played = await playOut(scenario, options, root, transport);
  } finally {
    endTimers();
    rmSync(root, { recursive: true, force: true });
  }
  return 'input' in played ? judged(scenario, played) : played;
}

/** A run played to its end, for the checkers to judge: what they read, and the rest of the run's result. */
interface PlayedRun {
  input: CheckInput;
  outcome: Outcome;
}

/** A result but for what the checkers judged. */
type Outcome = Omit<RunResult, 'verdict' | 'checks' | 'violations'>;

/**
 * Builds the world, plays the scenario out in it and closes it. The devices, their stores and the users are
 * let go before the checkers run, so a long run's checks have the memory its devices held.
 */
async function playOut(scenario: Scenario, options: RunOptions, root: string, transport: Transport): Promise<RunResult | PlayedRun> {
  const world = new World(scenario, options, root, transport);
  try {
    return await world.start();
  } finally {
    await transport.close();
    world.close();
  }
}

function judged(scenario: Scenario, { input, outcome }: PlayedRun): RunResult {
  const checks = runChecks(scenario.checks, input);
  const { devices, server } = input;
  return { ...resultOf(outcome, verdictOf(checks), checks), finalStates: { devices, server }, ...summaryOf(input, checks) };
}

function resultOf(outcome: Outcome, verdict: RunResult['verdict'], checks: Record<string, CheckResult>): RunResult {
  return { ...outcome, verdict, checks, violations: Object.values(checks).flatMap((check) => check.violations) };
}

/** The summary re-reads what the checkers read; like a checker, it never takes the run down: a failure leaves it out. */
function summaryOf(input: CheckInput, checks: Record<string, CheckResult>): { summary?: RunSummary } {
  try {
    return { summary: summarize(input, checks) };
  } catch {
    return {};
  }
}

/** Where a scenario asks of a client what it does not declare: a scheduled upgrade, of a client without app builds or from a version it lacks. */
export function clientMisfit(scenario: Scenario, client: ClientDefinition): { faultIndex: number; message: string } | undefined {
  for (const [faultIndex, { spec }] of scenario.faults.entries()) {
    if (spec.kind !== 'upgrade') continue;
    const versions = client.builds?.versions ?? [];
    if (versions.length === 0) {
      return { faultIndex, message: 'the upgrade fault installs older and newer builds of the app, and this client declares none: give its module `builds` (defineClient in docs/adapters.md), or drop the fault' };
    }
    if (!versions.slice(0, -1).includes(spec.fromVersion)) {
      return { faultIndex, message: `the upgrade starts from app version ${spec.fromVersion}, which this client does not declare as an older build (its builds: ${versions.join(', ')})` };
    }
  }
  return undefined;
}

/** Where a scenario schedules a server restart for a server module that declares no `restart`. */
export function serverMisfit(scenario: Scenario, server: ServerDefinition): { faultIndex: number; message: string } | undefined {
  if (server.restart) return undefined;
  const faultIndex = scenario.faults.findIndex(({ spec }) => spec.kind === 'server_restart');
  if (faultIndex === -1) return undefined;
  return {
    faultIndex,
    message: 'server_restart restarts the server process, and this server module declares no `restart`: export defineServer({ start, restart }) (docs/adapters.md), or drop the fault',
  };
}

/**
 * Whether the run's globals are virtual: as the scenario says, else as the client module declares; a
 * simulated run with sockets always (mock-socket keeps global timers), and a run over http never (its time is real).
 */
export function globalsOf(scenario: Scenario, client: ClientDefinition): 'virtual' | 'real' {
  if (scenario.system.transport === 'http') return 'real';
  return scenario.system.globals ?? (scenario.system.pokes ? 'virtual' : (client.globals ?? 'real'));
}

/** The scenario's transport; the http one is loaded only when asked for, so simulated runs never touch a socket. */
async function transportOf(scenario: Scenario): Promise<Transport> {
  if (scenario.system.transport === 'simulated') return simulatedTransport;
  const { httpTransport } = await import('../transport/http/http-transport.ts');
  type HttpServerSetting = Parameters<typeof httpTransport>[0]['server'];
  const { server } = scenario.system;
  const definition = typeof server === 'object' && 'adapter' in server ? await loadServerAdapter(server.adapter) : undefined;
  const misfit = definition && serverMisfit(scenario, definition);
  if (misfit) throw new BadInputError(misfit.message);
  const setting =
    server === 'reference' ? 'own' : 'adapter' in server && definition ? { start: startServerAdapter.bind(undefined, server.adapter, definition), restarts: definition.restart !== undefined } : server;
  const transport = httpTransport({ timeScale: scenario.system.timeScale, server: setting as HttpServerSetting });
  const kinds = [...scenario.faults.map((fault) => fault.spec.kind), ...(scenario.nemesis?.kinds ?? [])];
  const unsupported = [...new Set(kinds.filter((kind) => transport.unsupportedFaults.includes(kind)))];
  if (unsupported.length > 0) {
    throw new BadInputError(`${unsupported.join(' and ')} act on the server process the run holds; an external server (system.server.url or .adapter) cannot take them`);
  }
  return transport;
}

/** A client's builds when it has an older one to upgrade from. */
function upgradableBuilds(client: ClientDefinition): AppBuilds | undefined {
  return client.builds && client.builds.versions.length > 1 ? client.builds : undefined;
}

class World {
  private readonly history = new History();
  private readonly scheduler: Scheduler;
  private readonly network: Network;
  private readonly server: FaultyServer;
  /** The reference server process the FaultyServer passes requests to: what tombstone_retention prunes. */
  private reference: ReferenceServer;
  private serverDb: Database.Database;
  /** The server's restore generation: 1, and one more after each server restore. */
  private serverEpoch = 1;
  /** Above every version the server handed out before its last restore: restored versions are never reused. */
  private serverVersionFloor = 0;
  private readonly devices: Device[] = [];
  private readonly users: SimulatedUser[] = [];
  private readonly nemesis: Nemesis;
  private readonly nemesisSettings: NemesisSettings | undefined;
  private readonly boots = new Set<Promise<void>>();
  private serverChanges: Promise<void> = Promise.resolve();
  private readonly warnings = new Set<string>();
  /** Push pokes, when the scenario has them: the server's hub and the far ends of the devices' sockets. */
  private readonly pokes: PokeHub | undefined;
  private readonly socketEnds: SocketEnds | undefined;
  /** With virtual globals: which app process the code running now belongs to. */
  private readonly contexts: ProcessContexts | undefined;
  private uninstallGlobals: (() => void) | undefined;
  private failure: Error | undefined;
  /** Why the run stopped at a bound on events, once it has. */
  private bound: string | undefined;
  private currentPhase: PhaseEvent['phase'] = 'chaos';
  private phaseStartEvents = 0;
  private instant = { ms: 0, startEvents: 0 };
  /** What every wait of the run stops on: a failure of the system under test, or a bound reached. */
  private readonly stopped = () => this.failure !== undefined || this.boundReached();

  constructor(
    private readonly scenario: Scenario,
    private readonly options: RunOptions,
    root: string,
    private readonly transport: Transport,
  ) {
    const fail = (error: unknown) => this.fail(error);
    this.scheduler = transport.createScheduler(fail);
    this.network = new Network(this.scheduler, createRng(options.seed, 'network'), scenario.network, (event) =>
      this.history.append({ t: this.scheduler.nowMs, type: 'message', ...event }),
    );
    this.serverDb = openStore();
    this.contexts = globalsOf(scenario, options.client) === 'virtual' ? new ProcessContexts() : undefined;
    // with virtual globals a library may open sockets of its own, so the server has its socket endpoint
    this.pokes = scenario.system.pokes || this.contexts ? new PokeHub() : undefined;
    this.socketEnds = this.pokes && transport.socketEnds(this.pokes);
    this.reference = this.referenceServer();
    this.server = new FaultyServer(this.reference, createRng(options.seed, 'server-faults'));
    for (let index = 1; index <= scenario.devices; index++) {
      const deviceId = `d${index}`;
      this.devices.push(
        new Device({
          deviceId,
          folder: join(root, deviceId),
          scheduler: this.scheduler,
          clock: new DeviceClock(),
          rng: createRng(options.seed, `client:${deviceId}`),
          history: this.history,
          factory: options.client.factory,
          fetch: transport.deviceFetch({
            scheduler: this.scheduler,
            network: this.network,
            server: this.server,
            link: deviceId,
            requestTimeoutMs: scenario.system.requestTimeoutMs,
            onServerError: fail,
          }, this.history),
          ...(this.socketEnds && { openSocket: this.socketOpener(deviceId, this.socketEnds) }),
          ...(transport.openProxy && { openProxy: transport.openProxy.bind(transport, { scheduler: this.scheduler, network: this.network, link: deviceId }) }),
          ...(this.contexts && { contexts: this.contexts }),
        }),
      );
    }
    this.nemesis = new Nemesis(this.faultWorld(), scenario.durationMs);
    this.nemesisSettings = this.nemesisFor(options.client);
    if (this.nemesisSettings) this.nemesis.draw(this.nemesisSettings, createRng(options.seed, 'nemesis'));
    for (const [deviceId, appVersion] of firstAppVersions([...scenario.faults, ...this.nemesis.drawn])) {
      this.devices.find((device) => device.id === deviceId)?.install(this.builds().build(appVersion));
    }
  }

  /**
   * Readies the server the devices talk to (a listening socket, in http mode), then runs. A server
   * that cannot be reached or started is this case's error, before any device boots: the other
   * cases of the sweep still run. A server the run cannot use at all (one holding records) is bad input.
   */
  async start(): Promise<RunResult | PlayedRun> {
    if (this.contexts) this.uninstallGlobals = this.virtualGlobals(this.contexts);
    try {
      await this.transport.open(this.server, this.history, this.pokes);
    } catch (error) {
      if (error instanceof BadInputError) throw error;
      this.fail(error);
      return this.result('error', false, {});
    }
    return this.run();
  }

  private async run(): Promise<RunResult | PlayedRun> {
    const onUnhandled = (reason: unknown) => this.fail(reason);
    process.on('unhandledRejection', onUnhandled);
    const uninstallTraps =
      this.scenario.system.transport === 'simulated'
        ? installRealWorldTraps(this.trappedKinds(), ({ kind, stack }) =>
            this.warnings.add(`the system under test called the real ${kind} during a simulated run, so a seed may not replay:\n${stack.replace(/^/gm, '    ')}`),
          )
        : undefined;
    // the run quiesced when every quiesce phase did (and at least one ran)
    const quiesces: boolean[] = [];
    const quiesced = () => quiesces.length > 0 && quiesces.every(Boolean);
    try {
      for (const phase of phasesOf(this.scenario)) {
        // a failed run is not resumed: users acting again would only echo the failure
        if (phase.kind === 'resume' && this.failure) break;
        // a run that reached a bound ends there: it may be a loop at one instant, so nothing after could wait for time
        if (this.bound !== undefined) break;
        this.phase(phase.kind);
        if (phase.kind === 'chaos') await this.chaos(phase.forMs);
        else if (phase.kind === 'resume') await this.resume(phase.forMs);
        else quiesces.push(await this.quiesce(phase.by));
      }
      this.phase('end', quiesced() && this.bound === undefined);
    } catch (error) {
      this.fail(error);
    } finally {
      uninstallTraps?.();
      process.off('unhandledRejection', onUnhandled);
    }
    return this.failure ? this.result('error', quiesced(), {}) : this.played(quiesced());
  }

  /** What the traps watch: the global fetch always, and the clock, timers and randomness unless they are virtual. */
  private trappedKinds(): TrappedKind[] {
    return this.contexts ? ['fetch'] : ['Math.random', 'crypto.randomUUID', 'fetch', 'Date.now', 'setTimeout'];
  }

  /**
   * Puts the globals on the run's clock and seeded streams, each global timer bound to the app process that
   * sets it, and routes the WebSockets a device's code opens over its link.
   */
  private virtualGlobals(contexts: ProcessContexts): () => void {
    const { seed } = this.options;
    const bytes = createRng(seed, 'globals:bytes').next;
    const uninstall = installVirtualGlobals({
      scheduler: this.scheduler,
      random: createRng(seed, 'globals:math-random').next,
      uuid: () => uuidFrom(bytes),
      bytes,
      own: (callback) => contexts.own(callback),
    });
    const unroute = routeWebSockets((url) => {
      const process = contexts.current();
      const { pathname, search } = new URL(url);
      const socket = process?.openSocket(pathname + search);
      if (!socket) throw new SystemUnderTestError(`a WebSocket to ${url} was opened outside any device's code (a timer of the harness, module scope): only a device's code has a link to the server`);
      return socket;
    });
    return () => {
      unroute();
      uninstall();
    };
  }

  /** Ends the case: every device's app is fenced and its store closed, and the globals are real again. */
  close(): void {
    this.socketEnds?.close();
    for (const device of this.devices) device.close();
    this.serverDb.close();
    this.uninstallGlobals?.();
  }

  /**
   * The scenario's nemesis; `--swarm` turns its draws into swarm draws, or brings one that draws every
   * kind the transport and `client` can take. A client without app builds is never drawn an upgrade.
   */
  private nemesisFor(client: ClientDefinition): NemesisSettings | undefined {
    const settings = this.options.swarm ? (this.scenario.nemesis ? { ...this.scenario.nemesis, swarm: true } : SWARM_NEMESIS) : this.scenario.nemesis;
    if (!settings) return undefined;
    const excluded = [...this.transport.unsupportedFaults, ...(upgradableBuilds(client) ? [] : ['upgrade'])];
    const kinds = settings.kinds.filter((kind) => !excluded.includes(kind));
    if (this.scenario.nemesis?.kinds.includes('upgrade') && !kinds.includes('upgrade')) {
      this.warnings.add('the nemesis skips `upgrade`: this client declares no older app builds to upgrade from (`builds` in defineClient, docs/adapters.md)');
    }
    return kinds.length > 0 ? { ...settings, kinds } : undefined;
  }

  /** The client's app builds; clientMisfit and nemesisFor keep upgrades away from a client without them. */
  private builds(): AppBuilds {
    const builds = upgradableBuilds(this.options.client);
    if (!builds) throw new Error('an upgrade needs a client that declares its app builds');
    return builds;
  }

  /** A server process over the server's database: what a restart brings up again. */
  private referenceServer(): ReferenceServer {
    return createReferenceServer(this.serverDb, {
      policy: this.scenario.system.conflict,
      epoch: this.serverEpoch,
      versionFloor: this.serverVersionFloor,
      onCommit: ({ record, changeId, deviceId }) =>
        this.history.append({ t: this.scheduler.nowMs, type: 'commit', process: deviceId, changeId, ...record }),
      onPushCommitted: ({ deviceId, cursor }) => this.pokes?.poke(deviceId, cursor),
    });
  }

  /** How one device opens sockets: over its link, to the far ends the transport makes. */
  private socketOpener(deviceId: string, ends: SocketEnds): NonNullable<ConstructorParameters<typeof Device>[0]['openSocket']> {
    const connect = ends.connector(deviceId);
    return (path, hear) => new LinkSocket({ scheduler: this.scheduler, network: this.network, link: deviceId, connect, hear }, path);
  }

  private faultWorld(): FaultWorld {
    return {
      scheduler: this.scheduler,
      network: this.network,
      links: new LinkControl(this.network),
      history: this.history,
      devices: new Map(this.devices.map((device) => [device.id, device])),
      server: this.server,
      rng: createRng(this.options.seed, 'faults'),
      stopServer: () => {
        const process = this.transport.serverProcess();
        if (process) this.serverChange(() => process.stop());
        else this.server.stop();
      },
      restartServer: () => {
        const process = this.transport.serverProcess();
        if (process) return this.serverChange(() => process.start());
        this.serverDb = reopenStore(this.serverDb);
        this.reference = this.referenceServer();
        this.server.restart(this.reference);
      },
      serverCursor: () => this.reference.lastCursor(),
      pruneTombstones: (throughCursor) => {
        this.reference.pruneTombstones(throughCursor);
      },
      backupServer: () => ({ takenAtMs: this.scheduler.nowMs, database: this.serverDb.serialize() }),
      restoreServer: (backup) => {
        this.serverVersionFloor = this.reference.topVersion();
        this.serverDb.close();
        this.serverDb = openStore(Buffer.from(backup.database));
        this.serverEpoch++;
        this.reference = this.referenceServer();
        this.server.restart(this.reference);
        const cursor = this.reference.lastCursor();
        this.history.append({ t: this.scheduler.nowMs, type: 'server-restore', snapshotAtMs: backup.takenAtMs, cursor, epoch: this.serverEpoch });
      },
      latestApp: (failing) => this.builds().build(this.builds().versions.at(-1) as number, { failingMigration: failing }),
      boot: (device) => {
        const boot = device.boot().catch((error) => this.fail(error));
        this.boots.add(boot);
        void boot.then(() => this.boots.delete(boot));
      },
      foreground: (device) => {
        if (device.running) device.client.sync().catch((error) => this.fail(error));
      },
    };
  }

  /** A stop or start of a server process the transport holds, after the one before it; the chaos phase awaits it as it does reboots. */
  private serverChange(change: () => Promise<void>): void {
    const done = (this.serverChanges = this.serverChanges.then(change).catch((error) => this.fail(error)));
    this.boots.add(done);
    void done.then(() => this.boots.delete(done));
  }

  /** Devices boot, the faults start and users act until `forMs` has passed; then every fault is healed and every reboot awaited. */
  private async chaos(forMs: number): Promise<void> {
    const untilMs = this.scheduler.nowMs + forMs;
    for (const device of this.devices) await device.boot();
    this.nemesis.start(this.scenario.faults, this.nemesisSettings);
    this.startUsers(untilMs);
    await this.scheduler.runUntil(untilMs, this.stopped);
    if (this.bound !== undefined) return;
    this.nemesis.healAll();
    await Promise.all(this.boots);
  }

  private startUsers(untilMs: number): void {
    for (const device of this.devices) {
      const user = new SimulatedUser({
        deviceId: device.id,
        scheduler: this.scheduler,
        rng: createRng(this.options.seed, `workload:${device.id}`),
        history: this.history,
        workload: this.scenario.workload,
        client: () => (device.running && !device.inBackground ? device.client : undefined),
        beforeWrite: () => device.beforeUserWrite(),
        onClientError: (error) => this.fail(error),
      });
      device.onDeath(() => user.interrupt());
      user.start(untilMs);
      this.users.push(user);
    }
  }

  /**
   * Every device syncs, round after round, until a round changes nothing and no record waits to be
   * sent; before each round the users settle any manual conflict still open. By `own-timers`: nobody
   * calls `sync()`; each round waits two sync intervals for the apps' own timers, as after the resume phase.
   * A quiescence that runs out of time records what each device still had waiting (`quiesce-timeout`).
   */
  private async quiesce(by: QuiesceBy): Promise<boolean> {
    const { quiesceTimeoutMs, system } = this.scenario;
    const onOwnTimers = by === 'own-timers';
    const sinceMs = this.scheduler.nowMs;
    // on their own timers, apps need a few of their sync intervals to show they have settled (within a day)
    const onOwnTimersMs = Math.max(quiesceTimeoutMs, Math.min(4 * system.syncIntervalMs, ON_OWN_TIMERS_MAX_MS));
    const deadlineMs = sinceMs + (onOwnTimers ? onOwnTimersMs : quiesceTimeoutMs);
    let previous: string | undefined;
    let unreturned: ReadonlySet<string> = new Set();
    while (this.scheduler.nowMs < deadlineMs && !this.stopped()) {
      for (const user of this.users) await user.resolveAll();
      if (onOwnTimers) {
        await this.scheduler.runUntil(Math.min(deadlineMs, this.scheduler.nowMs + 2 * system.syncIntervalMs), this.stopped);
      } else {
        unreturned = await this.syncEveryDevice(deadlineMs);
        if (unreturned.size > 0) break;
      }
      await this.scheduler.runUntil(Math.min(deadlineMs, this.scheduler.nowMs + SETTLE_GAP_MS), this.stopped);
      const { devices, server } = await this.finalStates();
      const snapshot = JSON.stringify({ devices, server });
      if (!devices.some((device) => waitingOf(device) > 0 || device.openConflicts > 0) && snapshot === previous) return true;
      previous = snapshot;
    }
    // the harness quiesces after the chaos phase, the apps' own timers after the resume phase (phases.ts)
    if (!this.stopped()) await this.timedOut(sinceMs, onOwnTimers ? 'resume' : 'chaos', unreturned);
    return false;
  }

  /** Records what every device still had waiting when a quiescence ran out of time. */
  private async timedOut(sinceMs: number, after: 'chaos' | 'resume', unreturned: ReadonlySet<string>): Promise<void> {
    const { devices } = await this.finalStates();
    this.history.append({
      t: this.scheduler.nowMs,
      type: 'quiesce-timeout',
      sinceMs,
      after,
      devices: devices.map((device) => ({
        device: device.deviceId,
        waiting: waitingOf(device),
        openConflicts: device.openConflicts,
        syncUnreturned: unreturned.has(device.deviceId),
      })),
    });
  }

  /** Calls `sync()` on every device, as a pull-to-refresh, and waits for all of them; answers the devices whose call had not returned by the deadline. */
  private async syncEveryDevice(deadlineMs: number): Promise<ReadonlySet<string>> {
    const unreturned = new Set(this.devices.map((device) => device.id));
    for (const device of this.devices) {
      device.client.sync().then(
        () => unreturned.delete(device.id),
        (error) => this.fail(error),
      );
    }
    await this.scheduler.runUntil(deadlineMs, () => unreturned.size === 0 || this.stopped());
    return unreturned;
  }

  /** Users act again for `forMs` with every fault healed; the quiesce after it shows whether the devices converge on their own. */
  private async resume(forMs: number): Promise<void> {
    const untilMs = this.scheduler.nowMs + forMs;
    for (const user of this.users) user.start(untilMs);
    await this.scheduler.runUntil(untilMs, this.stopped);
  }

  private async finalStates(): Promise<FinalStates> {
    const devices: DeviceFinalState[] = [];
    for (const device of this.devices) {
      const { client } = device;
      const conflicts = (await client.conflicts?.()) ?? [];
      devices.push({ deviceId: device.id, records: await client.list(), openConflicts: conflicts.length, conflicts });
    }
    return { devices, server: await this.transport.records(this.server) };
  }

  /** The final states, and what the checkers read with them: no device reads after these, so the history lets go of what each showed. */
  private async played(quiesced: boolean): Promise<PlayedRun> {
    const finalStates = await this.finalStates();
    this.history.endReads();
    const input: CheckInput = {
      events: this.history.events,
      faultSpans: this.history.faultSpans,
      ...finalStates,
      allow: this.scenario.allow,
      quiesced,
      commitLog: this.transport.commitLog,
      retryBudgetPerHour: this.scenario.system.retry.budgetPerHour,
    };
    return { input, outcome: this.outcome(quiesced) };
  }

  private result(verdict: RunResult['verdict'], quiesced: boolean, checks: Record<string, CheckResult>): RunResult {
    return resultOf(this.outcome(quiesced), verdict, checks);
  }

  private outcome(quiesced: boolean): Outcome {
    const { counts } = this.history;
    return {
      seed: this.options.seed,
      eventLogHash: this.history.hash(),
      counts: {
        devices: this.devices.length,
        ...counts,
        events: this.scheduler.eventsRun,
      },
      simulatedMs: this.scheduler.nowMs,
      quiesced,
      drawnFaults: this.nemesis.drawn,
      warnings: [...this.warnings],
      ...(this.failure && { error: { message: this.failure.message, stack: this.failure.stack } }),
      history: this.history,
      faultSpans: this.history.faultSpans,
    };
  }

  private phase(phase: PhaseEvent['phase'], quiesced?: boolean): void {
    this.currentPhase = phase;
    this.phaseStartEvents = this.scheduler.eventsRun;
    const bound = phase === 'end' ? this.bound : undefined;
    this.history.append({ t: this.scheduler.nowMs, type: 'phase', phase, ...(quiesced !== undefined && { quiesced }), ...(bound !== undefined && { bound }) });
  }

  /** Whether the run has reached a bound on events (asked before each event, so it counts them as they run). */
  private boundReached(): boolean {
    if (this.bound !== undefined) return true;
    const { nowMs, eventsRun } = this.scheduler;
    if (nowMs !== this.instant.ms) this.instant = { ms: nowMs, startEvents: eventsRun };
    if (eventsRun - this.phaseStartEvents >= MAX_EVENTS_PER_PHASE) {
      this.bound = `the ${this.currentPhase} phase ran ${MAX_EVENTS_PER_PHASE} events by ${formatDuration(nowMs)} of simulated time, the bound of a phase`;
    } else if (eventsRun - this.instant.startEvents >= MAX_EVENTS_PER_INSTANT) {
      this.bound = `${MAX_EVENTS_PER_INSTANT} events ran at ${formatDuration(nowMs)} of simulated time without time moving on: a timer or retry that never waits`;
    }
    return this.bound !== undefined;
  }

  /**
   * The first failure of the system under test stops the run; later ones are its echoes. What a
   * killed app's leftover code throws at its fenced handle is the kill working, not a failure.
   */
  private fail(error: unknown): void {
    if (error instanceof ProcessKilledError) return;
    this.failure ??= error instanceof Error ? error : new SystemUnderTestError(String(error));
  }
}

/** The records a device's app shows as still to be sent (`local` or `pending`). */
function waitingOf(device: DeviceFinalState): number {
  return device.records.filter((record) => record.status === 'local' || record.status === 'pending').length;
}
