import {
  type DynamoDBClient,
  ScanCommand,
  type ScanCommandInput,
  type ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';

/**
 * A parallel Scan: `segments` workers each page through their segment, handing every page to `onPage`
 * before asking for the next one.
 */
export const parallelScan = async (
  client: DynamoDBClient,
  input: Omit<ScanCommandInput, 'Segment' | 'TotalSegments' | 'ExclusiveStartKey'>,
  segments: number,
  onPage: (page: ScanCommandOutput) => Promise<void> | void,
  signal?: AbortSignal,
): Promise<void> => {
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let startKey: ScanCommandOutput['LastEvaluatedKey'];
      do {
        const page = await client.send(
          new ScanCommand({
            ...input,
            Segment: segment,
            TotalSegments: segments,
            ExclusiveStartKey: startKey,
          }),
          { abortSignal: signal },
        );
        await onPage(page);
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }),
  );
};
