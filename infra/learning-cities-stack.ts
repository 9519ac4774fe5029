import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Auth } from './constructs/auth.js';
import { Consumers } from './constructs/consumers.js';
import { Documents } from './constructs/documents.js';
import { ConferenceEventBus } from './constructs/event-bus.js';
import { EventPipe } from './constructs/event-pipe.js';
import { EventStore } from './constructs/event-store.js';
import { ExportsBucket } from './constructs/exports-bucket.js';
import { ConferenceHttpApi } from './constructs/http-api.js';
import type { LambdaFunction } from './constructs/lambda-function.js';
import { Notifications } from './constructs/notifications.js';
import { Observability } from './constructs/observability.js';
import { OpsOutputs } from './constructs/ops-outputs.js';
import { PersonalData } from './constructs/personal-data.js';
import { ReadModels } from './constructs/read-models.js';
import { ScheduledJobs } from './constructs/scheduled-jobs.js';
import type { RouteDefinition } from './definitions/routes.js';
import type { Stage } from './stage.js';

export interface LearningCitiesStackProps extends StackProps {
  stage: Stage;
  /** The address delegates get email from (context `notificationSender`): required in prod, no default. */
  notificationSender?: string;
  /** A verified SES identity (domain or address) to send through instead of a new one for the address. */
  notificationIdentity?: string;
  /** An address subscribed to the ops alarms topic (context `alarmEmail`). */
  alarmEmail?: string;
  /** Organizer app sign-in callbacks (context `oauthCallbackUrls`); without them OAuth is off. */
  oAuthCallbackUrls?: readonly string[];
  /** Where links in emails point (context `publicBaseUrl`, CONTRACT 5.1); default: the API's URL. */
  publicBaseUrl?: string;
  /** Origins whose browsers may call the API and read its exports (context `allowedOrigins`); none: no CORS. */
  allowedOrigins?: readonly string[];
  /** The API's routes (default: infra/definitions/routes.ts); tests give others. */
  routes?: readonly RouteDefinition[];
}

/** The whole backend of one stage. Wiring only: every resource belongs to a construct. */
export class LearningCitiesStack extends Stack {
  readonly eventStore: EventStore;
  readonly readModels: ReadModels;
  readonly personalData: PersonalData;
  readonly auth: Auth;
  readonly eventBus: ConferenceEventBus;
  readonly eventPipe: EventPipe;
  readonly httpApi: ConferenceHttpApi;
  readonly exports: ExportsBucket;
  readonly notifications: Notifications;
  readonly consumers: Consumers;
  readonly documents: Documents;
  readonly scheduledJobs: ScheduledJobs;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: LearningCitiesStackProps) {
    super(scope, id, props);
    const { stage } = props;
    this.eventStore = new EventStore(this, 'EventStore');
    this.readModels = new ReadModels(this, 'ReadModels', { stage });
    this.personalData = new PersonalData(this, 'PersonalData', { stage });
    this.auth = new Auth(this, 'Auth', {
      stage,
      ...(props.oAuthCallbackUrls ? { oAuthCallbackUrls: props.oAuthCallbackUrls } : {}),
    });
    this.eventBus = new ConferenceEventBus(this, 'EventBus', { stage });
    this.eventPipe = new EventPipe(this, 'EventPipe', {
      stage,
      eventsTable: this.eventStore.table,
      bus: this.eventBus.bus,
    });
    this.exports = new ExportsBucket(this, 'Exports', {
      stage,
      ...(props.allowedOrigins ? { allowedOrigins: props.allowedOrigins } : {}),
    });
    this.httpApi = new ConferenceHttpApi(this, 'HttpApi', {
      stage,
      eventStore: this.eventStore,
      readModelsTable: this.readModels.table,
      personalReadModelsTable: this.readModels.personalTable,
      auth: this.auth,
      personalData: this.personalData,
      ...(props.routes ? { routes: props.routes } : {}),
      exports: this.exports,
      ...(props.allowedOrigins ? { allowedOrigins: props.allowedOrigins } : {}),
    });
    this.notifications = new Notifications(this, 'Notifications', {
      stage,
      ...(props.notificationSender ? { sender: props.notificationSender } : {}),
      ...(props.notificationIdentity ? { existingIdentity: props.notificationIdentity } : {}),
    });
    this.httpApi.grantSendEmail(this.notifications, props.publicBaseUrl ?? this.httpApi.url);
    this.consumers = new Consumers(this, 'Consumers', {
      stage,
      bus: this.eventBus.bus,
      eventStore: this.eventStore,
      readModelsTable: this.readModels.table,
      personalReadModelsTable: this.readModels.personalTable,
      notifications: this.notifications,
      personalData: this.personalData,
      apiUrl: this.httpApi.url,
    });
    this.documents = new Documents(this, 'Documents', {
      stage,
      eventStore: this.eventStore,
      readModelsTable: this.readModels.table,
      personalReadModelsTable: this.readModels.personalTable,
      personalData: this.personalData,
      exports: this.exports,
    });
    const startDocument = this.httpApi.functions.get('StartDocument');
    if (startDocument) this.documents.grantStart(startDocument);
    this.scheduledJobs = new ScheduledJobs(this, 'ScheduledJobs', {
      stage,
      eventStore: this.eventStore,
      readModelsTable: this.readModels.table,
      personalReadModelsTable: this.readModels.personalTable,
      personalData: this.personalData,
      exports: this.exports,
    });
    const consumers = [...this.consumers.consumers.values()].map((c) => ({ ...c, name: c.definition.name }));
    this.observability = new Observability(this, 'Observability', {
      stage,
      api: this.httpApi.api,
      functions: new Map<string, LambdaFunction>([
        ...this.httpApi.functions,
        ...consumers.map((c): [string, LambdaFunction] => [c.name, c.function]),
        ['EventPipeEnrichment', this.eventPipe.enrichment],
        ...this.scheduledJobs.functions,
        ['MakeDocument', this.documents.function],
      ]),
      consumers,
      otherDeadLetterQueues: new Map([
        ['EventPipe', this.eventPipe.deadLetterQueue],
        ['Documents', this.documents.deadLetterQueue],
      ]),
      pipeName: this.eventPipe.pipe.ref,
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
    });
    new OpsOutputs(this, 'OpsOutputs', {
      eventsTable: this.eventStore.table,
      streamStateTable: this.eventStore.stateTable,
      readModelsTable: this.readModels.table,
      personalReadModelsTable: this.readModels.personalTable,
      dataKeysTable: this.personalData.table,
      personalDataKey: this.personalData.dataKey,
      emailMacKey: this.personalData.emailMacKey,
      bus: this.eventBus.bus,
      archive: this.eventBus.archive,
      pipe: this.eventPipe.pipe,
      pipeDeadLetterQueue: this.eventPipe.deadLetterQueue,
      consumers: this.consumers.consumers,
    });
  }
}
