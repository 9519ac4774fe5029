import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iclc2015 } from '../domain/fixtures.js';
import { httpClient } from '../support/http-client.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';
import { outboxMailsTo } from '../support/outbox.js';
import { pdfPagesText } from '../support/pdf-reader.js';

/**
 * CONTRACT 5.3, delegations and the List of Participants, over HTTP against `npm start`: the focal point's
 * delegation token from the email in the outbox, good for its own delegation only; invitations raced
 * against the quota (never exceeded); the head (409 for a non-member); credentials and the quota (organizer
 * only; lowered below the places held: 409 naming how many); a substitution; the registrant list's and the
 * CSV's delegation; and the public participants before and after a withdrawn consent and an erasure.
 */
let server: RunningServer;
let call: ReturnType<typeof httpClient>;
let conferenceId: string;
const organizer = () => ({ authorization: `Bearer ${server.token}` });
const mailsTo = (address: string) => outboxMailsTo(join(server.dataDir, 'outbox'), address);
const path = (rest = '') => `/conferences/${conferenceId}${rest}`;

/** The delegation token of the link in the email to the focal point. */
const delegationTokenMailedTo = async (address: string) => {
  const { mail } = await eventually(async () =>
    (await mailsTo(address)).find(({ mail }) => /focal point/i.test(mail.subject ?? '')),
  );
  const link = /(http:\/\/\S+#delegation=[A-Za-z0-9_.-]+)/.exec(mail.text ?? '')?.[1];
  expect(link).toBeDefined();
  return new URL(link ?? '').hash.replace(/^#delegation=/, '');
};

/** The code of the invitation link in the email to `address`. */
const invitationCodeMailedTo = async (address: string) => {
  const { mail } = await eventually(async () =>
    (await mailsTo(address)).find(({ mail }) => /invit/i.test(mail.subject ?? '')),
  );
  const link = /(http:\/\/\S+\/register\?invitation=[A-Za-z0-9_.-]+)/.exec(mail.text ?? '')?.[1];
  expect(link).toBeDefined();
  return new URL(link ?? '').searchParams.get('invitation') ?? '';
};

const createDelegation = (name: string, focalEmail: string, quota: number, country?: string) =>
  call(
    'POST',
    path('/delegations'),
    {
      name,
      ...(country ? { country } : {}),
      quota,
      focalPoint: { email: focalEmail, givenName: 'Focal', familyName: 'Point' },
    },
    organizer(),
  );

const participants = async () =>
  (await call('GET', path('/participants'))).body.participants as Record<string, unknown>[];

let mexico: { delegationId: string; token: string };
let korea: { delegationId: string; token: string };
const members: Record<string, { registrationId: string; manageToken: string }> = {};

beforeAll(async () => {
  server = await startServer();
  call = httpClient(server.apiUrl);
  const created = await call(
    'POST',
    '/conferences',
    { ...iclc2015, capacity: 50, registrationPolicy: { mayor: 'invitation' } },
    organizer(),
  );
  expect(created.status).toBe(201);
  conferenceId = created.body.conferenceId;
  const m = await createDelegation('Mexico City', 'focal.cdmx@example.org', 3, 'MX');
  const k = await createDelegation('Republic of Korea', 'focal.korea@example.org', 2, 'KR');
  expect(m.status).toBe(201);
  expect(k.status).toBe(201);
  mexico = {
    delegationId: m.body.delegationId,
    token: await delegationTokenMailedTo('focal.cdmx@example.org'),
  };
  korea = {
    delegationId: k.body.delegationId,
    token: await delegationTokenMailedTo('focal.korea@example.org'),
  };
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

const asFocalPoint = (token: string) => ({ 'x-delegation-token': token });

describe('npm start: delegations', () => {
  it('the focal point’s token reads its own delegation; another’s is 403, none 401', async () => {
    const own = await call(
      'GET',
      path(`/delegations/${mexico.delegationId}`),
      undefined,
      asFocalPoint(mexico.token),
    );
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      delegationId: mexico.delegationId,
      name: 'Mexico City',
      quota: 3,
      placesHeld: 0,
      members: [],
      credentials: 'pending',
    });
    const other = await call(
      'GET',
      path(`/delegations/${korea.delegationId}`),
      undefined,
      asFocalPoint(mexico.token),
    );
    expect(other.status).toBe(403);
    expect(other.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await call('GET', path(`/delegations/${korea.delegationId}`))).status).toBe(401);
    const forged = await call(
      'GET',
      path(`/delegations/${korea.delegationId}`),
      undefined,
      asFocalPoint(`${korea.delegationId}.${'A'.repeat(43)}`),
    );
    expect(forged.status).toBe(403);
    // The organizer reads any delegation.
    expect(
      (await call('GET', path(`/delegations/${korea.delegationId}`), undefined, organizer())).status,
    ).toBe(200);
  });

  it('invitations sent at once never exceed the quota; a focal point cannot invite into another delegation', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, n) =>
        call(
          'POST',
          path('/invitations'),
          { email: `mayor.${n}@cdmx.example.org`, category: 'mayor' },
          asFocalPoint(mexico.token),
        ),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    invitedOfMexico = answers.flatMap((answer, n) =>
      answer.status === 201 ? [`mayor.${n}@cdmx.example.org`] : [],
    );
    expect(statuses.filter((status) => status === 201)).toHaveLength(3);
    expect(statuses.filter((status) => status === 409)).toHaveLength(5);
    const read = await call('GET', path(`/delegations/${mexico.delegationId}`), undefined, organizer());
    expect(read.body.placesHeld).toBe(3);
    const intoKorea = await call(
      'POST',
      path('/invitations'),
      { email: 'x@korea.example.org', category: 'mayor', delegationId: korea.delegationId },
      asFocalPoint(mexico.token),
    );
    expect(intoKorea.status).toBe(403);
  });

  it('invitees register into the delegation; the list and the CSV filter and name it; the head is a member', async () => {
    const invited = answersOfMexico();
    for (const [n, email] of invited.entries()) {
      const code = await invitationCodeMailedTo(email);
      const registered = await call('POST', path('/registrations'), {
        givenName: ['Ana', 'Bruno', 'Carla'][n],
        familyName: ['Zamora', 'Álvarez', 'Méndez'][n],
        email,
        country: 'MX',
        city: 'Ciudad de México',
        category: 'mayor',
        consent: true,
        consentToPublish: n !== 2,
        invitationCode: code,
      });
      expect(registered.status).toBe(201);
      members[email] = registered.body;
    }
    const listed = await eventually(async () => {
      const answer = await call(
        'GET',
        path(`/registrations?delegationId=${mexico.delegationId}`),
        undefined,
        organizer(),
      );
      return answer.body?.registrations?.length === 3 ? answer : undefined;
    });
    for (const row of listed.body.registrations)
      expect(row).toMatchObject({ delegationId: mexico.delegationId, delegationName: 'Mexico City' });
    const csv = await call(
      'GET',
      path(`/registrations.csv?delegationId=${mexico.delegationId}`),
      undefined,
      organizer(),
    );
    const rows = parse(csv.text, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((row) => row.delegationName)).toEqual(['Mexico City', 'Mexico City', 'Mexico City']);
    expect(rows.map((row) => row.consentToPublish).sort()).toEqual(['false', 'true', 'true']);
    // The CSV made in the background is the same CSV (CONTRACT 5.5), delegation names included.
    const made = parse(await csvDocument({ delegationId: mexico.delegationId }), {
      bom: true,
      columns: true,
    }) as Record<string, string>[];
    expect(made).toEqual(rows);
    // Another delegation's filter lists none of them.
    const none = await call(
      'GET',
      path(`/registrations?delegationId=${korea.delegationId}`),
      undefined,
      organizer(),
    );
    expect(none.body.registrations).toEqual([]);

    const outsider = await call('POST', path('/registrations'), {
      givenName: 'Olaf',
      familyName: 'Outsider',
      email: 'olaf@example.org',
      country: 'DE',
      city: 'Berlin',
      category: 'academic',
      consent: true,
      consentToPublish: true,
    });
    expect(outsider.status).toBe(201);
    members.outsider = outsider.body;
    const notMember = await call(
      'POST',
      path(`/delegations/${mexico.delegationId}/head`),
      { registrationId: outsider.body.registrationId },
      asFocalPoint(mexico.token),
    );
    expect(notMember.status).toBe(409);
    const head = members[invited[0] ?? ''];
    const named = await call(
      'POST',
      path(`/delegations/${mexico.delegationId}/head`),
      { registrationId: head?.registrationId },
      asFocalPoint(mexico.token),
    );
    expect(named.status).toBe(200);
    const read = await eventually(async () => {
      const answer = await call(
        'GET',
        path(`/delegations/${mexico.delegationId}`),
        undefined,
        asFocalPoint(mexico.token),
      );
      return answer.body?.members?.length === 3 ? answer : undefined;
    });
    expect(read.body.headOfDelegation).toBe(head?.registrationId);
    expect(read.body.members.map((member: { familyName: string }) => member.familyName)).toEqual([
      'Álvarez',
      'Méndez',
      'Zamora',
    ]);
  });

  it('credentials and the quota are the organizer’s; a quota below the places held is 409 naming how many', async () => {
    const byFocalPoint = await call(
      'POST',
      path(`/delegations/${mexico.delegationId}/credentials`),
      { status: 'received' },
      asFocalPoint(mexico.token),
    );
    expect(byFocalPoint.status).toBe(401);
    const verified = await call(
      'POST',
      path(`/delegations/${mexico.delegationId}/credentials`),
      { status: 'verified' },
      organizer(),
    );
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({ delegationId: mexico.delegationId, credentials: 'verified', quota: 3 });
    const lowered = await call(
      'POST',
      path(`/delegations/${mexico.delegationId}/credentials`),
      { quota: 2 },
      organizer(),
    );
    expect(lowered.status).toBe(409);
    expect(lowered.body.detail).toMatch(/holds 3 places/);
    const raised = await call(
      'POST',
      path(`/delegations/${mexico.delegationId}/credentials`),
      { quota: 4 },
      organizer(),
    );
    expect(raised.status).toBe(200);
    expect(raised.body.quota).toBe(4);
    const bad = await call(
      'POST',
      path(`/delegations/${mexico.delegationId}/credentials`),
      { status: 'lost' },
      organizer(),
    );
    expect(bad.status).toBe(400);
  });

  it('a substitution cancels the member and invites the substitute in one step, within the quota', async () => {
    const [, , third] = answersOfMexico();
    const member = members[third ?? ''];
    const substituted = await call(
      'POST',
      path(`/delegations/${mexico.delegationId}/substitute`),
      {
        registrationId: member?.registrationId,
        invitation: { email: 'substitute@cdmx.example.org', category: 'mayor' },
      },
      asFocalPoint(mexico.token),
    );
    expect(substituted.status).toBe(201);
    expect(substituted.body).toEqual({ invitationId: expect.any(String), status: 'sent' });
    const back = await call('GET', path(`/registrations/${member?.registrationId}`), undefined, organizer());
    expect(back.body.status).toBe('cancelled');
    const read = await call('GET', path(`/delegations/${mexico.delegationId}`), undefined, organizer());
    // The member's place passed to the substitute: still 3 held.
    expect(read.body.placesHeld).toBe(3);
    const again = await call(
      'POST',
      path(`/delegations/${mexico.delegationId}/substitute`),
      {
        registrationId: member?.registrationId,
        invitation: { email: 'another@cdmx.example.org', category: 'mayor' },
      },
      asFocalPoint(mexico.token),
    );
    expect(again.status).toBe(409);
    expect(await invitationCodeMailedTo('substitute@cdmx.example.org')).not.toBe('');
  });
});

