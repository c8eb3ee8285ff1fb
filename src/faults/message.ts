// Message faults on device links: extra latency, loss, duplication and reordering, each drawn
// per message from the network's seeded stream while the fault lasts.
import type { MessageFaultPart } from './link-control.ts';
import { healAll } from './heal.ts';
import type { FaultModule, FaultWorld } from './world.ts';

function onLinks(world: FaultWorld, targets: readonly string[], part: MessageFaultPart) {
  return healAll(targets.map((link) => world.links.addMessageFaults(link, part)));
}

export const latency: FaultModule<'latency'> = (world, spec) =>
  onLinks(world, spec.targets, { latencyMsMin: spec.latencyMsMin, latencyMsMax: spec.latencyMsMax });

export const loss: FaultModule<'loss'> = (world, spec) => onLinks(world, spec.targets, { lossRate: spec.rate });

export const duplicate: FaultModule<'duplicate'> = (world, spec) => onLinks(world, spec.targets, { duplicateRate: spec.rate });

export const reorder: FaultModule<'reorder'> = (world, spec) => onLinks(world, spec.targets, { reorderMsMax: spec.reorderMsMax });
