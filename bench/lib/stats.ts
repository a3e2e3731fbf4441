// Order statistics used in every figure.

/** Nearest-rank percentile of an already sorted array; NaN when empty. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Median with min and max across repetitions; NaN values (not measured) are left out. */
export function spread(values: readonly number[]): Spread {
  const s = sortedCopy(values.filter((v) => Number.isFinite(v)));
  if (s.length === 0) return { median: NaN, min: NaN, max: NaN };
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]! };
}
