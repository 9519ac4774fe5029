import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { type ScheduleDefinition, schedules } from '../definitions/schedules.js';
import { env } from '../definitions/tables.js';
import type { Stage } from '../stage.js';
import type { EventStore } from './event-store.js';
import type { ExportsBucket } from './exports-bucket.js';
import { LambdaFunction } from './lambda-function.js';
import { acknowledge, tableIndexesFinding } from './nag.js';
import type { PersonalData } from './personal-data.js';

export interface ScheduledJobsProps {
  stage: Stage;
  eventStore: EventStore;
  readModelsTable: ITable;
  /** The read models of plaintext personal data: only the jobs that declare `readsPersonalReadModels`. */
  personalReadModelsTable: ITable;
  personalData: PersonalData;
  /** Where exports are stored: an erasing job deletes those of the conferences it erases in. */
  exports: ExportsBucket;
}

/** One function per entry of `schedules`, invoked by an EventBridge schedule rule (retried twice). */
export class ScheduledJobs extends Construct {
  readonly functions: ReadonlyMap<string, LambdaFunction>;

  constructor(scope: Construct, id: string, props: ScheduledJobsProps) {
    super(scope, id);
    this.functions = new Map(schedules.map((definition) => [definition.name, this.job(definition, props)]));
  }

  private job(definition: ScheduleDefinition, props: ScheduledJobsProps): LambdaFunction {
    const fn = new LambdaFunction(this, `${definition.name}Function`, {
      stage: props.stage,
      entry: definition.entry,
      kind: 'scheduled',
      serviceName: 'scheduled-jobs',
      description: definition.description,
      environment: {
        [env.eventsTable]: props.eventStore.table.tableName,
        [env.streamStateTable]: props.eventStore.stateTable.tableName,
        [env.readModelsTable]: props.readModelsTable.tableName,
      },
    });
    if (definition.writesEvents) props.eventStore.grantAppend(fn);
    else props.eventStore.grantRead(fn);
    props.readModelsTable.grantReadData(fn);
    if (definition.readsPersonalReadModels) {
      fn.addEnvironment(env.personalReadModelsTable, props.personalReadModelsTable.tableName);
      props.personalReadModelsTable.grantReadData(fn);
    }
    if (definition.personalData) props.personalData.grant(definition.personalData, fn);
    if (definition.deletesExports) {
      fn.addEnvironment(env.exportsBucket, props.exports.bucket.bucketName);
      props.exports.grantDeleteConferences(fn);
    }
    if (fn.role)
      acknowledge(
        fn.role,
        tableIndexesFinding(props.eventStore.table),
        'Granted by eventsTable.grant*Data: queries on the events table indexes (the catalog index lists ' +
          'the conferences); the wildcard covers only indexes of that one table.',
      );
    new Rule(this, `${definition.name}Schedule`, {
      description: definition.description,
      schedule: Schedule.cron({ ...definition.cron }),
      targets: [new LambdaTarget(fn, { retryAttempts: 2 })],
    });
    return fn;
  }
}
