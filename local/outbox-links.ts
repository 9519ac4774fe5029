import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';

/** A confirmation link of CONTRACT 5.1 in an email's text. */
export const CONFIRMATION_LINK = /https?:\/\/\S+?\/registrations\/confirm\?token=[A-Za-z0-9_.-]+/g;
/** A manage link of CONTRACT 5.1: the new manage token in the fragment. */
export const MANAGE_LINK = /https?:\/\/\S+?\/registrations\/[^/\s]+\/manage#token=[A-Za-z0-9_-]+/g;

/**
 * The links in the local outbox's emails (DATA_DIR/outbox, one .eml per email), by recipient: what a
 * delegate would click, read by the demo the way a person reads their mailbox. Each file is parsed once
 * (mailparser: the texts are quoted-printable, so a long link is never found by grep in the raw file).
 */
export class OutboxLinks {
  private readonly parsed = new Map<string, Promise<{ to: string[]; text: string }>>();

  constructor(private readonly outbox: string) {}

  private parse(file: string) {
    let mail = this.parsed.get(file);
    if (!mail) {
      mail = readFile(join(this.outbox, file)).then(async (raw) => {
        const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
        const to = (Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : []).flatMap((entry) =>
          entry.value.flatMap((value) => (value.address ? [value.address.toLowerCase()] : [])),
        );
        return { to, text: parsed.text ?? '' };
      });
      this.parsed.set(file, mail);
    }
    return mail;
  }

  /**
   * Every link matching `pattern` (a global RegExp) in the emails to each address, by lower-cased address,
   * the oldest email's first.
   */
  async linksByAddress(pattern: RegExp): Promise<Map<string, string[]>> {
    const names = (await readdir(this.outbox)).filter((file) => file.endsWith('.eml'));
    const written = await Promise.all(
      names.map(async (file) => ({ file, at: (await stat(join(this.outbox, file))).mtimeMs })),
    );
    const files = written.sort((a, b) => a.at - b.at).map(({ file }) => file);
    const links = new Map<string, string[]>();
    for (const mail of await Promise.all(files.map((file) => this.parse(file)))) {
      const found = [...mail.text.matchAll(pattern)].map((match) => match[0]);
      if (found.length === 0) continue;
      for (const address of mail.to) links.set(address, [...(links.get(address) ?? []), ...found]);
    }
    return links;
  }
}
