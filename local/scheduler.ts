import type { ScheduledEvent } from 'aws-lambda';
import type { RetentionResult } from '../functions/shared/personal-data/retention.js';
import { retentionSummary } from '../functions/shared/personal-data/retention-summary.js';
import { schedules as allSchedules, type ScheduleDefinition } from '../infra/definitions/schedules.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './aws-config.js';
import { createLambdaContext, invokeHandler } from './lambda-context.js';
import type { LocalLogger } from './log.js';
import { importFunction } from './repo-modules.js';
import { runWithTableGrants } from './table-grants.js';

type ScheduledHandler = (
  event: ScheduledEvent,
  context: ReturnType<typeof createLambdaContext>,
) => Promise<unknown>;

export interface Scheduler {
  /** Runs every schedule now (as its timer would) and resolves when they are done. */
  runNow(): Promise<void>;
  /** Clears the timers and waits for a run in progress. */
  stop(): Promise<void>;
}

/** The EventBridge Scheduled Event the cloud's schedule rule delivers. */
const scheduledEvent = (definition: ScheduleDefinition): ScheduledEvent => ({
  version: '0',
  id: crypto.randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: LOCAL_ACCOUNT,
  time: new Date().toISOString(),
  region: LOCAL_REGION,
  resources: [`arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${definition.name}`],
  detail: {},
});

/**
 * What a run of a schedule did, in lines for the console: the cloud's function logs it as JSON at INFO,
 * which the local stack keeps quiet, so the scheduler says it itself. A schedule not listed says nothing.
 */
const summaries: Record<string, (result: unknown) => string[]> = {
  EraseExpiredPersonalData: (result) => retentionSummary(result as RetentionResult),
};

/**
 * The local stand-in for the schedule rules: each handler of infra/definitions/schedules.ts runs once
 * `firstRunMs` after the start and then every `localPeriodMs`, one run of a schedule at a time.
 */
export const startScheduler = (options: {
  schedules?: readonly ScheduleDefinition[];
  firstRunMs?: number;
  logger: LocalLogger;
}): Scheduler => {
  const definitions = options.schedules ?? allSchedules;
  const timers: NodeJS.Timeout[] = [];
  const running = new Map<string, Promise<void>>();

  const run = (definition: ScheduleDefinition): Promise<void> => {
    const current = running.get(definition.name);
    if (current) return current;
    const started = (async () => {
      try {
        const handler = await importFunction<ScheduledHandler>(definition.entry);
        const context = createLambdaContext(definition.name, 15 * 60_000);
        // Held to the tables and actions its definition declares, as its role in the cloud.
        const result = await runWithTableGrants(
          definition,
          () => invokeHandler(handler, scheduledEvent(definition), context),
          (message) => options.logger.error(`${definition.name}: ${message}`),
        );
        for (const line of summaries[definition.name]?.(result) ?? []) options.logger.info(line);
      } catch (error) {
        // A run that failed in part tells what it did all the same (the error's cause is its result).
        const partial = error instanceof Error ? error.cause : undefined;
        if (typeof partial === 'object' && partial !== null && 'conferences' in partial)
          for (const line of summaries[definition.name]?.(partial) ?? []) options.logger.info(line);
        options.logger.error(`${definition.name} failed (it runs again in the next period)`, error);
      } finally {
        running.delete(definition.name);
      }
    })();
    running.set(definition.name, started);
    return started;
  };

  for (const definition of definitions) {
    const first = setTimeout(() => void run(definition), options.firstRunMs ?? 10_000);
    const every = setInterval(() => void run(definition), definition.localPeriodMs);
    first.unref();
    every.unref();
    timers.push(first, every);
  }

  return {
    async runNow() {
      await Promise.all(definitions.map(run));
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      await Promise.all(running.values());
    },
  };
};
