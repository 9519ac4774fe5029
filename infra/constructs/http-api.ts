import { CfnOutput, Duration, NestedStack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { corsRules } from '../definitions/cors.js';
import {
  type Access,
  PRINTING_MEMORY_MB,
  type RouteDefinition,
  type RouteGroup,
  routeGroupOf,
  routes,
} from '../definitions/routes.js';
import { env } from '../definitions/tables.js';
import { buildPageScripts } from '../page-scripts.js';
import { type Stage, settingsOf } from '../stage.js';
import type { Auth } from './auth.js';
import type { EventStore } from './event-store.js';
import type { ExportsBucket } from './exports-bucket.js';
import { LambdaFunction } from './lambda-function.js';
import { acknowledge } from './nag.js';
import type { Notifications } from './notifications.js';
import type { PersonalData } from './personal-data.js';
import { grantTableAccess } from './table-grants.js';

export interface HttpApiProps {
  stage: Stage;
  eventStore: EventStore;
  readModelsTable: ITable;
  /** The read models of plaintext personal data: only the routes whose `tables` include `personal-read-models` read it. */
  personalReadModelsTable: ITable;
  auth: Auth;
  personalData: PersonalData;
  /** The routes to serve; the API's own (infra/definitions/routes.ts) unless a test gives others. */
  routes?: readonly RouteDefinition[];
  exports: ExportsBucket;
  /**
   * Origins whose browsers may call the API (context `allowedOrigins`): API Gateway answers their
   * preflights by the rules of infra/definitions/cors.ts. None: no CORS, browsers on other origins refused.
   */
  allowedOrigins?: readonly string[];
}

/**
 * One line of JSON per request, with the fields operators need to follow a failing call. The route key,
 * not the path: a path can hold a visa letter's verification code, which is kept nowhere in plaintext.
 */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
    userAgent: '$context.identity.userAgent',
  }),
);

/** Why a route without an API Gateway authorizer is acceptable, by its access. */
const routeAuthorizationReasons: Record<Exclude<Access, 'organizer'>, string> = {
  public: 'Public by contract (CONTRACT section 2: who = anyone); throttled on the stage.',
  delegate:
    'Authorized in the handler: a delegate proves access with the X-Manage-Token secret or an organizer JWT ' +
    '(CONTRACT section 2), which no single API Gateway authorizer can accept; the handler answers 401/403.',
};

/** `desk-registration` → `DeskRegistration`, for construct ids. */
const pascal = (group: string): string =>
  group.replace(/(^|-)(\w)/g, (_whole, _dash: string, letter: string) => letter.toUpperCase());

/**
 * The HTTP API of CONTRACT section 2: one function and one route per entry of `routes`. Organizer
 * routes are guarded by a JWT authorizer on the Cognito pool in front of the handler (which checks
 * the `organizers` group itself); public and delegate routes reach the handler directly.
 *
 * The API, its stage, access logs and authorizer are in the parent stack; each route's function, log
 * group, invoke permission, integration and route are in the nested stack of the route's group
 * (`routeGroupOf`), about five resources a route, so adding routes never brings the parent stack near
 * CloudFormation's 500. Each function's role and its policy stay in the parent, beside the tables and
 * the KMS keys: the key policies of personal data name the roles that may use them, and a role in a
 * nested stack would make the key and that nested stack depend on each other (the key on the role's ARN,
 * the nested stack on the key's ARN).
 */
