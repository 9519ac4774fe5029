import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentsFunction } from '../../infra/definitions/documents.js';
import type { LearningCitiesStack } from '../../infra/learning-cities-stack.js';
import {
  arnOf,
  buildStack,
  logicalId,
  statementsOf,
  templateOf,
  unacknowledgedFindings,
} from './template.js';

/** CONTRACT 5.5: the documents made in the background, their queue, function and grants. */
describe('documents', () => {
  let stack: LearningCitiesStack;
  let template: Template;
  const roleOf = (name: string) => {
    const fn = name === 'MakeDocument' ? stack.documents.function : stack.httpApi.functions.get(name);
    if (!fn?.role) throw new Error(`no role for ${name}`);
    return logicalId(fn.role);
  };
  const actionsOf = (role: string, resource: string) =>
    (statementsOf(template).get(role) ?? [])
      // What the role may do: its Allow statements (a Deny takes away, e.g. the sensitive answers' context).
      .filter((statement) => statement.Effect === 'Allow')
      .filter((statement) => JSON.stringify(statement.Resource).includes(resource))
      .flatMap((statement) => [statement.Action].flat())
      .sort();
  const variablesOf = (fn: { node: unknown }) =>
    template.findResources('AWS::Lambda::Function')[logicalId(fn as never)]?.Properties.Environment.Variables;

  beforeAll(() => {
    stack = buildStack('dev');
    template = templateOf(stack);
  });

  it('runs one document per invocation for up to 15 minutes on a full vCPU, from an encrypted queue', () => {
    const fn = template.findResources('AWS::Lambda::Function')[logicalId(stack.documents.function)];
    expect(fn?.Properties).toMatchObject({
      Timeout: documentsFunction.timeoutSeconds,
      MemorySize: documentsFunction.memoryMb,
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack.documents.function) },
      EventSourceArn: arnOf(stack.documents.queue),
      BatchSize: 1,
    });
    const queue = template.findResources('AWS::SQS::Queue')[logicalId(stack.documents.queue)];
    expect(queue?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(documentsFunction.timeoutSeconds);
    expect(queue?.Properties.SqsManagedSseEnabled).toBe(true);
    expect(queue?.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: arnOf(stack.documents.deadLetterQueue),
      maxReceiveCount: 3,
    });
  });

  it('lets only POST documents send to the queue, and tells it where', () => {
    const queueArn = JSON.stringify(arnOf(stack.documents.queue)).slice(1, -1);
    const start = stack.httpApi.functions.get('StartDocument');
    expect(actionsOf(roleOf('StartDocument'), queueArn)).toContain('sqs:SendMessage');
    expect(variablesOf(start as never)?.DOCUMENTS_QUEUE_URL).toEqual({
      Ref: logicalId(stack.documents.queue),
    });
    for (const [name, fn] of stack.httpApi.functions) {
      if (name === 'StartDocument' || !fn.role) continue;
      expect(actionsOf(logicalId(fn.role), queueArn), name).toEqual([]);
    }
  });

  it('gives the function what it reads and writes, and no key that opens personal data', () => {
    const role = roleOf('MakeDocument');
    const bucket = JSON.stringify(arnOf(stack.exports.bucket)).slice(1, -1);
    expect(actionsOf(role, bucket)).toEqual(['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject']);
    const stateTable = JSON.stringify(arnOf(stack.eventStore.stateTable)).slice(1, -1);
    expect(actionsOf(role, stateTable)).toContain('dynamodb:UpdateItem');
    expect(actionsOf(role, stateTable)).not.toContain('dynamodb:PutItem');
    const macKey = JSON.stringify(arnOf(stack.personalData.emailMacKey)).slice(1, -1);
    expect(actionsOf(role, macKey)).toEqual(['kms:GenerateMac']);
    const dataKey = JSON.stringify(arnOf(stack.personalData.dataKey)).slice(1, -1);
    expect(actionsOf(role, dataKey)).toEqual([]);
    expect(variablesOf(stack.documents.function)?.EXPORTS_BUCKET).toEqual({
      Ref: logicalId(stack.exports.bucket),
    });
  });

  it('alarms on a dead letter of the documents queue, and passes cdk-nag', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(
      alarms.some((alarm) =>
        JSON.stringify(alarm.Properties.Dimensions ?? []).includes(
          logicalId(stack.documents.deadLetterQueue),
        ),
      ),
    ).toBe(true);
    expect(unacknowledgedFindings(stack).filter((finding) => finding.includes('/Documents/'))).toEqual([]);
  });
});
