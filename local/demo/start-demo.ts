/** What `npm start` does about the demo conference (CONTRACT section 1, `DEMO`). */
import { consoleLogger, errorMessage, type LocalLogger } from '../log.js';
import { DEMO_ACRONYM } from './iclc2015.js';
import { loadDemoIfEmpty } from './load-demo.js';

/** `DEMO` unset, empty or `1` loads the demo; `0` (or false, no, off) does not. */
export const demoEnabled = (value = process.env.DEMO): boolean =>
  !['0', 'false', 'no', 'off'].includes((value ?? '').trim().toLowerCase());

export interface StartupDemo {
  /** The stack's loggers, with the HTTP API's request lines held back while the demo loads. */
  logger: (component: string) => LocalLogger;
  /**
   * Loads the demo on an empty store (or finds it) and returns the banner lines about it. Never throws:
   * a failed load is a warning on stderr, and the API keeps serving.
   */
  load(options: {
    apiUrl: string;
    token: string;
    outbox: string;
    signal?: AbortSignal;
    /** The stack's `settled`: the load ends when the pipeline has caught up, and its time says so. */
    settled?: () => Promise<void>;
  }): Promise<string[]>;
}

export const startupDemo = (enabled = demoEnabled()): StartupDemo => {
  let loading = false;
  return {
    logger(component) {
      const base = consoleLogger(component);
      if (component !== 'http') return base;
      // One line per request would tear the progress bar apart; failures are still logged.
      return { ...base, info: (message) => (loading ? undefined : base.info(message)) };
    },
    async load({ apiUrl, token, outbox, signal, settled }) {
      if (!enabled) return [];
      loading = true;
      try {
        const result = await loadDemoIfEmpty({
          apiUrl,
          token,
          outbox,
          signal,
          settled,
          log: (line) => process.stdout.write(`${line}\n`),
        });
        if (result.conferenceId === undefined)
          return [`  Demo conference ${DEMO_ACRONYM}: not loaded, the store already has other conferences`];
        return [
          `  Demo conference ${DEMO_ACRONYM}: ${result.conferenceId}   (${apiUrl}/conferences/${result.conferenceId}/agenda)`,
        ];
      } catch (error) {
        if (signal?.aborted) return [];
        process.stderr.write(
          `\nWarning: the demo conference ${DEMO_ACRONYM} was not loaded completely.\n  ${errorMessage(error)}\n` +
            '  The API serves all the same. To load the demo afresh, stop, empty DATA_DIR and start again.\n',
        );
        return [`  Demo conference ${DEMO_ACRONYM}: not loaded completely (see the warning above)`];
      } finally {
        loading = false;
      }
    },
  };
};
