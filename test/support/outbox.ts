import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';

/**
 * The .eml files of `outbox` (the local outbox adapter's folder) addressed to `address`, each parsed by
 * mailparser, independent of the composer (nodemailer).
 */
export const outboxMailsTo = async (
  outbox: string,
  address: string,
): Promise<{ file: string; mail: ParsedMail }[]> => {
  const mails: { file: string; mail: ParsedMail }[] = [];
  for (const file of (await readdir(outbox)).filter((name) => name.endsWith('.eml'))) {
    const mail = await simpleParser(await readFile(join(outbox, file)));
    const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
    if (to.some((entry) => entry.value.some((value) => value.address === address)))
      mails.push({ file, mail });
  }
  return mails;
};
