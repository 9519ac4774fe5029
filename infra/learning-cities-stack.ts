import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Auth } from './constructs/auth.js';
import { Consumers } from './constructs/consumers.js';
import { ConferenceEventBus } from './constructs/event-bus.js';
import { EventPipe } from './constructs/event-pipe.js';
import { EventStore } from './constructs/event-store.js';
import { ConferenceHttpApi } from './constructs/http-api.js';
import { ReadModels } from './constructs/read-models.js';
import type { Stage } from './stage.js';

export interface LearningCitiesStackProps extends StackProps {
  stage: Stage;
}

/** The whole backend of one stage. Wiring only: every resource belongs to a construct. */
export class LearningCitiesStack extends Stack {
  readonly eventStore: EventStore;
  readonly readModels: ReadModels;
  readonly auth: Auth;
  readonly eventBus: ConferenceEventBus;
  readonly eventPipe: EventPipe;
  readonly httpApi: ConferenceHttpApi;
  readonly consumers: Consumers;

  constructor(scope: Construct, id: string, props: LearningCitiesStackProps) {
    super(scope, id, props);
    const { stage } = props;
    this.eventStore = new EventStore(this, 'EventStore');
    this.readModels = new ReadModels(this, 'ReadModels', { stage });
    this.auth = new Auth(this, 'Auth', { stage });
    this.eventBus = new ConferenceEventBus(this, 'EventBus', { stage });
    this.eventPipe = new EventPipe(this, 'EventPipe', {
      stage,
      eventsTable: this.eventStore.table,
      bus: this.eventBus.bus,
    });
    this.httpApi = new ConferenceHttpApi(this, 'HttpApi', {
      stage,
      eventsTable: this.eventStore.table,
      readModelsTable: this.readModels.table,
      auth: this.auth,
    });
    this.consumers = new Consumers(this, 'Consumers', {
      stage,
      bus: this.eventBus.bus,
      eventsTable: this.eventStore.table,
      readModelsTable: this.readModels.table,
    });
  }
}
