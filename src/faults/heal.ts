// How a fault ends: every fault module returns a heal, and the nemesis, the link arbiter and the
// run call it at most once to count; kept apart from the world so the link arbiter can share it.

/** Ends a fault; healing twice does nothing the second time. */
export type Heal = () => void;

/** One heal for many. */
export function healAll(heals: readonly Heal[]): Heal {
  return once(() => heals.forEach((heal) => heal()));
}

/** Wraps a heal so that only its first call acts. */
export function once(heal: Heal): Heal {
  let healed = false;
  return () => {
    if (healed) return;
    healed = true;
    heal();
  };
}