describe('npm start: the List of Participants', () => {
  it('lists consenting seat holders by delegation then family name, nothing else of them', async () => {
    const listed = await eventually(async () => {
      const list = await participants();
      return list.length === 3 ? list : undefined;
    });
    expect(listed).toEqual([
      {
        givenName: 'Bruno',
        familyName: 'Álvarez',
        organization: null,
        country: 'MX',
        delegation: 'Mexico City',
      },
      {
        givenName: 'Ana',
        familyName: 'Zamora',
        organization: null,
        country: 'MX',
        delegation: 'Mexico City',
      },
      { givenName: 'Olaf', familyName: 'Outsider', organization: null, country: 'DE' },
    ]);
  });

  it('the organizer’s participants-list document prints the same people by delegation', async () => {
    const text = await participantsDocument();
    expect(text).toContain('Mexico City');
    expect(text).toContain('Other participants');
    // Family names in capitals, as the official list prints them.
    const order = ['Mexico City', 'ÁLVAREZ', 'ZAMORA', 'Other participants', 'OUTSIDER'].map((word) =>
      text.indexOf(word),
    );
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).not.toContain('MÉNDEZ');
  }, 60_000);

  it('a withdrawn consent and an erasure remove the person within seconds', async () => {
    const [first, second] = answersOfMexico();
    const ana = members[first ?? ''];
    const withdrawn = await call(
      'POST',
      path(`/registrations/${ana?.registrationId}/details`),
      { consentToPublish: false },
      { 'x-manage-token': ana?.manageToken ?? '' },
    );
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.consentToPublish).toBe(false);
    await eventually(async () =>
      (await participants()).some((p) => p.givenName === 'Ana') ? undefined : true,
    );
    const bruno = members[second ?? ''];
    const erased = await call(
      'POST',
      path(`/registrations/${bruno?.registrationId}/erase`),
      undefined,
      organizer(),
    );
    expect(erased.status).toBe(200);
    const left = await eventually(async () => {
      const list = await participants();
      return list.length === 1 ? list : undefined;
    });
    expect(left).toEqual([{ givenName: 'Olaf', familyName: 'Outsider', organization: null, country: 'DE' }]);
    const text = await participantsDocument();
    expect(text).toContain('OUTSIDER');
    expect(text).not.toContain('ZAMORA');
    expect(text).not.toContain('ÁLVAREZ');
    // The erased member's place of the quota was given back with its cancellation.
    const read = await call('GET', path(`/delegations/${mexico.delegationId}`), undefined, organizer());
    expect(read.body.placesHeld).toBe(2);
  });

  it('is 404 for an unknown conference', async () => {
    expect((await call('GET', '/conferences/no-such-conference/participants')).status).toBe(404);
  });
});

