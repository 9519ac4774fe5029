import { createSecretKey, type KeyObject } from 'node:crypto';
import { type DynamoDBClient, QueryCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { LRUCache } from 'lru-cache';
import { PersonalDataUnavailableError } from './errors.js';
import type { EncryptionContext, GeneratedDataKey, KeyService } from './key-service.js';

export { PersonalDataUnavailableError };

const DATA_KEY = 'data-key';
const ERASED = 'erased';
/** The second key of a registration: it seals the answers of sensitive form fields (CONTRACT 5.2). */
const SENSITIVE_KEY = 'sensitive-key';
const SENSITIVE_ERASED = 'sensitive-erased';

/** Which of a registration's two keys: its personal data's, or its sensitive answers'. */
export type DataKeyKind = 'personal' | 'sensitive';

/**
 * A registration whose first event has sensitive answers keeps their key, wrapped, on its data-key item
 * beside the personal data's (one item written instead of two; each key still wrapped under its own
 * context). The sensitive answers' own erasure removes these attributes; the registration's deletes the item.
 */
const SENSITIVE_WRAPPED = 'sensitiveWrappedKey';
const SENSITIVE_MASTER = 'sensitiveMasterKeyId';

const skOf = (kind: DataKeyKind) => (kind === 'personal' ? DATA_KEY : SENSITIVE_KEY);
const cacheKey = (registrationId: string, kind: DataKeyKind) =>
  kind === 'personal' ? registrationId : `${registrationId}#sensitive`;

/**
 * An unwrapped data key, as a KeyObject: node:crypto checks a raw Buffer key anew on every cipher it makes
 * (about 10 µs each, measured on Node 24), a KeyObject once.
 */
export type DataKey = KeyObject;

export type DataKeyLookup = DataKey | 'erased';

export interface DataKeysOptions {
  client: DynamoDBClient;
  tableName: string;
  keyService: () => KeyService;
  /** Unwrapped keys kept per execution environment: at most `max`, each for `ttlMs` (KMS quotas, latency). */
  cache?: { max: number; ttlMs: number };
}

/**
 * Bound into a wrapped key. The sensitive key's context says so (`purpose: sensitive`), so that in the
 * cloud a grant can be conditioned on it (kms:EncryptionContext:purpose) and given only where shown.
 */
const contextOf = (registrationId: string, kind: DataKeyKind = 'personal'): EncryptionContext =>
  kind === 'personal' ? { registrationId } : { registrationId, purpose: 'sensitive' };

/**
 * The per-registration data keys (AES-256), stored wrapped in their own table. A key is made when the
 * registration's first event is written and put in the same transaction; erasure deletes it in the
 * transaction of `PersonalDataErased` and leaves a marker without key material.
 */
export class DataKeys {
  private readonly cache: LRUCache<string, DataKeyLookup>;

  constructor(private readonly options: DataKeysOptions) {
    const { max, ttlMs } = options.cache ?? { max: 1_000, ttlMs: 5 * 60_000 };
    this.cache = new LRUCache<string, DataKeyLookup>({ max, ttl: ttlMs });
  }

  /**
   * A new data key for a registration and the write that stores it. A stored key is never replaced (that
   * would make the registration's events unreadable): asked again for the same registration (a retried
   * append), this gives the same key, whose write then holds whether or not the first one went through.
   */
  async create(
    registrationId: string,
    now: string,
    kind: DataKeyKind = 'personal',
  ): Promise<{ key: DataKey; write: TransactWriteItem }> {
    const { key, generated } = await this.generate(registrationId, kind);
    return {
      key,
      write: {
        Put: {
          TableName: this.options.tableName,
          Item: marshall({
            pk: registrationId,
            sk: skOf(kind),
            wrappedKey: generated.wrapped,
            masterKeyId: generated.masterKeyId,
            createdAt: now,
          }),
          ConditionExpression: 'attribute_not_exists(pk) OR wrappedKey = :wrapped',
          ExpressionAttributeValues: marshall({ ':wrapped': generated.wrapped }),
        },
      },
    };
  }

  /**
   * A new registration's two keys, asked of the key service at once, and the one write that stores both
   * (its data-key item, the sensitive key's wrapped form beside the other). As `create`, asked again for
   * the same registration (a retried append) it gives the same keys and the same write.
   */
  async createWithSensitive(
    registrationId: string,
    now: string,
  ): Promise<{ personal: DataKey; sensitive: DataKey; write: TransactWriteItem }> {
    const [personal, sensitive] = await Promise.all([
      this.generate(registrationId, 'personal'),
      this.generate(registrationId, 'sensitive'),
    ]);
    return {
      personal: personal.key,
      sensitive: sensitive.key,
      write: {
        Put: {
          TableName: this.options.tableName,
          Item: marshall({
            pk: registrationId,
            sk: DATA_KEY,
            wrappedKey: personal.generated.wrapped,
            masterKeyId: personal.generated.masterKeyId,
            [SENSITIVE_WRAPPED]: sensitive.generated.wrapped,
            [SENSITIVE_MASTER]: sensitive.generated.masterKeyId,
            createdAt: now,
          }),
          ConditionExpression:
            'attribute_not_exists(pk) OR (wrappedKey = :wrapped AND #sensitive = :sensitive)',
          ExpressionAttributeNames: { '#sensitive': SENSITIVE_WRAPPED },
          ExpressionAttributeValues: marshall({
            ':wrapped': personal.generated.wrapped,
            ':sensitive': sensitive.generated.wrapped,
          }),
        },
      },
    };
  }

  /** A key made by the key service (the same one while an append that may be retried is pending). */
  private async generate(
    registrationId: string,
    kind: DataKeyKind,
  ): Promise<{ key: DataKey; generated: GeneratedDataKey }> {
    const id = cacheKey(registrationId, kind);
    let pending = this.pending.get(id);
    if (!pending) {
      pending = this.options.keyService().generateDataKey(contextOf(registrationId, kind));
      this.pending.set(id, pending);
      pending.catch(() => this.pending.delete(id));
    }
    const generated = await pending;
    const key = createSecretKey(Buffer.from(generated.plaintext));
    this.cache.set(id, key);
    return { key, generated };
  }

  /** Keys made for appends that may be retried, by registration (concurrent asks share one). */
  private readonly pending = new LRUCache<string, Promise<GeneratedDataKey>>({ max: 100, ttl: 60_000 });

  /** The registration's key, or `erased`; throws PersonalDataUnavailableError when it is neither. */
  async find(registrationId: string, kind: DataKeyKind = 'personal'): Promise<DataKeyLookup> {
    const id = cacheKey(registrationId, kind);
    const cached = this.cache.get(id);
    if (cached) return cached;
    const { Items = [] } = await this.options.client.send(
      new QueryCommand({
        TableName: this.options.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': registrationId }),
        ConsistentRead: true,
      }),
    );
    const items = Items.map((item) => unmarshall(item));
    let found: DataKeyLookup;
    if (items.some((item) => item.sk === ERASED || (kind === 'sensitive' && item.sk === SENSITIVE_ERASED)))
      found = 'erased';
    else {
      const own = items.find((item) => item.sk === skOf(kind))?.wrappedKey;
      // The sensitive key of a registration that had sensitive answers from its first event: on its data-key item.
      const wrapped =
        own ??
        (kind === 'sensitive' ? items.find((item) => item.sk === DATA_KEY)?.[SENSITIVE_WRAPPED] : undefined);
      if (!wrapped)
        throw new PersonalDataUnavailableError(
          `The ${kind === 'personal' ? 'data' : 'sensitive'} key of registration ${registrationId} is missing`,
        );
      try {
        found = createSecretKey(
          Buffer.from(
            await this.options
              .keyService()
              .decryptDataKey(wrapped as Uint8Array, contextOf(registrationId, kind)),
          ),
        );
      } catch (error) {
        throw new PersonalDataUnavailableError(
          `The data key of registration ${registrationId} cannot be unwrapped`,
          { cause: error },
        );
      }
    }
    this.cache.set(id, found);
    return found;
  }

  /** Whether the registration has a sensitive key stored (not erased): a correction may have to make one. */
  async hasSensitiveKey(registrationId: string): Promise<boolean> {
    try {
      return (await this.find(registrationId, 'sensitive')) !== 'erased';
    } catch (error) {
      if (error instanceof PersonalDataUnavailableError) return false;
      throw error;
    }
  }

  /**
   * The writes that destroy the sensitive key alone (its own retention), the rest of the registration kept:
   * its own item (made by a correction) deleted, its wrapped form removed from the data-key item (made with
   * the registration), and the marker put. For a registration whose data-key item is there (one not erased).
   */
  destroySensitive(registrationId: string, erasedAt: string): TransactWriteItem[] {
    const id = cacheKey(registrationId, 'sensitive');
    this.cache.delete(id);
    this.pending.delete(id);
    return [
      {
        Delete: {
          TableName: this.options.tableName,
          Key: marshall({ pk: registrationId, sk: SENSITIVE_KEY }),
        },
      },
      {
        Update: {
          TableName: this.options.tableName,
          Key: marshall({ pk: registrationId, sk: DATA_KEY }),
          UpdateExpression: 'REMOVE #wrapped, #master',
          ExpressionAttributeNames: { '#wrapped': SENSITIVE_WRAPPED, '#master': SENSITIVE_MASTER },
        },
      },
      {
        Put: {
          TableName: this.options.tableName,
          Item: marshall({ pk: registrationId, sk: SENSITIVE_ERASED, erasedAt }),
        },
      },
    ];
  }

  /**
   * The writes that destroy a registration's key, for the transaction of its erasure. The key leaves this
   * environment's cache now: the next read asks the table, which tells whether the erasure committed.
   */
  destroy(registrationId: string, erasedAt: string): TransactWriteItem[] {
    for (const kind of ['personal', 'sensitive'] as const) {
      this.cache.delete(cacheKey(registrationId, kind));
      this.pending.delete(cacheKey(registrationId, kind));
    }
    return [
      // With it the sensitive answers' key when made with the registration (on the same item)...
      { Delete: { TableName: this.options.tableName, Key: marshall({ pk: registrationId, sk: DATA_KEY }) } },
      // ... or as its own item: it goes with the rest (CONTRACT 5.2: erased with the registration).
      {
        Delete: {
          TableName: this.options.tableName,
          Key: marshall({ pk: registrationId, sk: SENSITIVE_KEY }),
        },
      },
      {
        Put: {
          TableName: this.options.tableName,
          Item: marshall({ pk: registrationId, sk: ERASED, erasedAt }),
        },
      },
    ];
  }

  /** Forgets what this environment cached (e.g. after erasures re-applied from the events). */
  forget(registrationId?: string): void {
    if (registrationId === undefined) this.cache.clear();
    else
      for (const kind of ['personal', 'sensitive'] as const)
        this.cache.delete(cacheKey(registrationId, kind));
  }
}
