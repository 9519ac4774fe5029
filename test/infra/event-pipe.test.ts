import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { toEnvelopes } from '../../functions/pipe/enrich.js';
import { iclc2015 } from '../domain/fixtures.js';
import { buildStack, templateOf } from './template.js';

/**
 * The Pipe keeps event items by their new image alone: whether Pipes can filter DynamoDB stream records on
 * `eventName` is not clearly documented, and a filter that matches nothing drops every event silently.
 */
describe('event pipe filter', () => {
  const pipe = Object.values(templateOf(buildStack('dev')).findResources('AWS::Pipes::Pipe'))[0];
  const filters = pipe?.Properties.SourceParameters.FilterCriteria.Filters as { Pattern: string }[];

  it('filters only on the new image: kind "event"', () => {
    expect(filters).toHaveLength(1);
    expect(JSON.parse(filters[0]?.Pattern ?? '{}')).toEqual({
      dynamodb: { NewImage: { kind: { S: ['event'] } } },
    });
    expect(filters[0]?.Pattern).not.toContain('eventName');
  });

  it('publishes inserts only: the change of an event item would not be published again', () => {
    const item = {
      pk: 'conference-c1',
      sk: 1,
      kind: 'event',
      eventId: 'e1',
      type: 'ConferenceCreated',
      streamId: 'conference-c1',
      version: 1,
      conferenceId: 'c1',
      occurredAt: '2015-06-01T12:00:00.000Z',
      data: { conferenceId: 'c1', ...iclc2015, capacity: 10, rooms: [{ name: 'Main' }] },
      metadata: { correlationId: 'c', schemaVersion: 1 },
    };
    const record = (eventName: 'INSERT' | 'MODIFY'): DynamoDBRecord => ({
      eventName,
      dynamodb: { NewImage: marshall(item) as never },
    });
    expect(toEnvelopes([record('INSERT')]).map((envelope) => envelope.eventId)).toEqual(['e1']);
    expect(toEnvelopes([record('MODIFY'), record('INSERT')]).map((envelope) => envelope.eventId)).toEqual([
      'e1',
    ]);
  });
});
