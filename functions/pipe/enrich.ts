import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { type EventEnvelope, parseEnvelope } from '../../domain/events.js';

/**
 * Stream records of event items → the envelopes published on the bus (validated on the way). Only an
 * insert is an event being stored; an event item is never changed, but should one be, its change is not
 * published again (Pipes passes on what the enrichment returns, fewer records included).
 */
export const toEnvelopes = (records: DynamoDBRecord[]): EventEnvelope[] =>
  records
    .filter((record) => record.eventName === 'INSERT')
    .map((record) => {
      const image = record.dynamodb?.NewImage;
      if (!image) throw new Error(`Stream record ${record.eventID ?? ''} has no new image`);
      const {
        pk: _pk,
        sk: _sk,
        kind: _kind,
        catalog: _catalog,
        ...envelope
      } = unmarshall(image as Record<string, AttributeValue>);
      return parseEnvelope(envelope);
    });

/** The Pipe's enrichment step: one envelope per record, in order; the target takes detail-type from `type`. */
export const handler = async (records: DynamoDBRecord[]): Promise<EventEnvelope[]> => toEnvelopes(records);
