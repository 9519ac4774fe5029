import { join } from 'node:path';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iclc2015 } from '../domain/fixtures.js';
import { httpClient } from '../support/http-client.js';
import { eventually, type RunningServer, startServer } from '../support/local-server.js';
import { outboxMailsTo } from '../support/outbox.js';
import { decodeQrOnPage, pdfPagesText } from '../support/pdf-reader.js';
import { visaLetterFields } from '../support/visa-letter-fields.js';

/**
 * CONTRACT 4.4 over HTTP on `npm start`: a delegate requests a letter, the organizer reviews the list and
 * issues it, the delegate finds the PDF in the email (the .eml read by mailparser, the PDF by pdf.js, its
 * QR code by jsQR), the URL in the QR code answers a consulate 200 with what the letter says, and after
 * the erasure of the registration 404, as for a code never issued.
 */
let server: RunningServer;
let call: ReturnType<typeof httpClient>;
let conferenceId: string;
const organizer = () => ({ authorization: `Bearer ${server.token}` });
const signatory = { name: 'Arne Carlsen', title: 'Director, UNESCO Institute for Lifelong Learning' };

interface Delegate {
  registrationId: string;
  manageToken: string;
  email: string;
}
const delegates: Delegate[] = [];

const register = async (n: number, familyName: string): Promise<Delegate> => {
  const email = `visa.e2e.${n}@example.org`;
  const answer = await call('POST', `/conferences/${conferenceId}/registrations`, {
    givenName: 'Tsehay',
    familyName,
    email,
    country: 'ET',
    city: 'Addis Ababa',
    category: 'education-executive',
    consent: true,
  });
  expect(answer.status).toBe(201);
  return { ...answer.body, email };
};

const request = {
  passportName: 'KEBEDE ALEMU Tsehay',
  passportNumber: 'EP1234567',
  nationality: 'ET',
  dateOfBirth: '1971-03-14',
  passportExpiresOn: '2029-11-17',
  placeOfIssue: 'Addis Ababa',
};

const letterPath = (d: Delegate, action = '') =>
  `/conferences/${conferenceId}/registrations/${d.registrationId}/visa-letter${action}`;
const list = (query = '') =>
  call('GET', `/conferences/${conferenceId}/visa-letters${query}`, undefined, organizer());

/** The .eml files of the outbox addressed to `address`, parsed by mailparser. */
const mailsTo = async (address: string): Promise<ParsedMail[]> =>
  (await outboxMailsTo(join(server.dataDir, 'outbox'), address)).map(({ mail }) => mail);

