// Push pokes on the reference client: a WebSocket to the server's poke endpoint, opened at launch;
// each poke starts a sync at once, so another device's change arrives before the next polling tick.
// Polling keeps running as the fallback; a dropped socket is reopened after a seeded exponential
// backoff, and each open, close and poke is logged into the history.
import type { DeviceEnv, DeviceSocket, RetrySettings } from '../../adapter.ts';
import { POKES_PATH, type Poke } from '../../protocol/v1.ts';
import { backoffDelayMs } from './backoff.ts';

export class PokeSocket {
  /** Sockets that closed since one last opened: the exponent of the reconnect backoff. */
  private failures = 0;

  constructor(
    private readonly env: DeviceEnv & Required<Pick<DeviceEnv, 'openSocket'>>,
    private readonly retry: Pick<RetrySettings, 'baseMs' | 'maxMs'>,
    /** Starts a sync: on a poke, and on each open, to catch up with what was missed while closed. */
    private readonly poked: () => void,
  ) {}

  open(): void {
    const socket: DeviceSocket = this.env.openSocket(`${POKES_PATH}?device=${encodeURIComponent(this.env.deviceId)}`);
    socket.onopen = () => {
      this.failures = 0;
      this.env.log('socket-open');
      this.poked();
    };
    socket.onmessage = ({ data }) => {
      const poke = pokeOf(data);
      this.env.log(poke ? 'poke' : 'socket-unknown-frame', poke ? { cursor: poke.cursor } : { bytes: data.length });
      if (poke) this.poked();
    };
    socket.onclose = ({ code, reason }) => {
      this.failures++;
      const retryInMs = backoffDelayMs(this.failures, this.retry, this.env.random);
      this.env.log('socket-closed', { code, reason, retryInMs });
      this.env.setTimeout(() => this.open(), retryInMs);
    };
  }
}

function pokeOf(data: string): Poke | undefined {
  try {
    const frame = JSON.parse(data) as Partial<Poke> | null;
    return frame?.type === 'poke' && typeof frame.cursor === 'number' ? { type: 'poke', cursor: frame.cursor } : undefined;
  } catch {
    return undefined;
  }
}
