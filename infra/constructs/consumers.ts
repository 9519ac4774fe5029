import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type EventPattern as CdkEventPattern, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  defaultMaxConcurrency,
  type EventPattern,
  type RuleDefinition,
  rules,
} from '../definitions/rules.js';
import { env, SES_SEND_RATE } from '../definitions/tables.js';
import { type Stage, settingsOf } from '../stage.js';
import type { EventStore } from './event-store.js';
import { functionTimeouts, LambdaFunction } from './lambda-function.js';
import type { Notifications } from './notifications.js';
import type { PersonalData } from './personal-data.js';
import { grantTableAccess } from './table-grants.js';

/** The top-level fields of an EventBridge pattern, by their name in CDK's `EventPattern`. */
const patternFields = {
  version: 'version',
  id: 'id',
  'detail-type': 'detailType',
  source: 'source',
  account: 'account',
  time: 'time',
  region: 'region',
  resources: 'resources',
  detail: 'detail',
} as const satisfies Record<string, keyof CdkEventPattern>;

/** Maps a pattern of `infra/definitions/rules.ts` (EventBridge JSON) to CDK's `EventPattern`. */
export const toCdkEventPattern = (pattern: EventPattern): CdkEventPattern => {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pattern)) {
    const field = patternFields[key as keyof typeof patternFields];
    if (!field) {
      throw new Error(`Unsupported top-level event pattern field: ${key}`);
    }
    if (field !== 'detail' && !Array.isArray(value)) {
      throw new Error(`Event pattern field ${key} must be a list of values`);
    }
    result[field] = value;
  }
  return result as CdkEventPattern;
};

export interface ConsumersProps {
  stage: Stage;
  bus: IEventBus;
  eventStore: EventStore;
  readModelsTable: ITable;
  /** The read models of plaintext personal data: only the rules that declare `personal-read-models` use it. */
  personalReadModelsTable: ITable;
  /** Grants the side effects a rule declares (`effects`). */
  notifications: Notifications;
  personalData: PersonalData;
  /** The HTTP API's base URL, for the links consumers send (PUBLIC_API_URL). */
  apiUrl: string;
}

/** The resources of one rule: queue in front of the consumer, its dead-letter queue, rule, function. */
export interface Consumer {
  definition: RuleDefinition;
  rule: Rule;
  queue: Queue;
  deadLetterQueue: Queue;
  function: LambdaFunction;
}

/**
 * One consumer per entry of `rules`: an EventBridge rule on the bus delivers matching events to an SQS
 * queue (which absorbs bursts and retries), a function drains it in batches and reports the messages it
 * could not handle, and a message that keeps failing lands in the dead-letter queue.
 */
export class Consumers extends Construct {
  readonly consumers: ReadonlyMap<string, Consumer>;

  constructor(scope: Construct, id: string, props: ConsumersProps) {
    super(scope, id);
    const consumers = new Map<string, Consumer>();
    for (const definition of rules) {
      consumers.set(definition.name, this.consumer(definition, props));
    }
    this.consumers = consumers;
  }

  private consumer(definition: RuleDefinition, props: ConsumersProps): Consumer {
    const { name } = definition;
    const { removalPolicy } = settingsOf(props.stage);
    const fn = new LambdaFunction(this, `${name}Function`, {
      stage: props.stage,
      entry: definition.consumer,
      kind: 'consumer',
      serviceName: kebab(name),
      description: definition.description,
      environment: {
        [env.publicApiUrl]: props.apiUrl,
      },
      ...(definition.files ? { files: definition.files } : {}),
    });
    // Exactly the tables and actions its rule declares (`tables`, `writes`, `writesTo`).
    grantTableAccess(fn, definition, {
      events: props.eventStore.table,
      streamState: props.eventStore.stateTable,
      readModels: props.readModelsTable,
      personalReadModels: props.personalReadModelsTable,
    });
    for (const effect of definition.effects ?? []) props.notifications.grantEffect(effect, fn);
    // SES's sending rate shared among the instances that may run at once: each throttles itself to its share.
    if (definition.effects?.includes('send-email'))
      fn.addEnvironment(
        env.emailSendRate,
        String(SES_SEND_RATE / (definition.maxConcurrency ?? defaultMaxConcurrency)),
      );
    if (definition.personalData)
      props.personalData.grant(definition.personalData, fn, definition.sensitiveData);
    if (definition.serverSecrets) props.personalData.grantIdempotency(fn);

    const deadLetterQueue = new Queue(this, `${name}DeadLetterQueue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    const queue = new Queue(this, `${name}Queue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS recommends at least six times the function timeout for an SQS event source.
      visibilityTimeout: Duration.seconds(6 * functionTimeouts.consumer.toSeconds()),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
      removalPolicy,
    });

    const rule = new Rule(this, `${name}Rule`, {
      eventBus: props.bus,
      description: definition.description,
      eventPattern: toCdkEventPattern(definition.pattern),
      // Events EventBridge cannot deliver to the queue go to the same dead-letter queue.
      targets: [new SqsQueue(queue, { deadLetterQueue })],
    });

    fn.addEventSource(
      new SqsEventSource(queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: definition.maxConcurrency ?? defaultMaxConcurrency,
      }),
    );

    return { definition, rule, queue, deadLetterQueue, function: fn };
  }
}

const kebab = (pascal: string): string => pascal.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
