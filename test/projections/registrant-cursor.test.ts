import { describe, expect, it } from 'vitest';
import { planRegistrantQuery } from '../../domain/projections/registrant-list.js';
import {
  decodeCursor,
  encodeCursor,
  InvalidCursorError,
} from '../../functions/shared/projections/registrant-list.js';

const plan = planRegistrantQuery({ country: 'MX', q: 'pérez' }, 'familyName');
const after = 'f|perez\u0001ana\u00012015-09-01T10:00:00.000Z|r1';

describe('registrant list cursor', () => {
  it('is opaque URL-safe text that gives back the sort key of its own query', () => {
    const cursor = encodeCursor(plan, after);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain('perez');
    expect(decodeCursor(planRegistrantQuery({ country: 'MX', q: 'Pérez' }, 'familyName'), cursor)).toBe(
      after,
    );
  });

  it('is refused with another query: other filters, another search, another order', () => {
    const cursor = encodeCursor(plan, after);
    for (const other of [
      planRegistrantQuery({ country: 'FI', q: 'pérez' }, 'familyName'),
      planRegistrantQuery({ country: 'MX', q: 'perey' }, 'familyName'),
      planRegistrantQuery({ country: 'MX', q: 'pérez', statuses: ['registered'] }, 'familyName'),
      planRegistrantQuery({ country: 'MX', q: 'pérez' }, 'registeredAt'),
    ])
      expect(() => decodeCursor(other, cursor)).toThrow(/another query/);
  });

  it('is refused when malformed or not made here', () => {
    const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const good = JSON.parse(Buffer.from(encodeCursor(plan, after), 'base64url').toString()) as { p: string };
    for (const bad of [
      'not a cursor!',
      '',
      'x'.repeat(3000),
      Buffer.from('not json').toString('base64url'),
      json(null),
      json({ v: 2, p: good.p, a: after }),
      json({ v: 1, p: good.p }),
      json({ v: 1, p: good.p, a: 42 }),
      json({ v: 1, p: good.p, a: 'r|2015|x' }), // a sort key of the other order
      json({ v: 1, p: good.p, a: `f|${'a'.repeat(1100)}` }),
      json({ v: 1, p: good.p, a: 'f|a\u0000' }),
      json({ v: 1, p: good.p, a: 'f|perez ana 2015|r1' }), // no time and id after a U+0001: no table key
      json({ v: 1, p: 'forged', a: after }),
    ])
      expect(() => decodeCursor(plan, bad), bad.slice(0, 40)).toThrow(InvalidCursorError);
  });
});
