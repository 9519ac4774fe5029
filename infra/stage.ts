import { RemovalPolicy } from 'aws-cdk-lib';
import { StandardThreatProtectionMode } from 'aws-cdk-lib/aws-cognito';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** Deployment stages: `cdk deploy -c stage=dev|prod`; `dev` is the default. */
export const stages = ['dev', 'prod'] as const;

export type Stage = (typeof stages)[number];

export const isStage = (value: unknown): value is Stage => stages.includes(value as Stage);

/** `dev` → `Dev`, for stack names. */
export const stageLabel = (stage: Stage): string => stage.charAt(0).toUpperCase() + stage.slice(1);

/**
 * Everything that differs between stages, in one place (the README's stage table is written from it).
 * What does not differ is not here: the event store is RETAIN with deletion protection and PITR in every
 * stage (it is the only source of truth), and the read models have no PITR in any stage (rebuilt, never
 * restored: a restore would bring back rows of erased registrations).
 */
export interface StageSettings {
  /** CloudFormation stack name. */
  stackName: string;
  /** Prefix of the physical names this app chooses (bus, alarms, dashboard); topics CloudFormation names. */
  namePrefix: string;
  /** Powertools Metrics namespace (POWERTOOLS_METRICS_NAMESPACE): stages never mix their metrics. */
  metricsNamespace: string;
  /**
   * What happens on stack deletion or replacement to everything but the event store: the read models,
   * log groups, queues and dead-letter queues, SNS topics and their keys, the user pool.
   */
  removalPolicy: RemovalPolicy;
  /** DynamoDB deletion protection of the read models, and Cognito deletion protection of the user pool. */
  deletionProtection: boolean;
  /** Retention of every log group: function logs, API access logs, pipe logs. */
  logRetention: RetentionDays;
  /**
   * Whether alarms notify the "ops alarms" topic. The alarms and their actions exist in every stage; in
   * dev their actions are disabled (ActionsEnabled: false), so a noisy dev stack pages nobody, and the
   * console still shows their state.
   */
  alarmActionsEnabled: boolean;
  /** Cognito threat protection: AUDIT_ONLY reports risky sign-ins, FULL_FUNCTION blocks them. */
  threatProtection: StandardThreatProtectionMode;
  /** Requests per second (steady and burst) on the API's default stage. */
  apiThrottle: { rateLimit: number; burstLimit: number };
}

export const stageSettings: Readonly<Record<Stage, StageSettings>> = {
  dev: {
    stackName: 'LearningCities-Dev',
    namePrefix: 'learning-cities-dev',
    metricsNamespace: 'LearningCities/Dev',
    removalPolicy: RemovalPolicy.DESTROY,
    deletionProtection: false,
    logRetention: RetentionDays.ONE_MONTH,
    alarmActionsEnabled: false,
    threatProtection: StandardThreatProtectionMode.AUDIT_ONLY,
    apiThrottle: { rateLimit: 50, burstLimit: 100 },
  },
  prod: {
    stackName: 'LearningCities-Prod',
    namePrefix: 'learning-cities-prod',
    metricsNamespace: 'LearningCities/Prod',
    removalPolicy: RemovalPolicy.RETAIN,
    deletionProtection: true,
    logRetention: RetentionDays.ONE_YEAR,
    alarmActionsEnabled: true,
    threatProtection: StandardThreatProtectionMode.FULL_FUNCTION,
    apiThrottle: { rateLimit: 200, burstLimit: 400 },
  },
};

export const settingsOf = (stage: Stage): StageSettings => stageSettings[stage];