/** A participants-list document made now, its pages' text read back by an independent PDF parser. */
async function participantsDocument(): Promise<string> {
  const started = await call('POST', path('/documents'), { kind: 'participants-list' }, organizer());
  expect(started.status).toBe(202);
  const status = await eventually(async () => {
    const answer = await call('GET', path(`/documents/${started.body.documentId}`), undefined, organizer());
    return answer.body?.status === 'done' ? answer.body : undefined;
  }, 30_000);
  const file = await fetch(status.location);
  return (await pdfPagesText(new Uint8Array(await file.arrayBuffer()))).join('\n');
}

/** A registrations-csv document made now with `filter`, its text as fetched from its location. */
async function csvDocument(filter: Record<string, string>): Promise<string> {
  const started = await call('POST', path('/documents'), { kind: 'registrations-csv', filter }, organizer());
  expect(started.status).toBe(202);
  const status = await eventually(async () => {
    const answer = await call('GET', path(`/documents/${started.body.documentId}`), undefined, organizer());
    return answer.body?.status === 'done' ? answer.body : undefined;
  }, 30_000);
  return (await fetch(status.location)).text();
}

/** The addresses of the three invitations into Mexico City's delegation that were sent (of the eight raced). */
let invitedOfMexico: string[] | undefined;
function answersOfMexico(): string[] {
  if (!invitedOfMexico) throw new Error('The invitations were not raced yet');
  return invitedOfMexico;
}
