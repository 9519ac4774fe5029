import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';

/** A confirmation link of CONTRACT 5.1 in an email's text. */
export const CONFIRMATION_LINK = /https?:\/\/\S+?\/registrations\/confirm\?token=[A-Za-z0-9_.-]+/g;
/** A manage link of CONTRACT 5.1: the new manage token in the fragment. */
export const MANAGE_LINK = /https?:\/\/\S+?\/registrations\/[^/\s]+\/manage#token=[A-Za-z0-9_-]+/g;
/** An invitation's link of CONTRACT 5.3: the conference's register page with the code as `invitation=…`. */
export const INVITATION_LINK = /https?:\/\/\S+?\/register\?invitation=[A-Za-z0-9_.-]+/g;
/** A focal point's delegation link of CONTRACT 5.3: the delegation token in the fragment as `delegation=…`. */
export const DELEGATION_LINK = /https?:\/\/\S+?#delegation=[A-Za-z0-9_.-]+/g;

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

  /** The files listed so far by `firstLinkTo`, by recipient (lower-cased), oldest first. */
  private readonly listed = new Set<string>();
  private readonly filesTo = new Map<string, string[]>();
  private listing: Promise<void> | undefined;

  /**
   * The first link matching `pattern` (a global RegExp) in the emails to `address` (the oldest email's
   * first), or undefined when the outbox has none. Made for many callers at once, as the demo reads each
   * delegate's link as soon as their request is answered: the outbox is listed again only when the address
   * has no link yet, one listing serves every caller waiting meanwhile, a new file's recipients are read
   * from its header, and only the emails to the address asked for are parsed (once).
   */
  async firstLinkTo(address: string, pattern: RegExp): Promise<string | undefined> {
    const wanted = address.toLowerCase();
    const known = async () => {
      for (const file of this.filesTo.get(wanted) ?? []) {
        const link = (await this.parse(file)).text.match(pattern)?.[0];
        if (link) return link;
      }
      return undefined;
    };
    let link = await known();
    if (link) return link;
    // A listing that began before this call may have missed the email: let it end, then list again.
    await this.listing?.catch(() => {});
    link = await known();
    if (link) return link;
    this.listing ??= this.listNew().finally(() => {
      this.listing = undefined;
    });
    await this.listing;
    return known();
  }

  private async listNew() {
    const names = (await readdir(this.outbox)).filter(
      (file) => file.endsWith('.eml') && !this.listed.has(file),
    );
    const written = await Promise.all(
      names.map(async (file) => ({
        file,
        at: (await stat(join(this.outbox, file))).mtimeMs,
        to: await this.recipients(file),
      })),
    );
    for (const { file, to } of written.sort((a, b) => a.at - b.at)) {
      // No recipient yet: a file still being written (created, then filled). The next listing reads it again.
      if (to.length === 0) continue;
      this.listed.add(file);
      for (const address of to) this.filesTo.set(address, [...(this.filesTo.get(address) ?? []), file]);
    }
  }

  /**
   * The addresses in an email's To header, read from the raw header (addresses are ASCII; a display name
   * may be encoded, the address never is): parsing every email whole would decode every attachment too.
   */
  private async recipients(file: string): Promise<string[]> {
    const raw = await readFile(join(this.outbox, file), 'latin1');
    const header = raw.slice(0, raw.search(/\r?\n\r?\n/)).replace(/\r?\n[ \t]+/g, ' ');
    const to = /^to:(.*)$/im.exec(header)?.[1] ?? '';
    const addresses = [...to.matchAll(/[^\s<>,;:"()[\]]+@[^\s<>,;:"()[\]]+/g)].map((match) =>
      match[0].toLowerCase(),
    );
    return addresses;
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
