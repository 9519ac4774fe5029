/** Small statistics and formatting helpers shared by the benchmarks and the load proof. */

export const sorted = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);

/** The p-th percentile (0–100) by nearest rank; NaN for no values. */
export const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const ordered = sorted(values);
  const rank = Math.ceil((p / 100) * ordered.length);
  return ordered[Math.min(ordered.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
};

export const median = (values: readonly number[]): number => {
  if (values.length === 0) return Number.NaN;
  const ordered = sorted(values);
  const middle = Math.floor(ordered.length / 2);
  return ordered.length % 2
    ? (ordered[middle] ?? Number.NaN)
    : ((ordered[middle - 1] ?? 0) + (ordered[middle] ?? 0)) / 2;
};

export const ms = (value: number, digits = 0): string =>
  Number.isFinite(value) ? `${value.toFixed(digits)} ms` : 'n/a';

export const seconds = (valueMs: number, digits = 2): string =>
  Number.isFinite(valueMs) ? `${(valueMs / 1000).toFixed(digits)} s` : 'n/a';

export const ratio = (value: number, baseline: number): string =>
  Number.isFinite(value / baseline) ? `${(value / baseline).toFixed(2)}×` : 'n/a';

export const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

export const verdict = (met: boolean): string => (met ? 'met' : '**missed**');

/** Runs `work` over `items` with at most `concurrency` in flight; results in the order of `items`. */
export const pool = async <T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> => {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= items.length) return;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
};

/** Wall time of `work` in milliseconds, with its result. */
export const timed = async <R>(work: () => Promise<R>): Promise<{ ms: number; result: R }> => {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
};
