import { describe, expect, it } from 'vitest';
import { pipeDefinition } from '../../infra/definitions/pipe.js';
import { EVENT_SOURCE, rules } from '../../infra/definitions/rules.js';
import { matchesPattern } from '../../local/event-pattern.js';

const busEvent = (detailType: string, source = EVENT_SOURCE) => ({
  version: '0',
  id: 'e1',
  'detail-type': detailType,
  source,
  account: '000000000000',
  time: '2015-09-28T09:00:00Z',
  region: 'local',
  resources: [],
  detail: { type: detailType, conferenceId: 'c1' },
});

describe('matchesPattern', () => {
  it('matches when every field equals one of the listed values', () => {
    const pattern = { source: [EVENT_SOURCE], 'detail-type': ['DelegateRegistered', 'DelegateWaitlisted'] };
    expect(matchesPattern(pattern, busEvent('DelegateRegistered'))).toBe(true);
    expect(matchesPattern(pattern, busEvent('DelegateWaitlisted'))).toBe(true);
  });

  it('does not match another value, another source or a missing field', () => {
    const pattern = { source: [EVENT_SOURCE], 'detail-type': ['DelegateRegistered'] };
    expect(matchesPattern(pattern, busEvent('SessionCancelled'))).toBe(false);
    expect(matchesPattern(pattern, busEvent('DelegateRegistered', 'someone.else'))).toBe(false);
    expect(matchesPattern({ missing: ['x'] }, busEvent('DelegateRegistered'))).toBe(false);
  });

  it('compares values exactly: no prefix, case or type coercion', () => {
    expect(matchesPattern({ a: ['Delegate'] }, { a: 'DelegateRegistered' })).toBe(false);
    expect(matchesPattern({ a: ['delegateregistered'] }, { a: 'DelegateRegistered' })).toBe(false);
    expect(matchesPattern({ a: ['1'] }, { a: 1 })).toBe(false);
    expect(matchesPattern({ a: [1] }, { a: 1 })).toBe(true);
    expect(matchesPattern({ a: [null] }, { a: null })).toBe(true);
    expect(matchesPattern({ a: [null] }, {})).toBe(false);
  });

  it('matches an array value when any of its elements is listed', () => {
    expect(matchesPattern({ tags: ['b'] }, { tags: ['a', 'b'] })).toBe(true);
    expect(matchesPattern({ tags: ['c'] }, { tags: ['a', 'b'] })).toBe(false);
    expect(matchesPattern({ tags: ['c'] }, { tags: [] })).toBe(false);
  });

  it('descends into nested objects and ignores fields the pattern does not name', () => {
    const pattern = { detail: { conferenceId: ['c1'] } };
    expect(matchesPattern(pattern, busEvent('DelegateRegistered'))).toBe(true);
    expect(matchesPattern(pattern, { detail: { conferenceId: 'c2' } })).toBe(false);
    expect(matchesPattern(pattern, { detail: 'c1' })).toBe(false);
    expect(matchesPattern(pattern, { detail: ['c1'] })).toBe(false);
    expect(matchesPattern({ a: ['x'] }, { a: { b: 'x' } })).toBe(false);
  });

  it('never matches something that is not an object', () => {
    expect(matchesPattern({ a: ['x'] }, null)).toBe(false);
    expect(matchesPattern({ a: ['x'] }, 'x')).toBe(false);
    expect(matchesPattern({ a: ['x'] }, ['x'])).toBe(false);
  });

  it("applies the pipe's filter to Lambda-shaped stream records: event items by their new image", () => {
    const record = (eventName: string, kind: string) => ({
      eventName,
      dynamodb: { Keys: { pk: { S: 'x' } }, NewImage: { pk: { S: 'x' }, kind: { S: kind } } },
    });
    expect(matchesPattern(pipeDefinition.filterPattern, record('INSERT', 'event'))).toBe(true);
    expect(matchesPattern(pipeDefinition.filterPattern, record('INSERT', 'guard'))).toBe(false);
    expect(matchesPattern(pipeDefinition.filterPattern, record('INSERT', 'idempotency'))).toBe(false);
    expect(matchesPattern(pipeDefinition.filterPattern, record('MODIFY', 'guard'))).toBe(false);
    // A deletion has no new image (the stream carries NEW_IMAGE only).
    expect(
      matchesPattern(pipeDefinition.filterPattern, { eventName: 'REMOVE', dynamodb: { Keys: {} } }),
    ).toBe(false);
    expect(matchesPattern(pipeDefinition.filterPattern, { eventName: 'INSERT', dynamodb: {} })).toBe(false);
  });

  it('routes each contract event type to the rules that list it, and nothing else to any rule', () => {
    for (const rule of rules) {
      const listed = rule.pattern['detail-type'];
      if (!Array.isArray(listed)) throw new Error(`${rule.name} has no detail-type list`);
      for (const type of listed) expect(matchesPattern(rule.pattern, busEvent(type))).toBe(true);
      expect(matchesPattern(rule.pattern, busEvent('SomethingElse'))).toBe(false);
    }
  });
});
