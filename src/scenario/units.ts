// Durations ("500ms", "90s", "10m", "2h") and rates ("30/min", "2/s", "4/h") as scenario files write them.
// Durations are whole numbers of one unit so every value resolves to exact milliseconds ("1.5h" is rejected);
// a signed duration ("-5m", "+90s", "90s") is a shift such as a clock offset. Rates may be decimal ("0.5/s")
// because they only ever feed a random arrival process.

export const DURATION_PATTERN = /^(\d+)(ms|s|m|h)$/;
export const SIGNED_DURATION_PATTERN = /^([+-]?)(\d+(?:ms|s|m|h))$/;
export const RATE_PATTERN = /^(\d+(?:\.\d+)?)\/(s|min|h)$/;

const MS_PER_DURATION_UNIT = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const SECONDS_PER_RATE_UNIT = { s: 1, min: 60, h: 3_600 } as const;
const COMPACT_DURATION_UNITS = ['h', 'm', 's'] as const;

type DurationUnit = keyof typeof MS_PER_DURATION_UNIT;
type RateUnit = keyof typeof SECONDS_PER_RATE_UNIT;

/** Milliseconds for a duration like "90s", or undefined if the text is not one (or exceeds a safe integer). */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (match === null) return undefined;
  const ms = Number(match[1]) * MS_PER_DURATION_UNIT[match[2] as DurationUnit];
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** Milliseconds for a duration with an optional sign like "-5m", or undefined if the text is not one. */
export function parseSignedDuration(text: string): number | undefined {
  const match = SIGNED_DURATION_PATTERN.exec(text);
  if (match === null) return undefined;
  const ms = parseDuration(match[2] ?? '');
  if (ms === undefined || match[1] !== '-') return ms;
  return 0 - ms; // not -ms: "-0s" is 0, never -0
}

/** The shortest duration text that parses back to `ms`: 600000 -> "10m", 1500 -> "1500ms". */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`cannot format ${ms} as a duration: expected whole milliseconds >= 0`);
  const unit = COMPACT_DURATION_UNITS.find((candidate) => ms > 0 && ms % MS_PER_DURATION_UNIT[candidate] === 0) ?? 'ms';
  return `${ms / MS_PER_DURATION_UNIT[unit]}${unit}`;
}

/** Events per second for a rate like "6/min", or undefined if the text is not one (or overflows). */
export function parseRate(text: string): number | undefined {
  const match = RATE_PATTERN.exec(text);
  if (match === null) return undefined;
  const perSecond = Number(match[1]) / SECONDS_PER_RATE_UNIT[match[2] as RateUnit];
  return Number.isFinite(perSecond) ? perSecond : undefined;
}

/** Events per hour for a rate in events per second, as parseRate returns it. */
export function perHour(perSecond: number): number {
  return perSecond * SECONDS_PER_RATE_UNIT.h;
}
