// Arbitrates the faults that share a device's link: a partition, a hold, a lost-response cut, a
// suspension and message faults may overlap, and healing one must not lift another. The link is
// partitioned while anything partitions it, else held while anything holds it, else up.
import type { LinkState, MessageFaults, Network } from '../sim/network.ts';
import { once, type Heal } from './heal.ts';

/** `response-lost` drops only what the server sends back: the request arrives, the answer never does. */
type Holder = 'partitioned' | 'held' | 'response-lost';
export type MessageFaultPart = Partial<MessageFaults>;

export class LinkControl {
  private readonly holders = new Map<string, Holder[]>();
  private readonly messageParts = new Map<string, MessageFaultPart[]>();

  constructor(private readonly network: Network) {}

  /** Puts a link into `state` until the returned heal is called. */
  hold(link: string, state: Holder): Heal {
    return heldUntilHealed(listFor(this.holders, link), state, () => this.apply(link));
  }

  /** Adds message faults to a link until healed; overlapping parts combine, later ones winning per field. */
  addMessageFaults(link: string, part: MessageFaultPart): Heal {
    return heldUntilHealed(listFor(this.messageParts, link), part, () => this.applyMessageFaults(link));
  }

  private apply(link: string): void {
    const holders = this.holders.get(link) ?? [];
    const state: LinkState = holders.includes('partitioned') ? 'partitioned' : holders.includes('held') ? 'held' : 'up';
    if (this.network.state(link) !== state) this.network.setState(link, state);
    this.network.blockDirection(link, 'to-device', holders.includes('response-lost'));
  }

  private applyMessageFaults(link: string): void {
    const parts = this.messageParts.get(link) ?? [];
    if (parts.length === 0) return this.network.setMessageFaults(link, undefined);
    this.network.setMessageFaults(link, Object.assign({ lossRate: 0, duplicateRate: 0, reorderMsMax: 0 }, ...parts));
  }
}

function listFor<T>(lists: Map<string, T[]>, link: string): T[] {
  let list = lists.get(link);
  if (!list) {
    list = [];
    lists.set(link, list);
  }
  return list;
}

/** Adds `item` to `list` and re-applies; the heal removes exactly that item and re-applies again. */
function heldUntilHealed<T>(list: T[], item: T, apply: () => void): Heal {
  list.push(item);
  apply();
  return once(() => {
    list.splice(list.indexOf(item), 1);
    apply();
  });
}
