export interface Summary {
  median: number;
  min: number;
  max: number;
  p90: number;
  n: number;
}

/** Median (mean of the middle two for even n), min, max and nearest-rank p90. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, p90: Number.NaN, n: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const p90 = sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)]!;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, p90, n: sorted.length };
}

/** Progress goes to stderr so stdout stays the report. */
export const progress = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};
