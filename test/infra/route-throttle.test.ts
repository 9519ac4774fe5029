import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type RouteDefinition,
  routes,
  VISA_LETTER_VERIFICATION_THROTTLE,
} from '../../infra/definitions/routes.js';
import { settingsOf } from '../../infra/stage.js';
import { buildStack } from './template.js';

const VERIFICATION_PATH = '/visa-letters/{verificationCode}';

/** A public route at the verification path with the throttle of its definition (the Health handler serves it). */
const health = routes.find((route) => route.name === 'Health') as RouteDefinition;
const verificationProbe: RouteDefinition = {
  ...health,
  name: 'VerificationProbe',
  path: VERIFICATION_PATH,
  throttle: VISA_LETTER_VERIFICATION_THROTTLE,
};

const stageOf = (template: Template) => {
  const stages = Object.entries(template.findResources('AWS::ApiGatewayV2::Stage'));
  expect(stages).toHaveLength(1);
  return stages[0] as [string, { Properties: Record<string, unknown>; DependsOn?: string[] }];
};

describe('route-level throttling of the HTTP API stage', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(
      buildStack('prod', {
        notificationSender: 'no-reply@example.org',
        routes: [...routes, verificationProbe],
      }),
    );
  });

  it('gives a route that declares a throttle its own limits on the stage, the other routes the default', () => {
    const [, stage] = stageOf(template);
    const { rateLimit, burstLimit } = settingsOf('prod').apiThrottle;
    expect(stage.Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: rateLimit,
      ThrottlingBurstLimit: burstLimit,
    });
    expect(stage.Properties.RouteSettings).toEqual({
      [`GET ${VERIFICATION_PATH}`]: {
        ThrottlingRateLimit: VISA_LETTER_VERIFICATION_THROTTLE.rateLimit,
        ThrottlingBurstLimit: VISA_LETTER_VERIFICATION_THROTTLE.burstLimit,
      },
    });
    expect(VISA_LETTER_VERIFICATION_THROTTLE.rateLimit).toBeLessThan(rateLimit);
  });

  it('is deployed after the route it names (CloudFormation refuses settings for a route not yet there)', () => {
    const [, stage] = stageOf(template);
    const [routeId] = Object.entries(template.findResources('AWS::ApiGatewayV2::Route')).find(
      ([, route]) => route.Properties.RouteKey === `GET ${VERIFICATION_PATH}`,
    ) ?? [undefined];
    expect(routeId).toBeDefined();
    expect(stage.DependsOn).toContain(routeId);
  });

  it('is on the stage of the API as defined for exactly the routes that declare one', () => {
    const [, stage] = stageOf(Template.fromStack(buildStack('dev')));
    const throttled = routes.filter((route) => route.throttle);
    expect(Object.keys((stage.Properties.RouteSettings as object | undefined) ?? {}).sort()).toEqual(
      throttled.map((route) => `${route.method} ${route.path}`).sort(),
    );
    // The verification route, whichever branch adds its handler, takes the throttle of its definition.
    for (const route of routes.filter((r) => r.path === VERIFICATION_PATH))
      expect(route.throttle).toEqual(VISA_LETTER_VERIFICATION_THROTTLE);
  });
});
