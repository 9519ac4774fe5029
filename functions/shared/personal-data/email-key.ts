import { LRUCache } from 'lru-cache';
import { normalizeEmail } from '../../../domain/shared/values.js';
import type { KeyService } from './key-service.js';

/**
 * The key of the email guard: HMAC-SHA-256 of the normalized email (NFC, trimmed, lower-cased) under a key
 * the service keeps. A plain hash of an address is reversed by guessing; this one needs the key.
 * MACs are cached per execution environment (a retried or repeated registration asks once).
 */
export class EmailKeys {
  private readonly cache = new LRUCache<string, string>({ max: 1_000, ttl: 15 * 60_000 });

  constructor(private readonly keyService: () => KeyService) {}

  async of(address: string): Promise<string> {
    const normalized = normalizeEmail(address);
    const cached = this.cache.get(normalized);
    if (cached) return cached;
    const mac = Buffer.from(await this.keyService().mac(Buffer.from(normalized, 'utf8'))).toString(
      'base64url',
    );
    this.cache.set(normalized, mac);
    return mac;
  }
}
