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

const skOf = (kind: DataKeyKind) => (kind === 'personal' ? DATA_KEY : SENSITIVE_KEY);
const cacheKey = (registrationId: string, kind: DataKeyKind) =>
  kind === 'personal' ? registrationId : `${registrationId}#sensitive`;

export type DataKeyLookup = Buffer | 'erased';

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
  ): Promise<{ key: Buffer; write: TransactWriteItem }> {
    const id = cacheKey(registrationId, kind);
    let pending = this.pending.get(id);
    if (!pending) {
      pending = this.options.keyService().generateDataKey(contextOf(registrationId, kind));
      this.pending.set(id, pending);
      pending.catch(() => this.pending.delete(id));
    }
    const generated = await pending;
    const key = Buffer.from(generated.plaintext);
    this.cache.set(id, key);
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
      const stored = items.find((item) => item.sk === skOf(kind));
      if (!stored?.wrappedKey)
        throw new PersonalDataUnavailableError(
          `The ${kind === 'personal' ? 'data' : 'sensitive'} key of registration ${registrationId} is missing`,
        );
      try {
        found = Buffer.from(
          await this.options
            .keyService()
            .decryptDataKey(stored.wrappedKey as Uint8Array, contextOf(registrationId, kind)),
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

  /** The writes that destroy the sensitive key alone (its own retention), the rest of the registration kept. */
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
      { Delete: { TableName: this.options.tableName, Key: marshall({ pk: registrationId, sk: DATA_KEY }) } },
      // The sensitive answers' key goes with the rest (CONTRACT 5.2: erased with the registration).
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
