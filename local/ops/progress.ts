import cliProgress from 'cli-progress';

export interface RateProgress {
  /**
   * `value` of `total` done; `counted` is what the rate is of (e.g. events among the items scanned), over
   * `elapsedMs` if given, else since the progress was created.
   */
  update(value: number, counted: number, elapsedMs?: number): void;
  /** Leaves the bar on its line (or prints the last plain line). Safe to call twice. */
  stop(): void;
}

export interface RateProgressOptions {
  label: string;
  /** Approximate: the bar grows it when the value passes it. */
  total: number;
  /** What `value` counts, e.g. `items scanned`. */
  unit: string;
  /** What `counted` counts, e.g. `events`. */
  countedUnit: string;
  /** Where plain lines go when `stream` is not a terminal. */
  log: (line: string) => void;
  stream?: NodeJS.WriteStream;
}

const perSecond = (counted: number, ms: number) => (ms > 0 ? Math.round((counted * 1000) / ms) : 0);

/**
 * A cli-progress bar with a rate (`1,234 events/s`) on a terminal; elsewhere (CI, a pipe, a log file) a
 * plain line every 5 seconds and at the end, so that logs stay readable.
 */
export const createRateProgress = (options: RateProgressOptions): RateProgress => {
  const { label, unit, countedUnit, log, stream = process.stderr } = options;
  const started = performance.now();
  let total = Math.max(1, options.total);
  let stopped = false;
  let last = { value: 0, counted: 0, elapsedMs: undefined as number | undefined };
  const rate = () =>
    perSecond(last.counted, last.elapsedMs ?? performance.now() - started).toLocaleString('en-US');

  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format:
          `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {counted} ${countedUnit}, ` +
          `{rate} ${countedUnit}/s | {duration_formatted}`,
        barsize: 30,
        hideCursor: false,
        etaBuffer: 50,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { counted: 0, rate: '0' });
    return {
      update(value, counted, elapsedMs) {
        if (stopped) return;
        last = { value, counted, elapsedMs };
        if (value > total) {
          total = value;
          bar.setTotal(total);
        }
        bar.update(value, { counted: counted.toLocaleString('en-US'), rate: rate() });
      },
      stop() {
        if (stopped) return;
        stopped = true;
        bar.update(last.value, { counted: last.counted.toLocaleString('en-US'), rate: rate() });
        bar.stop();
      },
    };
  }

  let shownAt = performance.now();
  const line = () => {
    const percent = Math.min(100, Math.round((last.value * 100) / total));
    log(
      `${label}: ${percent}% (${last.value.toLocaleString('en-US')} of ~${total.toLocaleString('en-US')} ${unit}), ` +
        `${last.counted.toLocaleString('en-US')} ${countedUnit}, ${rate()} ${countedUnit}/s`,
    );
  };
  return {
    update(value, counted, elapsedMs) {
      if (stopped) return;
      last = { value, counted, elapsedMs };
      if (value > total) total = value;
      if (performance.now() - shownAt >= 5_000) {
        shownAt = performance.now();
        line();
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      line();
    },
  };
};

/**
 * A RateProgress shown from its first update on, so that the lines logged before (and waits) stay out
 * of its way; `total` is asked for then.
 */
export const createLazyRateProgress = (
  options: Omit<RateProgressOptions, 'total'> & { total: () => number },
): RateProgress => {
  let progress: RateProgress | undefined;
  return {
    update(value, counted, elapsedMs) {
      progress ??= createRateProgress({ ...options, total: options.total() });
      progress.update(value, counted, elapsedMs);
    },
    stop() {
      progress?.stop();
    },
  };
};
