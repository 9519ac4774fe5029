import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outputKeys } from '../../infra/definitions/outputs.js';
import { rules } from '../../infra/definitions/rules.js';
import { PIPE_DEAD_LETTER_QUEUE } from '../../local/dead-letters.js';
import { dlq } from '../../local/ops/dlq.js';

/**
 * `npm run dlq -- ... --cloud` against a deployed stack, the AWS SDK replaced by aws-sdk-client-mock: the
 * stack's outputs name every queue and its DLQ, each DLQ holds three messages.
 */

const cloudFormation = mockClient(CloudFormationClient);
const sqs = mockClient(SQSClient);
const url = (name: string) => `https://sqs.eu-west-1.amazonaws.com/123456789012/${name}`;
const arnOfUrl = (queueUrl: string) => `arn:aws:sqs:eu-west-1:123456789012:${queueUrl.split('/').at(-1)}`;

let lines: string[];
const run = async (...args: string[]) => {
  lines = [];
  process.exitCode = undefined;
  await dlq([...args, '--cloud', '--region', 'eu-west-1'], (line = '') => lines.push(line));
  const code = process.exitCode;
  process.exitCode = undefined;
  return code;
};

beforeEach(() => {
  const outputs = [
    { OutputKey: outputKeys.pipeDeadLetterQueueUrl, OutputValue: url('pipe-dlq') },
    ...rules.flatMap((rule) => [
      { OutputKey: outputKeys.queueUrl(rule.name), OutputValue: url(`${rule.name}-queue`) },
      { OutputKey: outputKeys.deadLetterQueueUrl(rule.name), OutputValue: url(`${rule.name}-dlq`) },
    ]),
  ];
  cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'LearningCities-Dev',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: outputs,
      },
    ],
  });
  sqs.on(GetQueueAttributesCommand).callsFake(({ QueueUrl }: { QueueUrl: string }) => ({
    Attributes: { ApproximateNumberOfMessages: '3', QueueArn: arnOfUrl(QueueUrl) },
  }));
  sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
  sqs.on(ListMessageMoveTasksCommand).resolves({
    Results: [
      { Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 3, ApproximateNumberOfMessagesToMove: 3 },
    ],
  });
});
afterEach(() => {
  cloudFormation.reset();
  sqs.reset();
});
afterAll(() => {
  cloudFormation.restore();
  sqs.restore();
});

describe('npm run dlq -- --cloud', () => {
  it('lists the dead-letter queue of every rule and of the pipe', async () => {
    expect(await run('list', '--peek', '0')).toBeUndefined();
    for (const rule of rules)
      expect(lines).toContain(`${rule.name}: about 3 messages in ${url(`${rule.name}-dlq`)}`);
    expect(lines).toContain(`${PIPE_DEAD_LETTER_QUEUE}: about 3 messages in ${url('pipe-dlq')}`);
    const asked = sqs.commandCalls(GetQueueAttributesCommand).map((call) => call.args[0].input.QueueUrl);
    expect(new Set(asked)).toEqual(
      new Set([url('pipe-dlq'), ...rules.map((rule) => url(`${rule.name}-dlq`))]),
    );
  });

  it('redrives every queue with --all although the first one fails, reports each and exits 1', async () => {
    const [first, ...others] = rules;
    if (!first || others.length === 0) throw new Error('the test needs at least two rules');
    sqs.on(StartMessageMoveTaskCommand).callsFake(({ SourceArn }: { SourceArn: string }) => {
      if (SourceArn === arnOfUrl(url(`${first.name}-dlq`))) {
        const error = new Error('There is already a task running. Only one active task is allowed.');
        error.name = 'UnsupportedOperation';
        throw error;
      }
      return { TaskHandle: `task-of-${SourceArn}` };
    });

    expect(await run('redrive', '--all')).toBe(1);

    const started = sqs.commandCalls(StartMessageMoveTaskCommand).map((call) => call.args[0].input);
    expect(started).toHaveLength(rules.length);
    for (const rule of rules)
      expect(started).toContainEqual({
        SourceArn: arnOfUrl(url(`${rule.name}-dlq`)),
        DestinationArn: arnOfUrl(url(`${rule.name}-queue`)),
      });
    expect(lines).toContain(
      `${first.name}: not redriven: There is already a task running. Only one active task is allowed.`,
    );
    for (const rule of others)
      expect(lines).toContain(
        `${rule.name}: moving about 3 messages back to its queue (task task-of-${arnOfUrl(url(`${rule.name}-dlq`))})`,
      );
    expect(lines).toContain(`Not redriven: ${first.name}`);
  });

  it('exits 0 when every queue is redriven', async () => {
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task' });
    expect(await run('redrive', '--all')).toBeUndefined();
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(rules.length);
  });
});
