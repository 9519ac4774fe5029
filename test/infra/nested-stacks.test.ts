import { Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeGroupOf, routes } from '../../infra/definitions/routes.js';
import type { LearningCitiesStack } from '../../infra/learning-cities-stack.js';
import { buildStack, nestedStacksOf, templatesOf } from './template.js';

/** CloudFormation's limit of resources in one template (parent or nested). */
const CLOUDFORMATION_LIMIT = 500;
/**
 * What the parent may use: its own resources and two (a role and its policy) for each route, with room for
 * 90 more routes before the limit (100 when the routes moved, 12 of them since taken by issue 18's routes
 * and its consumer); each route's other five resources are in its group's nested stack.
 */
const PARENT_BUDGET = CLOUDFORMATION_LIMIT - 2 * 90;

describe('the HTTP routes in nested stacks, one per group', () => {
  let stack: LearningCitiesStack;
  let counts: Map<string, number>;

  beforeAll(() => {
    stack = buildStack('prod');
    const { parent, nested } = templatesOf(stack);
    counts = new Map([['parent', Object.keys(parent.Resources).length]]);
    for (const [child, template] of nested) counts.set(child.node.id, Object.keys(template.Resources).length);
    console.log(
      `Resources per template (prod):\n${[...counts].map(([name, count]) => `${name}: ${count}`).join('\n')}`,
    );
  });

  it('keeps the parent stack within its budget and every template below the limit', () => {
    expect(counts.get('parent')).toBeLessThanOrEqual(PARENT_BUDGET);
    for (const [name, count] of counts) expect(count, name).toBeLessThan(CLOUDFORMATION_LIMIT);
  });

  it("puts each route's function in the nested stack of its group, and its role in the parent", () => {
    const groups = new Set(routes.map(routeGroupOf));
    expect(
      nestedStacksOf(stack)
        .map((nested) => nested.node.id)
        .sort(),
    ).toEqual(
      [...groups]
        .map((group) => [...stack.httpApi.routeStacks].find(([g]) => g === group)?.[1].node.id)
        .sort(),
    );
    for (const route of routes) {
      const fn = stack.httpApi.functions.get(route.name);
      if (!fn?.role) throw new Error(`no function or role for ${route.name}`);
      expect(Stack.of(fn), route.name).toBe(stack.httpApi.routeStacks.get(routeGroupOf(route)));
      expect(Stack.of(fn.role), route.name).toBe(stack);
    }
  });

  it('gives a route its declared group over the one its path gives', () => {
    expect(routeGroupOf({ path: '/conferences/{conferenceId}/sessions' })).toBe('programme');
    expect(routeGroupOf({ path: '/conferences/{conferenceId}/sessions', group: 'site' })).toBe('site');
    expect(routeGroupOf({ path: '/conferences/{conferenceId}/something-new' })).toBe('conference');
  });
});
