import cliProgress from 'cli-progress';

/** Progress of a known number of steps. */
export interface Progress {
  /** One more step done; `step` says what comes next (shown on a terminal only). */
  tick(step?: string): void;
  /** Leaves the display as it is (a bar stays on its line). Safe to call twice. */
  stop(): void;
}

export interface ProgressOptions {
  total: number;
  label: string;
  /** Where a plain line goes when `stream` is not a terminal. */
  log: (line: string) => void;
  /** Where the bar is drawn when it is a terminal; default process.stderr. */
  stream?: NodeJS.WriteStream;
}

/**
 * A cli-progress bar when `stream` is a terminal; otherwise (CI, a pipe, a log file) a plain line through
 * `log` at every tenth of the way, so that logs stay readable.
 */
export const createProgress = ({ total, label, log, stream = process.stderr }: ProgressOptions): Progress => {
  let done = 0;
  let stopped = false;

  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${label} [{bar}] {percentage}% | {value}/{total} requests | {step}`,
        barsize: 30,
        hideCursor: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { step: '' });
    return {
      tick(step = '') {
        if (stopped) return;
        done += 1;
        bar.update(done, { step });
      },
      stop() {
        if (stopped) return;
        stopped = true;
        bar.stop();
      },
    };
  }

  let shownTenths = 0;
  return {
    tick() {
      if (stopped) return;
      done += 1;
      const tenths = Math.floor((done * 10) / total);
      if (tenths > shownTenths) {
        shownTenths = tenths;
        log(`${label}: ${tenths * 10}% (${done}/${total} requests)`);
      }
    },
    stop() {
      stopped = true;
    },
  };
};