beforeAll(async () => {
  server = await startServer();
  call = httpClient(server.apiUrl);
  const created = await call(
    'POST',
    '/conferences',
    { ...iclc2015, visaLetterSignatory: signatory },
    organizer(),
  );
  expect(created.status).toBe(201);
  conferenceId = created.body.conferenceId;
  delegates.push(await register(1, 'Kebede'), await register(2, 'Virtanen'), await register(3, 'Pérez'));
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

let verificationUrl: string;

describe('npm start: visa letters, from the request to the consulate', () => {
  it('lists the requests for the organizer, filtered by status; refuses an unknown status, conference or caller', async () => {
    const [first, second, third] = delegates as [Delegate, Delegate, Delegate];
    for (const d of [first, second, third]) {
      const answer = await call(
        'POST',
        letterPath(d),
        { ...request, passportNumber: `EP${d.email.length}00${delegates.indexOf(d)}` },
        {
          'x-manage-token': d.manageToken,
        },
      );
      expect(answer.status, answer.text).toBe(202);
    }
    const listed = await eventually(async () => {
      const { body } = await list();
      return body?.visaLetters?.length === 3 ? body.visaLetters : undefined;
    });
    expect(listed.map((entry: { familyName: string }) => entry.familyName).sort()).toEqual([
      'Kebede',
      'Pérez',
      'Virtanen',
    ]);
    expect(listed[0]).toEqual({
      registrationId: expect.any(String),
      givenName: 'Tsehay',
      familyName: expect.any(String),
      nationality: 'ET',
      status: 'requested',
      requestedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });

    const bad = await list('?status=requested,approved');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
    expect(bad.body.errors).toEqual([
      { path: 'status', message: expect.stringContaining('requested, issued, declined') },
    ]);
    expect(
      (await call('GET', '/conferences/no-such-conference/visa-letters', undefined, organizer())).status,
    ).toBe(404);
    expect((await call('GET', `/conferences/${conferenceId}/visa-letters`)).status).toBe(401);
    expect(
      (
        await call('GET', `/conferences/${conferenceId}/visa-letters`, undefined, {
          'x-manage-token': first.manageToken,
        })
      ).status,
    ).toBe(401);
  });

  it('issues: the email carries the PDF with the passport data as requested and a QR code of the verification URL', async () => {
    const [first] = delegates as [Delegate];
    await call('POST', letterPath(first), request, { 'x-manage-token': first.manageToken }); // the request as printed
    const issued = await call('POST', letterPath(first, '/issue'), undefined, organizer());
    expect(issued.status, issued.text).toBe(200);
    const { verificationCode } = issued.body;
    expect(verificationCode).toMatch(/^[A-Za-z0-9_-]{22,}$/);

    const mail = await eventually(
      // The registration email carries an attachment too (the check-in QR code, inline): the letter's is the PDF.
      async () =>
        (await mailsTo(first.email)).find((m) =>
          m.attachments.some((a) => a.contentType === 'application/pdf'),
        ),
      15_000,
    );
    expect(mail.subject).toBe('ICLC2015: Your letter of invitation for the visa application');
    const attachment = mail.attachments.find((a) => a.contentType === 'application/pdf');
    expect(attachment?.contentType).toBe('application/pdf');
    const pdf = new Uint8Array(attachment?.content ?? []);
    const [text = ''] = await pdfPagesText(pdf);
    for (const field of visaLetterFields({
      conference: iclc2015,
      request,
      nationality: 'Ethiopia (ET)',
      signatory,
      verificationCode,
    }))
      expect(text, field).toContain(field);
    verificationUrl = (await decodeQrOnPage(pdf, 1)) ?? '';
    expect(verificationUrl).toBe(`${server.apiUrl}/visa-letters/${verificationCode}`);
    expect(mail.text).toContain(verificationUrl);

    const listed = await eventually(async () => {
      const { body } = await list('?status=issued');
      return body?.visaLetters?.length === 1 ? body.visaLetters : undefined;
    });
    expect(listed[0]).toMatchObject({
      registrationId: first.registrationId,
      status: 'issued',
      decidedAt: expect.any(String),
    });
  });

  it('answers the URL in the QR code with what the letter says, to anyone', async () => {
    const answer = await eventually(async () => {
      const got = await fetch(verificationUrl);
      return got.status === 200 ? got : undefined;
    });
    expect(await answer.json()).toEqual({
      valid: true,
      conference: {
        name: iclc2015.name,
        city: iclc2015.city,
        country: iclc2015.country,
        startDate: iclc2015.startDate,
        endDate: iclc2015.endDate,
      },
      passportName: request.passportName,
      nationality: 'ET',
      passportNumberLast4: '4567',
      issuedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
  });

  it('declines with the reason, which the delegate is emailed; the list shows each status', async () => {
    const [, second] = delegates as [Delegate, Delegate];
    const reason = 'The passport number does not match the copy of the passport you sent.';
    const declined = await call('POST', letterPath(second, '/decline'), { reason }, organizer());
    expect(declined.status, declined.text).toBe(200);
    const mail = await eventually(
      async () => (await mailsTo(second.email)).find((m) => m.subject?.includes('declined')),
      15_000,
    );
    expect(mail.text).toContain(reason);
    expect(mail.attachments).toEqual([]);
    const statuses = await eventually(async () => {
      const { body } = await list('?status=declined,issued');
      return body?.visaLetters?.length === 2 ? body.visaLetters : undefined;
    });
    expect(statuses.map((entry: { status: string }) => entry.status).sort()).toEqual(['declined', 'issued']);
    const waiting = (await list('?status=requested')).body.visaLetters;
    expect(waiting.map((entry: { familyName: string }) => entry.familyName)).toEqual(['Pérez']);
  });

  it('after the erasure of the registration: the verification answers 404 as for an unknown code, the list forgets it', async () => {
    const [first] = delegates as [Delegate];
    const erased = await call(
      'POST',
      `/conferences/${conferenceId}/registrations/${first.registrationId}/erase`,
      undefined,
      {
        'x-manage-token': first.manageToken,
      },
    );
    expect(erased.status).toBe(200);
    const gone = await eventually(async () => {
      const got = await fetch(verificationUrl);
      return got.status === 404 ? got : undefined;
    });
    expect(gone.headers.get('content-type')).toBe('application/problem+json');
    const unknown = await fetch(`${server.apiUrl}/visa-letters/${'A'.repeat(22)}`);
    expect(unknown.status).toBe(404);
    const goneBody = await gone.json();
    expect(await unknown.json()).toEqual(goneBody);
    const listed = await eventually(async () => {
      const { body } = await list();
      return body?.visaLetters?.length === 2 ? body.visaLetters : undefined;
    });
    expect(listed.map((entry: { registrationId: string }) => entry.registrationId)).not.toContain(
      first.registrationId,
    );
  });
});
