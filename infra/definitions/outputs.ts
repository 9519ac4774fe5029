/**
 * The stack outputs that operators' tools read (`npm run rebuild -- --cloud`, `npm run dlq -- --cloud`),
 * declared once: infra/constructs/ops-outputs.ts writes them, local/ops reads them with DescribeStacks.
 */
export const outputKeys = {
  eventsTable: 'EventsTableName',
  readModelsTable: 'ReadModelsTableName',
  /** The read models of plaintext personal data: a rebuild --cloud of the registrant list or visa letters. */
  personalReadModelsTable: 'PersonalReadModelsTableName',
  dataKeysTable: 'DataKeysTableName',
  /** The KMS key (ARN) that wraps the data keys: a rebuild of a projection holding personal data opens events with it. */
  personalDataKeyArn: 'PersonalDataKeyArn',
  /** The KMS HMAC key (ARN) of the email guard and the check-in codes. */
  emailMacKeyArn: 'EmailMacKeyArn',
  streamStateTable: 'StreamStateTableName',
  eventBusName: 'EventBusName',
  eventArchiveName: 'EventArchiveName',
  pipeName: 'EventsPipeName',
  pipeDeadLetterQueueUrl: 'EventsPipeDeadLetterQueueUrl',
  /** The queue in front of a rule's consumer, by rule name. */
  queueUrl: (rule: string) => `${rule}QueueUrl`,
  /** Its dead-letter queue. */
  deadLetterQueueUrl: (rule: string) => `${rule}DeadLetterQueueUrl`,
} as const;
