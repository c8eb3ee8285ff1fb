// The simulated network: one link per device↔server pair, seeded latency per message, link states
// `up`, `partitioned` (dropped) and `held` (queued until released), and per-link message faults
// (loss, duplicates, reordering, latency). Requests and responses are separate messages; one a device
// could not even put on a partitioned link is still reported (`refused`), as the device's attempt.
import type { Rng } from './rng.ts';
import type { Scheduler } from './scheduler.ts';

export type LinkState = 'up' | 'partitioned' | 'held';
export type Direction = 'to-server' | 'to-device';

export interface NetworkSettings {
  latencyMsMin: number;
  latencyMsMax: number;
}

/** `refused`: the device's link was down (airplane mode), so the message never went on the wire. */
export type MessageFate = 'sent' | 'delivered' | 'dropped' | 'held' | 'refused';

/**
 * Message-level faults of one link, applied each time a message is put on the wire (when sent
 * on an up link, or released from a held one). The draws from the network's stream come in a
 * fixed order: loss, latency, reorder, duplicate (and the copy's latency); a fault at rate 0
 * draws nothing, so a link with no faults draws exactly one latency per message.
 */
export interface MessageFaults {
  /** Probability in [0, 1] that a message is lost on the wire (reported `dropped`). */
  lossRate: number;
  /**
   * Probability in [0, 1] that a message is delivered a second time, a fresh latency after the
   * first: `delivered` is reported twice and `deliver` runs twice, so callers must tolerate it.
   * A copy is never duplicated again.
   */
  duplicateRate: number;
  /** Extra delay per message, uniform in [0, reorderMsMax], so later messages overtake earlier ones. */
  reorderMsMax: number;
  /** Replaces the network's shortest delay on this link while set. */
  latencyMsMin?: number;
  /** Replaces the network's longest delay on this link while set. */
  latencyMsMax?: number;
}

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
  /** Told when the network drops the message (a copy's drop tells nothing: the original speaks for it). */
  lost: (() => void) | undefined;
  /** A duplicate made by the network, which is never duplicated again. */
  copy: boolean;
}

interface Link {
  state: LinkState;
  held: Message[];
  blockedDirections: Set<Direction>;
}

export class Network {
  private readonly links = new Map<string, Link>();
  private readonly faults = new Map<string, MessageFaults>();
  private readonly watchers = new Map<string, Set<(state: LinkState) => void>>();
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
    for (const watcher of [...(this.watchers.get(linkName) ?? [])]) watcher(state);
    if (state === 'held') return;
    const released = link.held.splice(0);
    for (const message of released) {
      if (state === 'up') this.transmit(message);
      else this.report('dropped', message);
    }
  }

  /** Hears each state a link is set to (a socket over it drops when it goes down); returns the unsubscribe. */
  watch(linkName: string, watcher: (state: LinkState) => void): () => void {
    const watchers = this.watchers.get(linkName) ?? new Set();
    this.watchers.set(linkName, watchers);
    watchers.add(watcher);
    return () => void watchers.delete(watcher);
  }

  /** Drops every message of one direction of a link while `blocked`: a response lost after the server did the work. */
  blockDirection(link: string, direction: Direction, blocked: boolean): void {
    const { blockedDirections } = this.link(link);
    if (blocked) blockedDirections.add(direction);
    else blockedDirections.delete(direction);
  }

  /** Sets a link's message faults; `undefined` heals them. Messages already on the wire keep their draws. */
  setMessageFaults(link: string, faults: MessageFaults | undefined): void {
    if (faults === undefined) {
      this.faults.delete(link);
      return;
    }
    const { lossRate, duplicateRate, reorderMsMax } = faults;
    const latencyMsMin = faults.latencyMsMin ?? this.settings.latencyMsMin;
    const latencyMsMax = faults.latencyMsMax ?? this.settings.latencyMsMax;
    if (!(lossRate >= 0 && lossRate <= 1)) throw new RangeError(`lossRate must be in [0, 1], got ${lossRate}`);
    if (!(duplicateRate >= 0 && duplicateRate <= 1)) throw new RangeError(`duplicateRate must be in [0, 1], got ${duplicateRate}`);
    if (!(reorderMsMax >= 0 && Number.isFinite(reorderMsMax))) throw new RangeError(`reorderMsMax must be a finite delay >= 0, got ${reorderMsMax}`);
    if (!(latencyMsMin >= 0 && latencyMsMin <= latencyMsMax && Number.isFinite(latencyMsMax))) {
      throw new RangeError(`link latency must satisfy 0 <= min <= max, got [${latencyMsMin}, ${latencyMsMax}]`);
    }
    this.faults.set(link, { ...faults });
  }

  /** Puts a message on a link; `deliver` runs when (and only if) it arrives, `lost` if it is dropped. */
  send(link: string, direction: Direction, label: string, sizeBytes: number, deliver: () => void, lost?: () => void): void {
    const message: Message = { id: this.nextMessageId++, link, direction, label, sizeBytes, deliver, lost, copy: false };
    this.report('sent', message);
    this.route(message);
  }

  /**
   * A message the device tried to send while its link is partitioned: the operating system refuses it
   * before it goes on the wire, so it is neither sent nor delivered, only reported as the device's attempt.
   */
  refuse(link: string, direction: Direction, label: string, sizeBytes: number): void {
    this.report('refused', { id: this.nextMessageId++, link, direction, label, sizeBytes, deliver: () => {}, lost: undefined, copy: false });
  }

  private route(message: Message): void {
    const link = this.link(message.link);
    if (link.state === 'partitioned' || link.blockedDirections.has(message.direction)) this.report('dropped', message);
    else if (link.state === 'held') {
      link.held.push(message);
      this.report('held', message);
    } else this.transmit(message);
  }

  /** Puts a message on the wire of an up link; the draws follow the order documented on `MessageFaults`. */
  private transmit(message: Message): void {
    const faults = this.faults.get(message.link);
    if (faults && faults.lossRate > 0 && this.rng.chance(faults.lossRate)) {
      this.report('dropped', message);
      return;
    }
    const latencyMsMin = faults?.latencyMsMin ?? this.settings.latencyMsMin;
    const latencyMsMax = faults?.latencyMsMax ?? this.settings.latencyMsMax;
    let delayMs = this.rng.int(latencyMsMin, latencyMsMax);
    if (faults && faults.reorderMsMax > 0) delayMs += this.rng.int(0, faults.reorderMsMax);
    this.arriveAfter(delayMs, message);
    if (faults && faults.duplicateRate > 0 && !message.copy && this.rng.chance(faults.duplicateRate)) {
      this.arriveAfter(delayMs + this.rng.int(latencyMsMin, latencyMsMax), { ...message, copy: true });
    }
  }

  /** Delivers a message after `delayMs` if its link is up then; otherwise it is dropped or held as the link says. */
  private arriveAfter(delayMs: number, message: Message): void {
    this.scheduler.after(delayMs, () => {
      const link = this.link(message.link);
      if (link.state !== 'up' || link.blockedDirections.has(message.direction)) {
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
    if (fate === 'dropped' && !message.copy) message.lost?.();
  }

  private link(name: string): Link {
    let link = this.links.get(name);
    if (!link) {
      link = { state: 'up', held: [], blockedDirections: new Set() };
      this.links.set(name, link);
    }
    return link;
  }
}
