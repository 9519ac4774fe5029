/** Where the local runtime reports what it does; tests pass a silent one. */
export interface LocalLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);

export const consoleLogger = (prefix: string): LocalLogger => ({
  info: (message) => console.log(`[${prefix}] ${message}`),
  warn: (message) => console.warn(`[${prefix}] ${message}`),
  error: (message, error) => {
    const detail = error instanceof Error ? (error.stack ?? error.message) : error;
    console.error(`[${prefix}] ${message}${detail === undefined ? '' : `: ${errorMessage(detail)}`}`);
  },
});

export const silentLogger: LocalLogger = { info: () => {}, warn: () => {}, error: () => {} };
