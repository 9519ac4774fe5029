import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type RouteDefinition, type RouteThrottle, routes } from '../../infra/definitions/routes.js';
import { settingsOf } from '../../infra/stage.js';
import { buildStack, templateOf } from './template.js';

const VERIFICATION_PATH = '/visa-letters/{verificationCode}';
/** A path of no route of the API's, for a probe route that declares a throttle. */
const PROBE_PATH = '/throttle-probe/{code}';
/** A route-level throttle, as a route may still declare one (the verification route no longer does). */
const PROBE_THROTTLE: RouteThrottle = { rateLimit: 2, burstLimit: 5 };

/** A public route at the verification path with the throttle of its definition (the Health handler serves it). */
const health = routes.find((route) => route.name === 'Health') as RouteDefinition;
const verificationProbe: RouteDefinition = {
  ...health,
  name: 'VerificationProbe',
  path: PROBE_PATH,
  throttle: PROBE_THROTTLE,
};

const stageOf = (template: Template) => {
  const stages = Object.entries(template.findResources('AWS::ApiGatewayV2::Stage'));
  expect(stages).toHaveLength(1);
  return stages[0] as [string, { Properties: Record<string, unknown>; DependsOn?: string[] }];
};

describe('route-level throttling of the HTTP API stage', () => {
  let template: Template;
  beforeAll(() => {
    template = templateOf(
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
      [`GET ${PROBE_PATH}`]: {
        ThrottlingRateLimit: PROBE_THROTTLE.rateLimit,
        ThrottlingBurstLimit: PROBE_THROTTLE.burstLimit,
      },
    });
    expect(PROBE_THROTTLE.rateLimit).toBeLessThan(rateLimit);
  });

  it('is deployed after the route it names (CloudFormation refuses settings for a route not yet there)', () => {
    const [, stage] = stageOf(template);
    const [routeId] = Object.entries(template.findResources('AWS::ApiGatewayV2::Route')).find(
      ([, route]) => route.Properties.RouteKey === `GET ${PROBE_PATH}`,
    ) ?? [undefined];
    expect(routeId).toBeDefined();
    expect(stage.DependsOn).toContain(routeId);
  });

  it('is on the stage of the API as defined for exactly the routes that declare one', () => {
    const [, stage] = stageOf(templateOf(buildStack('dev')));
    const throttled = routes.filter((route) => route.throttle);
    expect(Object.keys((stage.Properties.RouteSettings as object | undefined) ?? {}).sort()).toEqual(
      throttled.map((route) => `${route.method} ${route.path}`).sort(),
    );
  });

  it('leaves the visa-letter verification route at the stage default: no shared limit one client could hold', () => {
    const [, stage] = stageOf(templateOf(buildStack('prod', { notificationSender: 'no-reply@example.org' })));
    const verification = routes.filter((r) => r.path === VERIFICATION_PATH);
    expect(verification).toHaveLength(1);
    for (const route of verification) expect(route.throttle).toBeUndefined();
    expect(Object.keys((stage.Properties.RouteSettings as object | undefined) ?? {})).not.toContain(
      `GET ${VERIFICATION_PATH}`,
    );
  });
});
