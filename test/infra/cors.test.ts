import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { corsRules } from '../../infra/definitions/cors.js';
import { routes } from '../../infra/definitions/routes.js';
import { buildStack, logicalId, templateOf, unacknowledgedFindings } from './template.js';

const ORIGINS = ['https://conference.example.org', 'https://organizers.example.org'];

describe('CORS of the HTTP API and the exports bucket (context allowedOrigins)', () => {
  let template: Template;
  let stack: ReturnType<typeof buildStack>;
  beforeAll(() => {
    stack = buildStack('prod', { allowedOrigins: ORIGINS });
    template = templateOf(stack);
  });

  it('has API Gateway answer preflights for exactly those origins, with the headers the API takes', () => {
    const api = template.findResources('AWS::ApiGatewayV2::Api')[logicalId(stack.httpApi.api)];
    const cors = api?.Properties.CorsConfiguration;
    expect(cors.AllowOrigins).toEqual(ORIGINS);
    expect(cors.AllowHeaders.map((h: string) => h.toLowerCase()).sort()).toEqual([
      'authorization',
      'content-type',
      'idempotency-key',
      'x-correlation-id',
      'x-delegation-token',
      'x-manage-token',
    ]);
    expect(cors.ExposeHeaders).toEqual(['Location', 'Retry-After']);
    expect(cors.AllowMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'OPTIONS']));
    // Every method a route answers (a browser on an allowed origin may PUT the registration form).
    for (const route of routes) expect(cors.AllowMethods).toContain(route.method);
    expect(cors.AllowCredentials).toBe(false);
    expect(cors.MaxAge).toBe(corsRules.maxAgeSeconds);
  });

  it('lets those origins GET the exports a 303 points to, and nothing else', () => {
    const bucket = template.findResources('AWS::S3::Bucket')[logicalId(stack.exports.bucket)];
    expect(bucket?.Properties.CorsConfiguration.CorsRules).toEqual([
      expect.objectContaining({ AllowedOrigins: ORIGINS, AllowedMethods: ['GET', 'HEAD'] }),
    ]);
  });

  it('stays cdk-nag clean', () => {
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });

  it('has no CORS at all without the setting: no origin is allowed by default in the cloud', () => {
    const plain = buildStack('dev');
    const bare = templateOf(plain);
    expect(
      bare.findResources('AWS::ApiGatewayV2::Api')[logicalId(plain.httpApi.api)]?.Properties
        .CorsConfiguration,
    ).toBeUndefined();
    expect(
      bare.findResources('AWS::S3::Bucket')[logicalId(plain.exports.bucket)]?.Properties.CorsConfiguration,
    ).toBeUndefined();
  });
});
