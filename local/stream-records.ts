import type {
  AttributeValue as StreamAttributeValue,
  _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, AttributeValue as LambdaAttributeValue } from 'aws-lambda';

type LambdaImage = Record<string, LambdaAttributeValue>;

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** The SDK decodes binary attributes; a Lambda event (and a Pipe) carries them base64-encoded. */
export const toLambdaAttributeValue = (value: StreamAttributeValue): LambdaAttributeValue => {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaAttributeValue) };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  throw new Error(`Unsupported attribute value in a stream record: ${JSON.stringify(value)}`);
};

const toLambdaImage = (image: Record<string, StreamAttributeValue>): LambdaImage =>
  Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaAttributeValue(value)]));

/**
 * A record from DynamoDB Streams' GetRecords in the shape Lambda and EventBridge Pipes hand to their
 * targets (`DynamoDBRecord` of @types/aws-lambda): the same DynamoDB JSON, epoch seconds for the time.
 */
export const toLambdaStreamRecord = (record: StreamRecord, eventSourceARN: string): DynamoDBRecord => {
  const stream = record.dynamodb;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource ?? 'aws:dynamodb',
    awsRegion: record.awsRegion,
    eventSourceARN,
    dynamodb: stream && {
      ApproximateCreationDateTime:
        stream.ApproximateCreationDateTime && Math.floor(stream.ApproximateCreationDateTime.getTime() / 1000),
      Keys: stream.Keys && toLambdaImage(stream.Keys),
      NewImage: stream.NewImage && toLambdaImage(stream.NewImage),
      OldImage: stream.OldImage && toLambdaImage(stream.OldImage),
      SequenceNumber: stream.SequenceNumber,
      SizeBytes: stream.SizeBytes,
      StreamViewType: stream.StreamViewType,
    },
  };
};
