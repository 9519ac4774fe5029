import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { delegateEmail } from '../../domain/notifications/delegate-email.js';
import { LANGUAGES } from '../../domain/shared/languages.js';
import { composeEmail } from '../../functions/shared/notifications/mail.js';
import { iclc2015 } from '../domain/fixtures.js';
import { detectedLanguage } from '../support/language-detector.js';

const conference = { conferenceId: 'c1', ...iclc2015 };
const recipient = { registrationId: 'r1', givenName: 'Ana', familyName: 'Pérez' };

describe('A delegate email in each of the six languages', () => {
  it.each(LANGUAGES)(
    '%s: read back by mailparser, written in it (franc) and right to left only in Arabic',
    async (language) => {
      const content = delegateEmail('waitlisted', recipient, conference, {
        language,
        managePage: 'http://127.0.0.1:3000/conferences/c1/registrations/r1/manage',
      });
      const raw = await composeEmail(
        content,
        'ICLC2015 <no-reply@example.org>',
        { name: 'Ana Pérez', address: 'ana@example.org' },
        '<m1@test>',
      );
      const mail = await simpleParser(raw);
      expect(detectedLanguage(mail.text ?? '')).toBe(language);
      const html = String(mail.html);
      expect(html).toContain(`<html lang="${language}" dir="${language === 'ar' ? 'rtl' : 'ltr'}">`);
      expect(mail.text).toContain('http://127.0.0.1:3000/conferences/c1/registrations/r1/manage');
      expect(mail.text).not.toMatch(/X-Manage-Token|POST \//);
    },
  );

  it('dates follow the language’s conventions', () => {
    const facts = (language: 'fr' | 'es') =>
      Object.fromEntries(
        delegateEmail('registered', recipient, conference, { language, managePage: 'x' }).facts,
      );
    expect(facts('fr').Dates).toContain('du 28 septembre 2015 au 30 septembre 2015');
    expect(facts('es').Fechas).toContain('28 de septiembre de 2015 – 30 de septiembre de 2015');
  });
});
