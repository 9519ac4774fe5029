/**
 * The application metrics, declared once: the shared middy chains emit them (Powertools Metrics, EMF,
 * namespace POWERTOOLS_METRICS_NAMESPACE, dimension `service` = POWERTOOLS_SERVICE_NAME) and the CDK
 * Observability construct builds the alarms and the dashboard on them.
 */
export const metricNames = {
  /** A command (a write route) answered 2xx or 3xx. Dimensions: service, route. */
  commandSucceeded: 'CommandSucceeded',
  /** A command answered 4xx: invalid, unauthenticated, forbidden, not found, conflict. Dimensions: service, route. */
  commandRejected: 'CommandRejected',
  /** A command answered 5xx. Dimensions: service, route. */
  commandFailed: 'CommandFailed',
  /** A query (a read route) answered, whatever the status. Dimensions: service, route. */
  queryAnswered: 'QueryAnswered',
  /**
   * A 409 answer (dimensions: service, route), or an append refused because a stream was not at the
   * expected version, which the caller retries (dimensions: service, and route in an HTTP function).
   */
  conflicts: 'Conflicts',
  /**
   * Milliseconds from when a live event reached the bus (its EventBridge `time`) until a consumer has
   * handled it. Archive replays are not in it (see replayLag). Dimension: service.
   */
  projectionLag: 'ProjectionLag',
  /**
   * Milliseconds from when an archive replay put an event in the consumer's queue (SQS SentTimestamp)
   * until the consumer handled it: a replay's progress, apart from the live lag. Dimension: service.
   */
  replayLag: 'ReplayLag',
  /** Events a consumer handled, one value per batch. Dimension: service. */
  eventsHandled: 'EventsHandled',
} as const;

/** The dimension that names the route of an HTTP function's metrics (the route name of `routes`). */
export const ROUTE_DIMENSION = 'route';
