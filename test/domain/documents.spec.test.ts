import { describe, expect, it } from 'vitest';
import {
  byDelegationThenName,
  type DocumentStatus,
  documentRequestSchema,
  documentView,
  type Participant,
  progressStep,
  selectionOf,
} from '../../domain/documents/documents.js';

const request = (body: unknown) => {
  const parsed = documentRequestSchema.safeParse(body);
  if (!parsed.success) return 'invalid';
  return selectionOf(parsed.data);
};

describe('a document request (CONTRACT 5.5)', () => {
  it('refuses an unknown kind or filter field', () => {
    expect(request({ kind: 'posters' })).toBe('invalid');
    expect(request({ kind: 'badges', filter: { colour: 'red' } })).toBe('invalid');
    expect(request({ kind: 'badges', other: 1 })).toBe('invalid');
    expect(request({ kind: 'badges', filter: { delegationId: 'a b' } })).toBe('invalid');
  });

  it('checks the filter values as the registrant list does, naming each under filter.', () => {
    expect(request({ kind: 'registrations-csv', filter: { country: 'Mexico', category: 'pirate' } })).toEqual(
      {
        errors: [
          { path: 'filter.country', message: expect.any(String) },
          { path: 'filter.category', message: expect.any(String) },
        ],
      },
    );
    expect(request({ kind: 'registrations-csv', filter: { status: 'lost' } })).toMatchObject({
      errors: [{ path: 'filter.status' }],
    });
  });

  it('prints badges and the list for seat holders only: default every seat holder, a waitlist alone is 400', () => {
    expect(request({ kind: 'badges' })).toEqual({
      selection: { filters: { statuses: ['registered', 'checked-in'] } },
    });
    expect(request({ kind: 'participants-list', filter: { status: ['checked-in', 'waitlisted'] } })).toEqual({
      selection: { filters: { statuses: ['checked-in'] } },
    });
    expect(request({ kind: 'badges', filter: { status: 'waitlisted,cancelled' } })).toMatchObject({
      errors: [{ path: 'filter.status' }],
    });
  });

  it('takes every registration into the CSV by default, and a delegation beside the list filters', () => {
    expect(request({ kind: 'registrations-csv' })).toEqual({ selection: { filters: {} } });
    expect(request({ kind: 'registrations-csv', filter: { q: ' perez ', delegationId: 'del-1' } })).toEqual({
      selection: { filters: { q: 'perez' }, delegationId: 'del-1' },
    });
  });
});

describe('the status of a document', () => {
  const stored: DocumentStatus = {
    documentId: 'd1',
    conferenceId: 'c1',
    kind: 'badges',
    request: { kind: 'badges' },
    status: 'running',
    done: 400,
    total: 20_000,
    createdAt: '2026-01-01T10:00:00.000Z',
    deadline: '2026-01-01T10:16:00.000Z',
  };

  it('is running with its progress until its deadline, failed after it: never stuck at running', () => {
    expect(documentView(stored, new Date('2026-01-01T10:15:59Z'))).toEqual({
      documentId: 'd1',
      kind: 'badges',
      status: 'running',
      done: 400,
      total: 20_000,
    });
    expect(documentView(stored, new Date('2026-01-01T10:16:01Z'))).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/timed out/),
    });
  });

  it('gives the link only once done, and the reason of a failure', () => {
    const done = {
      ...stored,
      status: 'done' as const,
      location: 'https://x/y.pdf',
      expiresAt: '2026-01-01T11:00:00Z',
    };
    expect(documentView(done, new Date('2026-01-02T00:00:00Z'))).toMatchObject({
      status: 'done',
      location: 'https://x/y.pdf',
      expiresAt: '2026-01-01T11:00:00Z',
    });
    expect(
      documentView({ ...stored, status: 'failed', reason: 'boom' }, new Date('2026-01-01T10:01:00Z')),
    ).toEqual(expect.objectContaining({ status: 'failed', reason: 'boom' }));
    expect(
      documentView({ ...stored, location: 'https://x/y.pdf' }, new Date('2026-01-01T10:01:00Z')),
    ).not.toHaveProperty('location');
  });

  it('writes progress about fifty times however large, never on every item', () => {
    expect(progressStep(20_000)).toBe(400);
    expect(progressStep(600)).toBe(25);
    expect(progressStep(0)).toBe(25);
  });
});

describe('the List of Participants', () => {
  const p = (delegation: string, familyName: string, givenName = 'A'): Participant => ({
    delegation,
    familyName,
    givenName,
    organization: null,
    country: 'FR',
  });
  it('orders by delegation, then family name and given name ignoring case and accents; no delegation last', () => {
    const list = [
      p('', 'Abad'),
      p('Mexico', 'Zúñiga'),
      p('France', 'élan', 'B'),
      p('France', 'Elan', 'A'),
      p('Mexico', 'Álvarez'),
    ];
    expect(
      list.sort(byDelegationThenName).map((x) => `${x.delegation}/${x.familyName}/${x.givenName}`),
    ).toEqual(['France/Elan/A', 'France/élan/B', 'Mexico/Álvarez/A', 'Mexico/Zúñiga/A', '/Abad/A']);
  });
});
