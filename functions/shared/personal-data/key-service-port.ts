/** Bound into a wrapped data key: it unwraps only for the registration it was made for. */
export type EncryptionContext = Record<string, string>;

export interface GeneratedDataKey {
  /** 32 bytes, for AES-256-GCM. */
  plaintext: Uint8Array;
  /** The same key encrypted under the master key: what the data-keys table stores. */
  wrapped: Uint8Array;
  /** Which master key wrapped it (a KMS key ARN, or the local master key's id). */
  masterKeyId: string;
}

/**
 * What personal data needs of a key management service, and nothing more: a new data key, the unwrapping
 * of a stored one, and a keyed hash. In the cloud it is AWS KMS; locally the runtime provides one that
 * keeps its master key in DATA_DIR (local/personal-data-keys.ts), so no Lambda bundle contains local code.
 */
export interface KeyService {
  generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey>;
  decryptDataKey(wrapped: Uint8Array, context: EncryptionContext): Promise<Uint8Array>;
  /** HMAC-SHA-256 under a key that never leaves the service. */
  mac(message: Uint8Array): Promise<Uint8Array>;
}
