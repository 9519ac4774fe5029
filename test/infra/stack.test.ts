import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ORGANIZERS_GROUP } from '../../infra/constructs/auth.js';
import { documentsAccess } from '../../infra/definitions/documents.js';
import { pipeDefinition } from '../../infra/definitions/pipe.js';
import { BADGES_TIMEOUT_SECONDS, PRINTING_MEMORY_MB, routes } from '../../infra/definitions/routes.js';
import { EVENT_SOURCE, rules } from '../../infra/definitions/rules.js';
import { schedules } from '../../infra/definitions/schedules.js';
import { tableActionsOf } from '../../infra/definitions/table-access.js';
import { eventsTable } from '../../infra/definitions/tables.js';
import type { LearningCitiesStack } from '../../infra/learning-cities-stack.js';
import { actionsOn, arnOf, buildStack, logicalId, templateOf, unacknowledgedFindings } from './template.js';

describe('LearningCities stack (dev)', () => {
  let stack: LearningCitiesStack;
  let template: Template;

  beforeAll(() => {
    stack = buildStack('dev');
    template = templateOf(stack);
  });

  describe('event store', () => {
    it('is the events table of the definitions: keys, stream, PITR, TTL, catalog index', () => {
      const tables = template.findResources('AWS::DynamoDB::Table');
      const events = tables[logicalId(stack.eventStore.table)];
      expect(events).toBeDefined();
      expect(events?.Properties.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(events?.Properties.AttributeDefinitions).toEqual(
        expect.arrayContaining([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'N' },
        ]),
      );
      expect(events?.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: eventsTable.timeToLiveAttribute, Enabled: true },
      });
      expect(events?.Properties.GlobalSecondaryIndexes).toEqual([
        {
          IndexName: 'catalog',
          KeySchema: [
            { AttributeName: 'catalog', KeyType: 'HASH' },
            { AttributeName: 'occurredAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ]);
    });

    it('keeps tips, guards and idempotency records in a stream-state table, retained and restorable', () => {
      const state = template.findResources('AWS::DynamoDB::Table')[logicalId(stack.eventStore.stateTable)];
      expect(state?.Properties).toMatchObject({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      });
      expect(state?.Properties.StreamSpecification).toBeUndefined();
      expect(state?.DeletionPolicy).toBe('Retain');
    });

    it('lets no function update or delete an event item; writers append and change only the stream state', () => {
      const events = arnOf(stack.eventStore.table);
      const state = arnOf(stack.eventStore.stateTable);
      const functions = [
        ...routes
          .filter((route) => route.tables?.includes('events'))
          .map((route) => [route.writes, stack.httpApi.functions.get(route.name), route.tables] as const),
        ...rules.map(
          (rule) => [rule.writes, stack.consumers.consumers.get(rule.name)?.function, rule.tables] as const,
        ),
      ];
      // Routes that use neither table of the event store (health, docs, openapi...) get nothing on either.
      for (const route of routes.filter(
        (r) => !r.tables?.includes('events') && !r.tables?.includes('stream-state'),
      )) {
        const role = stack.httpApi.functions.get(route.name)?.role;
        if (!role) throw new Error(`no role for ${route.name}`);
        expect(actionsOn(template, logicalId(role), events), route.name).toEqual([]);
        expect(actionsOn(template, logicalId(role), state), route.name).toEqual([]);
      }
      for (const [writes, fn, tables] of functions) {
        if (!fn?.role) throw new Error('a function without a role');
        const role = logicalId(fn.role);
        const onEvents = actionsOn(template, role, events);
        expect(onEvents).not.toContain('dynamodb:UpdateItem');
        expect(onEvents).not.toContain('dynamodb:DeleteItem');
        expect(onEvents).not.toContain('dynamodb:BatchWriteItem');
        const onState = actionsOn(template, role, state);
        if (tables?.includes('stream-state')) {
          expect(onState).toEqual(expect.arrayContaining(['dynamodb:BatchGetItem', 'dynamodb:GetItem']));
        }
        if (writes) {
          expect(onEvents).toEqual(
            expect.arrayContaining(['dynamodb:ConditionCheckItem', 'dynamodb:PutItem']),
          );
          expect(onState).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:DeleteItem']));
        } else {
          expect(onState).not.toContain('dynamodb:UpdateItem');
        }
        if (tables?.includes('stream-state')) {
          const variables =
            template.findResources('AWS::Lambda::Function')[logicalId(fn)]?.Properties.Environment.Variables;
          expect(variables).toMatchObject({
            STREAM_STATE_TABLE: { Ref: logicalId(stack.eventStore.stateTable) },
          });
        }
      }
    });

    it('is retained when the stack is deleted or the table replaced', () => {
      const events = template.findResources('AWS::DynamoDB::Table')[logicalId(stack.eventStore.table)];
      expect(events?.DeletionPolicy).toBe('Retain');
      expect(events?.UpdateReplacePolicy).toBe('Retain');
    });

    it('has read models without PITR (rebuilt, never restored) that a dev stack may drop', () => {
      for (const table of [stack.readModels.table, stack.readModels.personalTable]) {
        const readModels = template.findResources('AWS::DynamoDB::Table')[logicalId(table)];
        expect(readModels?.Properties.PointInTimeRecoverySpecification).toEqual({
          PointInTimeRecoveryEnabled: false,
        });
        expect(readModels?.DeletionPolicy).toBe('Delete');
      }
    });
  });

  describe('functions', () => {
    it('makes one function per route, one per rule, one per schedule and the enrichment, all Node.js 24 on arm64', () => {
      const functions = Object.values(template.findResources('AWS::Lambda::Function'));
      // ... and the documents function (CONTRACT 5.5, test/infra/documents.test.ts).
      expect(functions).toHaveLength(routes.length + rules.length + schedules.length + 2);
      // 512 MB each, but the three routes that print PDFs (a full vCPU; the badges of all at once, 28 s)
      // and the documents function (a full vCPU too).
      const printing = routes.filter((route) => route.prints).map((route) => route.name);
      expect(printing.sort()).toEqual(['GetBadges', 'GetRegistrationBadge', 'GetVisaLetterPdf']);
      expect(routes.find((route) => route.name === 'GetBadges')?.prints?.timeoutSeconds).toBe(
        BADGES_TIMEOUT_SECONDS,
      );
      expect(functions.filter((fn) => fn.Properties.MemorySize === 512)).toHaveLength(
        functions.length - printing.length - 1,
      );
      for (const fn of functions) {
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
          Environment: {
            Variables: expect.objectContaining({
              NODE_OPTIONS: '--enable-source-maps',
              POWERTOOLS_METRICS_NAMESPACE: 'LearningCities/Dev',
              POWERTOOLS_SERVICE_NAME: expect.any(String),
            }),
          },
        });
      }
    });

    it('keeps function logs a month in dev', () => {
      const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
      expect(groups.length).toBeGreaterThanOrEqual(routes.length + rules.length + schedules.length + 1);
      for (const group of groups) expect(group.Properties.RetentionInDays).toBe(30);
    });
  });

  describe('HTTP API', () => {
    it('has exactly one route per entry of routes', () => {
      const keys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
        (r) => r.Properties.RouteKey,
      );
      expect(keys.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
    });

    it('puts the Cognito JWT authorizer on organizer routes and on no other', () => {
      const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer');
      expect(Object.keys(authorizers)).toHaveLength(1);
      const [authorizerId, authorizer] = Object.entries(authorizers)[0] ?? [];
      expect(authorizer?.Properties).toMatchObject({
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: {
          Issuer: { 'Fn::GetAtt': [logicalId(stack.auth.userPool), 'ProviderURL'] },
          Audience: [{ Ref: logicalId(stack.auth.client) }],
        },
      });
      const byKey = new Map(
        Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => [
          r.Properties.RouteKey as string,
          r.Properties,
        ]),
      );
      for (const route of routes) {
        const properties = byKey.get(`${route.method} ${route.path}`);
        if (route.access === 'organizer') {
          expect(properties, route.name).toMatchObject({
            AuthorizationType: 'JWT',
            AuthorizerId: { Ref: authorizerId },
          });
        } else {
          expect(properties?.AuthorizationType, route.name).toBe('NONE');
          expect(properties?.AuthorizerId, route.name).toBeUndefined();
        }
      }
    });

    it('gives each route function its configuration and the grants its route needs', () => {
      const events = arnOf(stack.eventStore.table);
      const readModels = arnOf(stack.readModels.table);
      for (const route of routes) {
        const fn = stack.httpApi.functions.get(route.name);
        expect(fn, route.name).toBeDefined();
        if (!fn?.role) throw new Error(`no role for ${route.name}`);
        const properties = template.findResources('AWS::Lambda::Function')[logicalId(fn)]?.Properties;
        // A route that prints gets a full vCPU; all badges at once, more time (within API Gateway's 30 s).
        expect([properties?.MemorySize, properties?.Timeout], route.name).toEqual(
          route.prints
            ? [PRINTING_MEMORY_MB, route.prints.timeoutSeconds ?? 10]
            : // A route of many commands at once (bulk decisions) has its own timeout too.
              [512, route.timeoutSeconds ?? 10],
        );
        expect(properties?.Environment.Variables).toMatchObject({
          USER_POOL_ID: { Ref: logicalId(stack.auth.userPool) },
          USER_POOL_CLIENT_ID: { Ref: logicalId(stack.auth.client) },
        });
        const role = logicalId(fn.role);
        // Exactly the tables and actions its definition declares (infra/definitions/table-access.ts), and
        // the variable that names each of them; nothing on any other table.
        const granted = tableActionsOf(route);
        const tableOf: Array<[string, ITable, string]> = [
          ['Events', stack.eventStore.table, 'EVENTS_TABLE'],
          ['StreamState', stack.eventStore.stateTable, 'STREAM_STATE_TABLE'],
          ['ReadModels', stack.readModels.table, 'READ_MODELS_TABLE'],
          ['PersonalReadModels', stack.readModels.personalTable, 'PERSONAL_READ_MODELS_TABLE'],
          ['DataKeys', stack.personalData.table, 'DATA_KEYS_TABLE'],
        ];
        for (const [id, table, variable] of tableOf) {
          const expected = [...(granted.get(id) ?? [])].sort();
          expect(actionsOn(template, role, arnOf(table)), `${route.name} on ${id}`).toEqual(expected);
          const named = properties?.Environment.Variables[variable];
          // The data keys' table is named to every function with personal data access, `mac` (no item) too.
          const isNamed = id === 'DataKeys' ? route.personalData !== undefined : expected.length > 0;
          if (isNamed) expect(named, `${route.name} ${variable}`).toEqual({ Ref: logicalId(table) });
          else expect(named, `${route.name} ${variable}`).toBeUndefined();
        }
        const onEvents = actionsOn(template, role, events);
        if (route.writes) {
          expect(onEvents, route.name).toEqual(expect.arrayContaining(['dynamodb:PutItem']));
        } else {
          expect(onEvents, route.name).not.toContain('dynamodb:PutItem');
        }
        expect(actionsOn(template, role, readModels), route.name).not.toContain('dynamodb:PutItem');
      }
    });

    it('logs access and throttles on its auto-deployed default stage', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
        DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      });
      expect(JSON.stringify(template.findOutputs('*'))).toContain('execute-api');
    });
  });

  describe('event pipe', () => {
    it('reads the events table stream with the filter of the pipe definition into the bus', () => {
      template.resourceCountIs('AWS::Pipes::Pipe', 1);
      template.hasResourceProperties('AWS::Pipes::Pipe', {
        Source: { 'Fn::GetAtt': [logicalId(stack.eventStore.table), 'StreamArn'] },
        SourceParameters: {
          DynamoDBStreamParameters: {
            StartingPosition: 'TRIM_HORIZON',
            BatchSize: pipeDefinition.batchSize,
            MaximumRetryAttempts: pipeDefinition.maxRetryAttempts,
            DeadLetterConfig: { Arn: arnOf(stack.eventPipe.deadLetterQueue) },
          },
          FilterCriteria: { Filters: [{ Pattern: JSON.stringify(pipeDefinition.filterPattern) }] },
        },
        Enrichment: arnOf(stack.eventPipe.enrichment),
        Target: arnOf(stack.eventBus.bus),
        TargetParameters: {
          EventBridgeEventBusParameters: { Source: EVENT_SOURCE, DetailType: pipeDefinition.detailTypePath },
        },
        RoleArn: arnOf(stack.eventPipe.role),
      });
    });

    it('has a role that can do what the pipe does and no more', () => {
      const role = logicalId(stack.eventPipe.role);
      expect(
        actionsOn(template, role, { 'Fn::GetAtt': [logicalId(stack.eventStore.table), 'StreamArn'] }),
      ).toEqual(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator']);
      expect(actionsOn(template, role, arnOf(stack.eventPipe.enrichment))).toEqual(['lambda:InvokeFunction']);
      expect(actionsOn(template, role, arnOf(stack.eventBus.bus))).toEqual(['events:PutEvents']);
      expect(actionsOn(template, role, arnOf(stack.eventPipe.deadLetterQueue))).toContain('sqs:SendMessage');
      expect(actionsOn(template, role, arnOf(stack.eventStore.table))).toEqual([]);
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'pipes.amazonaws.com' } })],
        },
      });
    });

    it('sends failed batches to an encrypted dead-letter queue', () => {
      const dlq = template.findResources('AWS::SQS::Queue')[logicalId(stack.eventPipe.deadLetterQueue)];
      expect(dlq?.Properties.SqsManagedSseEnabled).toBe(true);
    });
  });

  describe('event bus', () => {
    it('archives every conference event for a year', () => {
      template.hasResourceProperties('AWS::Events::Archive', {
        SourceArn: arnOf(stack.eventBus.bus),
        EventPattern: { source: [EVENT_SOURCE] },
        RetentionDays: 365,
      });
      template.hasResourceProperties('AWS::Events::EventBus', { Name: 'learning-cities-dev-conference' });
    });
  });

  describe('consumers', () => {
    it('has one rule per entry of rules, with exactly its pattern, targeting its queue', () => {
      const ruleResources = template.findResources('AWS::Events::Rule');
      // The rules on the bus; the schedule rules (default bus) are the scheduled jobs'.
      const onBus = Object.values(ruleResources).filter((resource) => resource.Properties.EventBusName);
      expect(onBus).toHaveLength(rules.length);
      for (const rule of rules) {
        const consumer = stack.consumers.consumers.get(rule.name);
        if (!consumer) throw new Error(`no consumer for ${rule.name}`);
        const properties = ruleResources[logicalId(consumer.rule)]?.Properties;
        expect(properties?.EventPattern, rule.name).toEqual(rule.pattern);
        expect(properties?.EventBusName).toEqual({ Ref: logicalId(stack.eventBus.bus) });
        expect(properties?.Targets).toEqual([
          expect.objectContaining({
            Arn: arnOf(consumer.queue),
            DeadLetterConfig: { Arn: arnOf(consumer.deadLetterQueue) },
          }),
        ]);
      }
    });

    it('puts a queue with a dead-letter queue in front of each consumer', () => {
      const queues = template.findResources('AWS::SQS::Queue');
      for (const rule of rules) {
        const consumer = stack.consumers.consumers.get(rule.name);
        if (!consumer) throw new Error(`no consumer for ${rule.name}`);
        const fn = template.findResources('AWS::Lambda::Function')[logicalId(consumer.function)];
        const timeout = fn?.Properties.Timeout as number;
        expect(timeout).toBe(30);
        const queue = queues[logicalId(consumer.queue)]?.Properties;
        expect(queue).toMatchObject({
          SqsManagedSseEnabled: true,
          RedrivePolicy: {
            deadLetterTargetArn: arnOf(consumer.deadLetterQueue),
            maxReceiveCount: rule.maxReceiveCount,
          },
        });
        expect(queue?.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
        expect(queues[logicalId(consumer.deadLetterQueue)]?.Properties).toMatchObject({
          SqsManagedSseEnabled: true,
          MessageRetentionPeriod: 14 * 24 * 3600,
        });
      }
    });

    it('drains each queue in batches and reports partial failures', () => {
      const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
      // ... and the documents queue's, one message at a time (test/infra/documents.test.ts).
      expect(mappings).toHaveLength(rules.length + 1);
      for (const rule of rules) {
        const consumer = stack.consumers.consumers.get(rule.name);
        if (!consumer) throw new Error(`no consumer for ${rule.name}`);
        template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          EventSourceArn: arnOf(consumer.queue),
          FunctionName: { Ref: logicalId(consumer.function) },
          BatchSize: 10,
          MaximumBatchingWindowInSeconds: 1,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        });
      }
    });

    it('grants each consumer, schedule, the documents function and the enrichment exactly what its definition declares', () => {
      // As the routes' (above): the tables and actions of `tables`, `writes` and `writesTo`
      // (infra/definitions/table-access.ts), the variable that names each granted table, nothing else.
      const functions = [
        ...rules.map((rule) => [rule, stack.consumers.consumers.get(rule.name)?.function] as const),
        ...schedules.map((job) => [job, stack.scheduledJobs.functions.get(job.name)] as const),
        [documentsAccess, stack.documents.function] as const,
        [pipeDefinition.enrichmentAccess, stack.eventPipe.enrichment] as const,
      ];
      const tableOf: Array<[string, ITable, string]> = [
        ['Events', stack.eventStore.table, 'EVENTS_TABLE'],
        ['StreamState', stack.eventStore.stateTable, 'STREAM_STATE_TABLE'],
        ['ReadModels', stack.readModels.table, 'READ_MODELS_TABLE'],
        ['PersonalReadModels', stack.readModels.personalTable, 'PERSONAL_READ_MODELS_TABLE'],
        ['DataKeys', stack.personalData.table, 'DATA_KEYS_TABLE'],
      ];
      for (const [definition, fn] of functions) {
        if (!fn?.role) throw new Error(`no role for ${definition.name}`);
        const role = logicalId(fn.role);
        const variables =
          template.findResources('AWS::Lambda::Function')[logicalId(fn)]?.Properties.Environment?.Variables ??
          {};
        const granted = tableActionsOf(definition);
        for (const [id, table, variable] of tableOf) {
          const expected = [...(granted.get(id) ?? [])].sort();
          expect(actionsOn(template, role, arnOf(table)), `${definition.name} on ${id}`).toEqual(expected);
          const isNamed = id === 'DataKeys' ? definition.personalData !== undefined : expected.length > 0;
          if (isNamed)
            expect(variables[variable], `${definition.name} ${variable}`).toEqual({ Ref: logicalId(table) });
          else expect(variables[variable], `${definition.name} ${variable}`).toBeUndefined();
        }
      }
      // A projector writes its own read model only, with the actions its writes need: never the events.
      for (const rule of rules.filter((r) => !r.writes)) {
        const consumer = stack.consumers.consumers.get(rule.name)?.function;
        if (!consumer?.role) throw new Error(`no consumer role for ${rule.name}`);
        expect(
          actionsOn(template, logicalId(consumer.role), arnOf(stack.eventStore.table)),
          rule.name,
        ).not.toContain('dynamodb:PutItem');
      }
    });
  });

  describe('auth', () => {
    it('has a user pool without self sign-up, with MFA, and the organizers group', () => {
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'ON',
        Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: Match.anyValue() }) },
      });
      template.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
        GroupName: ORGANIZERS_GROUP,
        UserPoolId: { Ref: logicalId(stack.auth.userPool) },
      });
      expect(ORGANIZERS_GROUP).toBe('organizers');
    });
  });
});

describe('LearningCities stack (prod)', () => {
  it('keeps read models, logs and the user pool', () => {
    const stack = buildStack('prod');
    const template = templateOf(stack);
    const readModels = template.findResources('AWS::DynamoDB::Table')[logicalId(stack.readModels.table)];
    expect(readModels?.DeletionPolicy).toBe('Retain');
    expect(readModels?.Properties.DeletionProtectionEnabled).toBe(true);
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(365);
    }
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' } }),
    });
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'learning-cities-prod-conference' });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it.each(['dev', 'prod'] as const)('reports nothing unacknowledged on the %s stack', (stage) => {
    expect(unacknowledgedFindings(buildStack(stage))).toEqual([]);
  });

  it('does report a finding that nobody acknowledged', () => {
    const stack = buildStack('dev');
    new Queue(stack, 'UnencryptedQueue', { enforceSSL: false });
    const findings = unacknowledgedFindings(stack);
    expect(findings).toContain('error AwsSolutions-SQS4 at LearningCities-dev/UnencryptedQueue/Resource');
    expect(findings).toContain('error AwsSolutions-SQS3 at LearningCities-dev/UnencryptedQueue/Resource');
  });
});
