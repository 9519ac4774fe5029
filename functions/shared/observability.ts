import { Logger } from '@aws-lambda-powertools/logger';

/** One structured logger per execution environment; the correlation id is appended per request/event. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'learning-cities' });
