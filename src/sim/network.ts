// The simulated network: one link per device↔server pair, seeded latency per message, and
// link states `up`, `partitioned` (messages are dropped) and `held` (queued until released).
// Requests and responses are separate messages, so either can be lost on its own.
import type { Rng } from './rng.ts';
import type { Scheduler } from './scheduler.ts';

export type LinkState = 'up' | 'partitioned' | 'held';
export type Direction = 'to-server' | 'to-device';

export interface NetworkSettings {
  latencyMsMin: number;
  latencyMsMax: number;
}

export type MessageFate = 'sent' | 'delivered' | 'dropped' | 'held';

/** What the network reports about each message, for the run's history. */
export interface MessageEvent {
  fate: MessageFate;
  messageId: number;
  link: string;
  direction: Direction;
  label: string;
  sizeBytes: number;
}

interface Message {
  id: number;
  link: string;
  direction: Direction;
  label: string;
  sizeBytes: number;
  deliver: () => void;
}

interface Link {
  state: LinkState;
  held: Message[];
}

export class Network {
  private readonly links = new Map<string, Link>();
  private nextMessageId = 1;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly rng: Rng,
    private readonly settings: NetworkSettings,
    private readonly observe: (event: MessageEvent) => void,
  ) {}

  state(link: string): LinkState {
    return this.link(link).state;
  }

  /** Changes a link's state; leaving `held` releases its queue, each message with a fresh latency. */
  setState(linkName: string, state: LinkState): void {
    const link = this.link(linkName);
    link.state = state;
    if (state === 'held') return;
    const released = link.held.splice(0);
    for (const message of released) {
      if (state === 'up') this.transmit(message);
      else this.report('dropped', message);
    }
  }

  /** Puts a message on a link; `deliver` runs when (and only if) it arrives. */
  send(link: string, direction: Direction, label: string, sizeBytes: number, deliver: () => void): void {
    const message: Message = { id: this.nextMessageId++, link, direction, label, sizeBytes, deliver };
    this.report('sent', message);
    this.route(message);
  }

  private route(message: Message): void {
    const link = this.link(message.link);
    if (link.state === 'partitioned') this.report('dropped', message);
    else if (link.state === 'held') {
      link.held.push(message);
      this.report('held', message);
    } else this.transmit(message);
  }

  private transmit(message: Message): void {
    const latencyMs = this.rng.int(this.settings.latencyMsMin, this.settings.latencyMsMax);
    this.scheduler.after(latencyMs, () => {
      const link = this.link(message.link);
      if (link.state !== 'up') {
        this.route(message);
        return;
      }
      this.report('delivered', message);
      message.deliver();
    });
  }

  private report(fate: MessageFate, message: Message): void {
    this.observe({
      fate,
      messageId: message.id,
      link: message.link,
      direction: message.direction,
      label: message.label,
      sizeBytes: message.sizeBytes,
    });
  }

  private link(name: string): Link {
    let link = this.links.get(name);
    if (!link) {
      link = { state: 'up', held: [] };
      this.links.set(name, link);
    }
    return link;
  }
}
