import type { EventEnvelope } from '../../domain/events.js';

/**
 * A maker of event envelopes for tests of pure projections: each envelope numbered on from the last
 * (eventId `e<n>`, version n), of conference `c1`, with the given stream, time and schema version, and
 * `data` over `defaults.data`. Its data is not validated: the test names exactly what the projection reads.
 */
export const envelopeMaker = (defaults: {
  streamId: string;
  occurredAt: string;
  schemaVersion: number;
  correlationId: string;
  data?: Record<string, unknown>;
}) => {
  let version = 0;
  return (type: string, data: Record<string, unknown>, streamId = defaults.streamId): EventEnvelope =>
    ({
      eventId: `e${++version}`,
      type,
      streamId,
      version,
      conferenceId: 'c1',
      occurredAt: defaults.occurredAt,
      data: { ...defaults.data, ...data },
      metadata: { correlationId: defaults.correlationId, schemaVersion: defaults.schemaVersion },
    }) as unknown as EventEnvelope;
};
