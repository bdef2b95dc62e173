// Capped lists for progress and error messages: "vm-a, vm-b, vm-c and 12 more".
export function capList(items: readonly string[], max = 5): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** "1 VM", "3 VMs": a count with its noun (regular plurals only). */
export function count(n: number, noun: string): string {
  return `${n} ${n === 1 ? noun : `${noun}s`}`;
}
