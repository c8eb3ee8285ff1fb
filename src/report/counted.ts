// A count with its noun in the right number ("1 case", "2 cases"), for every line a person reads.

export function counted(count: number, noun: string, plural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : plural}`;
}
