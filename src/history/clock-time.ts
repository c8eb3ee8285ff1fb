// Simulated time as every report and checker message prints it, one format everywhere:
// 1h02m03s, 10m04s, 12.5s. A person reads a run in minutes and seconds, not in milliseconds.

/** `ms` of simulated time as a person reads it: 1h02m03s, 10m04s, 12.5s. */
export function clockTime(ms: number): string {
  const seconds = Math.floor(ms / 1000) % 60;
  const minutes = Math.floor(ms / 60_000) % 60;
  const hours = Math.floor(ms / 3_600_000);
  if (hours > 0) return `${hours}h${pad(minutes)}m${pad(seconds)}s`;
  if (minutes > 0) return `${minutes}m${pad(seconds)}s`;
  return `${(ms / 1000).toFixed(1)}s`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
