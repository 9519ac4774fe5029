import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import { outputKeys } from '../../infra/definitions/outputs.js';
import { connectCloud } from '../../local/ops/targets.js';

/**
 * The ops commands' view of a deployed stack (`--cloud`), DescribeStacks replaced by aws-sdk-client-mock:
 * the tables and, for a rebuild that opens personal data, the stack's two KMS keys, from its outputs.
 */
const cloudFormation = mockClient(CloudFormationClient);
const dataKeyArn = 'arn:aws:kms:eu-west-1:123456789012:key/0f6c3c2e-data';
const macKeyArn = 'arn:aws:kms:eu-west-1:123456789012:key/7a1d9b4f-mac';

const stackWith = (outputs: Record<string, string>) =>
  cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'LearningCities-Dev',
        CreationTime: new Date(),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });

const tables = {
  [outputKeys.eventsTable]: 'Events',
  [outputKeys.streamStateTable]: 'StreamState',
  [outputKeys.readModelsTable]: 'ReadModels',
  [outputKeys.personalReadModelsTable]: 'PersonalReadModels',
  [outputKeys.dataKeysTable]: 'DataKeys',
};

afterAll(() => cloudFormation.restore());

describe('connectCloud', () => {
  it('finds the tables and the keys of personal data in the stack outputs', async () => {
    stackWith({
      ...tables,
      [outputKeys.personalDataKeyArn]: dataKeyArn,
      [outputKeys.emailMacKeyArn]: macKeyArn,
    });
    const target = await connectCloud({ stage: 'dev', region: 'eu-west-1' });
    try {
      expect(target.tables).toEqual({
        events: 'Events',
        streamState: 'StreamState',
        readModels: 'ReadModels',
        dataKeys: 'DataKeys',
        personalReadModels: 'PersonalReadModels',
      });
      expect(target.keys).toEqual({ dataKeyId: dataKeyArn, macKeyId: macKeyArn, region: 'eu-west-1' });
    } finally {
      await target.close();
    }
  });

  it('has no keys for a stack deployed before they were outputs (the environment names them then)', async () => {
    stackWith(tables);
    const target = await connectCloud({ stage: 'dev', region: 'eu-west-1' });
    try {
      expect(target.keys).toBeUndefined();
    } finally {
      await target.close();
    }
  });
});
