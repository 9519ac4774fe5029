import { LRUCache } from 'lru-cache';
import { normalizeEmail } from '../../../domain/shared/values.js';
import type { KeyService } from './key-service.js';

/** What the MAC of an email guard covers before the address: its purpose, so no other MAC ever equals it. */
export const EMAIL_GUARD_PURPOSE = 'learning-cities/email-guard/v2';

/** The email guard's keys of one address in one conference. */
export interface EmailGuardKeys {
  /**
   * HMAC-SHA-256 of the purpose, the conference id and the normalized email: one address gives unrelated
   * keys in two conferences, so guards of different conferences cannot be linked to one person.
   */
  emailKey: string;
  /**
   * The key registrations made before it had (HMAC of the normalized email alone): a guard held under it
   * must still block a second active registration of the address, until its registration releases it.
   */
  legacyEmailKey: string;
}

/**
 * The keys of the email guard, under a key the service keeps (a plain hash of an address is reversed by
 * guessing; this needs the key). The address is normalized (NFC, trimmed, lower-cased) first. MACs are
 * cached per execution environment (a retried or repeated registration asks once).
 */
export class EmailKeys {
  private readonly cache = new LRUCache<string, string>({ max: 2_000, ttl: 15 * 60_000 });

  constructor(private readonly keyService: () => KeyService) {}

  /** Both keys of `address` in `conferenceId`: the one to claim, and the old one that must not be held. */
  async of(conferenceId: string, address: string): Promise<EmailGuardKeys> {
    const normalized = normalizeEmail(address);
    const [emailKey, legacyEmailKey] = await Promise.all([
      this.mac(`${EMAIL_GUARD_PURPOSE}\u0000${conferenceId}\u0000${normalized}`),
      this.mac(normalized),
    ]);
    return { emailKey, legacyEmailKey };
  }

  private async mac(message: string): Promise<string> {
    const cached = this.cache.get(message);
    if (cached) return cached;
    const mac = Buffer.from(await this.keyService().mac(Buffer.from(message, 'utf8'))).toString('base64url');
    this.cache.set(message, mac);
    return mac;
  }
}
