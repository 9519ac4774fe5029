import { EVENT_SOURCE } from './rules.js';
import type { TableAccessDefinition } from './table-access.js';

/**
 * What the pipe's enrichment function may do on the tables (infra/definitions/table-access.ts): nothing,
 * it only reshapes the records the pipe hands it. Locally the stream poller runs it held to that.
 */
const enrichmentAccess: TableAccessDefinition & { name: string } = {
  name: 'EventPipeEnrichment',
  writes: false,
  tables: [],
};

/**
 * DynamoDB stream → bus. In the cloud an EventBridge Pipe with this filter and the enrichment function
 * (which turns stream records into envelopes); locally the stream poller applies the same filter with the
 * same matcher and calls the same enrichment code.
 */
export const pipeDefinition = {
  /**
   * Only event items, told by their new image: guards and stored idempotent responses never reach the bus,
   * nor does a deletion (it has no new image). Not on `eventName`, which AWS's documentation does not
   * clearly list as filterable for Pipes (a filter that matches nothing would drop every event silently);
   * event items are written once and never changed, and the enrichment passes on inserts only.
   */
  filterPattern: { dynamodb: { NewImage: { kind: { S: ['event'] } } } },
  enrichment: 'functions/pipe/enrich.ts',
  enrichmentAccess,
  source: EVENT_SOURCE,
  /** Pipe target parameter: the detail-type is taken from the enriched envelope. */
  detailTypePath: '$.type',
  batchSize: 10,
  maxRetryAttempts: 5,
} as const;
