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
import type { PersonalData } from './personal-data.js';
import { grantTableAccess } from './table-grants.js';

export interface ScheduledJobsProps {
  stage: Stage;
  eventStore: EventStore;
  readModelsTable: ITable;
  /** The read models of plaintext personal data: only the jobs that declare `personal-read-models`. */
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
    });
    // Exactly the tables and actions its definition declares (`tables`, `writes`, `writesTo`).
    grantTableAccess(fn, definition, {
      events: props.eventStore.table,
      streamState: props.eventStore.stateTable,
      readModels: props.readModelsTable,
      personalReadModels: props.personalReadModelsTable,
    });
    if (definition.personalData) props.personalData.grant(definition.personalData, fn);
    if (definition.deletesExports) {
      fn.addEnvironment(env.exportsBucket, props.exports.bucket.bucketName);
      props.exports.grantDeleteConferences(fn);
    }
    new Rule(this, `${definition.name}Schedule`, {
      description: definition.description,
      schedule: Schedule.cron({ ...definition.cron }),
      targets: [new LambdaTarget(fn, { retryAttempts: 2 })],
    });
    return fn;
  }
}