export class ConferenceHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly url: string;
  /** The function of each route, by route name. */
  readonly functions: ReadonlyMap<string, LambdaFunction>;
  /** The nested stack of each group of routes (infra/definitions/routes.ts `group`). */
  readonly routeStacks: ReadonlyMap<RouteGroup, NestedStack>;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    const settings = settingsOf(props.stage);
    // The pages' scripts, shipped beside the function that serves them (routes.ts `files`).
    buildPageScripts();

    const allowedOrigins = props.allowedOrigins ?? [];
    this.api = new HttpApi(this, 'Api', {
      description: 'Learning Cities conference API (v1)',
      createDefaultStage: false,
      ...(allowedOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: [...allowedOrigins],
              allowHeaders: [...corsRules.allowHeaders],
              allowMethods: corsRules.allowMethods.map((method) => CorsHttpMethod[method]),
              exposeHeaders: [...corsRules.exposeHeaders],
              maxAge: Duration.seconds(corsRules.maxAgeSeconds),
              allowCredentials: corsRules.allowCredentials,
            },
          }
        : {}),
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: settings.apiThrottle,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: accessLogFormat },
    });
    this.url = this.stage.url;

    const organizerAuthorizer = new HttpJwtAuthorizer('OrganizerAuthorizer', props.auth.issuerUrl, {
      jwtAudience: [props.auth.clientId],
    });

    const functions = new Map<string, LambdaFunction>();
    const throttled: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    const groups = new Map<RouteGroup, NestedStack>();
    for (const route of props.routes ?? routes) {
      const group = routeGroupOf(route);
      let nested = groups.get(group);
      if (!nested) {
        nested = new NestedStack(this, `${pascal(group)}Routes`, {
          description: `Learning Cities conference API (${props.stage}): the ${group} routes`,
        });
        groups.set(group, nested);
      }
      const fn = this.routeFunction(nested, route, props);
      const httpRoute = new HttpRoute(nested, `${route.name}Route`, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration: new HttpLambdaIntegration(`${route.name}Integration`, fn),
        ...(route.access === 'organizer' ? { authorizer: organizerAuthorizer } : {}),
      });
      if (route.access !== 'organizer') {
        acknowledge(httpRoute, 'APIG4', routeAuthorizationReasons[route.access]);
      }
      functions.set(route.name, fn);
      if (route.throttle) {
        throttled[`${route.method} ${route.path}`] = {
          ThrottlingRateLimit: route.throttle.rateLimit,
          ThrottlingBurstLimit: route.throttle.burstLimit,
        };
        // A stage's route settings name routes by key: the route must exist before the stage refers to it.
        this.stage.node.addDependency(httpRoute);
      }
    }
    this.functions = functions;
    this.routeStacks = groups;
    if (Object.keys(throttled).length > 0)
      (this.stage.node.defaultChild as CfnStage).routeSettings = throttled;

    new CfnOutput(this, 'Url', { value: this.url, description: 'Base URL of the HTTP API' });
  }

  /**
   * The routes that send email themselves (`sendsEmail`, CONTRACT 5.1) get the sender and SES on its
   * identity, as the notifier does, and the public base URL their links point to.
   */
  grantSendEmail(notifications: Notifications, publicBaseUrl: string, definitions = routes): void {
    for (const route of definitions) {
      const fn = this.functions.get(route.name);
      if (!route.sendsEmail || !fn) continue;
      notifications.grantEffect('send-email', fn);
      fn.addEnvironment(env.publicApiUrl, publicBaseUrl);
    }
  }

  private routeFunction(scope: NestedStack, route: RouteDefinition, props: HttpApiProps): LambdaFunction {
    // In the parent stack, beside the key policies that may name it (see the class's comment).
    const role = new Role(this, `${route.name}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `The function of ${route.method} ${route.path}`,
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
    });
    const fn = new LambdaFunction(scope, `${route.name}Function`, {
      role,
      stage: props.stage,
      entry: route.entry,
      kind: 'http',
      serviceName: 'conference-api',
      description: `${route.method} ${route.path}`,
      ...(route.files ? { files: route.files } : {}),
      ...(route.prints
        ? {
            memorySize: PRINTING_MEMORY_MB,
            ...(route.prints.timeoutSeconds
              ? { timeout: Duration.seconds(route.prints.timeoutSeconds) }
              : {}),
          }
        : {}),
      ...(route.timeoutSeconds ? { timeout: Duration.seconds(route.timeoutSeconds) } : {}),
      environment: {
        [env.userPoolId]: props.auth.userPoolId,
        [env.userPoolClientId]: props.auth.clientId,
      },
    });
    // Exactly the tables and actions it declares (route.tables, route.writes): none unless declared (health,
    // docs, openapi, page scripts); the same actions npm start holds it to (local/table-grants.ts).
    grantTableAccess(fn, route, {
      events: props.eventStore.table,
      streamState: props.eventStore.stateTable,
      readModels: props.readModelsTable,
      personalReadModels: props.personalReadModelsTable,
    });
    // Commands take an Idempotency-Key: their stored responses are keyed with the server's secret; a focal
    // point's delegation token is an HMAC under the same secret.
    if ((route.writes && route.tables?.includes('stream-state')) || route.checksDelegationTokens)
      props.personalData.grantIdempotency(fn);
    if (route.personalData) props.personalData.grant(route.personalData, fn, route.sensitiveData);
    if (route.publishesExports) {
      fn.addEnvironment(env.exportsBucket, props.exports.bucket.bucketName);
      props.exports.grantPublish(fn);
    }
    if (route.deletesExports) {
      fn.addEnvironment(env.exportsBucket, props.exports.bucket.bucketName);
      props.exports.grantDeleteConferences(fn);
    }
    return fn;
  }
}
