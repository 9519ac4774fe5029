/**
 * The comparison for module init time (`npm run bench:bundles`): a register handler written the way a
 * first Lambda function usually is — middy, zod's classic API, the DynamoDB client — and bundled the
 * default way of CDK's NodejsFunction (CommonJS, not minified, the AWS SDK left to the runtime).
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';

const registration = z.object({
  givenName: z.string().min(1).max(100),
  familyName: z.string().min(1).max(100),
  email: z.email(),
  country: z.string().length(2),
  city: z.string().min(1).max(100),
  organization: z.string().max(200).optional(),
  category: z.enum(['mayor', 'academic', 'civil-society', 'media', 'other']),
  consent: z.literal(true),
});

const client = new DynamoDBClient({});

export const handler = middy(
  async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const parsed = registration.safeParse(JSON.parse(event.body ?? '{}'));
    if (!parsed.success) return { statusCode: 400, body: JSON.stringify(parsed.error.issues) };
    const registrationId = crypto.randomUUID();
    await client.send(
      new PutItemCommand({
        TableName: process.env.TABLE_NAME,
        Item: marshall({ pk: `registration-${registrationId}`, sk: 1, ...parsed.data }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { statusCode: 201, body: JSON.stringify({ registrationId }) };
  },
);
