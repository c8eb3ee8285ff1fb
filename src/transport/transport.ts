// How a run's devices reach the server and where its time comes from. The simulated transport is
// the seeded in-process network on virtual time (a full replay); the http transport (src/net/)
// puts real sockets and real, scaled time underneath the same devices, faults and checkers.
import type { ServerRecord, SyncServer } from '../adapter.ts';
import type { FaultKind } from '../scenario/fault-specs.ts';
import type { History } from '../history/history.ts';
import type { PokeHub } from '../protocol/pokes.ts';
import type { Network } from '../sim/network.ts';
import { Scheduler } from '../sim/scheduler.ts';
import { createSimFetch, type SimFetchSettings } from './simulated/sim-fetch.ts';
import { mockSocketEnds, type SocketEnds } from './simulated/sim-socket.ts';

export interface Transport {
  /** Whether the same scenario and seed replay the same event log byte for byte. */
  readonly deterministic: boolean;
  /** Fault kinds this transport cannot inject (they act on a server it does not hold). */
  readonly unsupportedFaults: readonly FaultKind[];
  /** Whether the history holds the server's commits as they happen (honest-status judges from them). */
  readonly commitLog: boolean;
  createScheduler(onTaskError: (error: unknown) => void): Scheduler;
  /**
   * One device's Fetch API over its link. `history` is where a transport that cannot see the
   * server's own commit log records the commits the server's answers report.
   */
  deviceFetch(settings: SimFetchSettings, history: History): typeof fetch;
  /**
   * One boot's proxy of a device to the server, for the connections an engine opens itself (`env.serverUrl`);
   * absent where devices have no real sockets. The proxy ends at the boot's death (`cut`) or at `close`.
   */
  openProxy?(settings: { scheduler: Scheduler; network: Network; link: string }): Promise<DeviceProxy>;
  /** The server ends of the devices' sockets (push pokes); the run's own server accepts them into `pokes`. */
  socketEnds(pokes: PokeHub): SocketEnds;
  /**
   * Readies the server the devices talk to; `server` is the run's own (faulty) reference server, poking
   * through `pokes` if given; a server the transport starts itself reports its commits into `history`.
   */
  open(server: SyncServer, history: History, pokes?: PokeHub): Promise<void>;
  /**
   * The server process the transport started from a module that declares `restart`, for server_restart:
   * `stop` closes it, `start` brings a new one up over its data. Undefined for any other server.
   */
  serverProcess(): { stop(): Promise<void>; start(): Promise<void> } | undefined;
  /** The server's every record, tombstones included: ground truth for the checkers. */
  records(server: SyncServer): Promise<ServerRecord[]>;
  close(): Promise<void>;
}

/** Where a device's own connections go, and its cut. */
export interface DeviceProxy {
  readonly url: string;
  cut(): void;
}

export const simulatedTransport: Transport = {
  deterministic: true,
  unsupportedFaults: [],
  commitLog: true,
  createScheduler: (onTaskError) => new Scheduler(onTaskError),
  deviceFetch: createSimFetch,
  socketEnds: mockSocketEnds,
  open: async () => {},
  serverProcess: () => undefined,
  records: (server) => server.records(),
  close: async () => {},
};
