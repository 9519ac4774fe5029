import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export { metricNames } from '../../../infra/definitions/metrics.js';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'learning-cities';

/** One structured logger per execution environment; the correlation id is appended per request/event. */
export const logger = new Logger({ serviceName });

/**
 * CloudWatch metrics (EMF) in the namespace POWERTOOLS_METRICS_NAMESPACE with the function's service as
 * the `service` dimension, flushed by the `logMetrics` middleware of the shared middy chains. Nothing is
 * written where POWERTOOLS_METRICS_DISABLED=true (the local runtime).
 */
export const metrics = new Metrics({ serviceName, logger });
