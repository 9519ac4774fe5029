import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIRMATION_LINK, OutboxLinks } from '../../local/outbox-links.js';

let outbox: string;

beforeEach(async () => {
  outbox = await mkdtemp(join(tmpdir(), 'outbox-links-'));
});

afterEach(async () => {
  await rm(outbox, { recursive: true, force: true });
});

// A long link, as the real emails carry it: quoted-printable folds it over several lines in the file.
const linkFor = (n: number) =>
  `http://127.0.0.1:3000/registrations/confirm?token=${'abcdefghij'.repeat(12)}.${n}`;

/** An .eml as the local notification channel writes one (nodemailer's composer, one file per email). */
const mail = async (file: string, to: string, text: string) => {
  const raw = await new MailComposer({
    from: 'Conference <noreply@example.org>',
    to,
    subject: 'Confirm',
    text,
  })
    .compile()
    .build();
  await writeFile(join(outbox, `${file}.eml`), raw);
};

describe('OutboxLinks.firstLinkTo', () => {
  it("finds each address's link, lists the outbox again for an address it has no link for yet", async () => {
    await mail('1', 'Ana Pérez <Ana.Perez.1@example.org>', `Confirm: ${linkFor(1)}\nThanks.`);
    await mail('2', 'li.wei.2@example.org', 'No link in this one.');
    const links = new OutboxLinks(outbox);

    expect(await links.firstLinkTo('ana.perez.1@example.org', CONFIRMATION_LINK)).toBe(linkFor(1));
    expect(await links.firstLinkTo('li.wei.2@example.org', CONFIRMATION_LINK)).toBeUndefined();
    expect(await links.firstLinkTo('kim.3@example.org', CONFIRMATION_LINK)).toBeUndefined();

    // Written after the first listing: found by the next call that misses it.
    await mail('3', 'kim.3@example.org', `Please confirm ${linkFor(3)}`);
    await mail('4', 'li.wei.2@example.org', `Now with a link: ${linkFor(2)}`);
    expect(await links.firstLinkTo('KIM.3@example.org', CONFIRMATION_LINK)).toBe(linkFor(3));
    expect(await links.firstLinkTo('li.wei.2@example.org', CONFIRMATION_LINK)).toBe(linkFor(2));
  });

  it('reads again a file that was still empty when listed (created, not yet written)', async () => {
    const links = new OutboxLinks(outbox);
    await writeFile(join(outbox, 'being-written.eml'), '');
    expect(await links.firstLinkTo('late.5@example.org', CONFIRMATION_LINK)).toBeUndefined();
    await rm(join(outbox, 'being-written.eml'));
    await mail('being-written', 'late.5@example.org', `Confirm: ${linkFor(5)}`);
    expect(await links.firstLinkTo('late.5@example.org', CONFIRMATION_LINK)).toBe(linkFor(5));
  });

  it('answers many callers at once, each with the link of their own address', async () => {
    const links = new OutboxLinks(outbox);
    const addresses = Array.from({ length: 30 }, (_, n) => `delegate.${n}@example.org`);
    const answers = Promise.all(
      addresses.map(async (address, n) => {
        await mail(String(n), address, `Confirm: ${linkFor(n)}`);
        return links.firstLinkTo(address, CONFIRMATION_LINK);
      }),
    );
    expect(await answers).toEqual(addresses.map((_, n) => linkFor(n)));
  });
});
