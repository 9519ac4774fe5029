/**
 * The tables, declared once as data. The CDK constructs and the local runtime (which creates the same
 * tables in DynamoDB Local) both read these declarations, so the two can never drift apart.
 */
export type AttributeType = 'S' | 'N';

export interface KeyAttribute {
  name: string;
  type: AttributeType;
}

export interface IndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
}

/** A local secondary index: the table's partition key with another sort key; its keys and these attributes. */
export interface LocalIndexDefinition {
  indexName: string;
  sortKey: KeyAttribute;
  projectedAttributes: string[];
}

export interface TableDefinition {
  /** Used for the CloudFormation logical id and the local table name. */
  id: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  stream?: 'NEW_IMAGE';
  timeToLiveAttribute?: string;
  globalSecondaryIndexes: IndexDefinition[];
  localSecondaryIndexes?: LocalIndexDefinition[];
  /** Holds only projections' read models, rebuilt from the events (`npm run rebuild`), never restored. */
  rebuildable?: true;
}

/**
 * The event store's events, immutable once written: pk = stream id, sk = version (1, 2, ...), `kind` =
 * `event`, the envelope of CONTRACT section 3. The sparse `catalog` index holds only ConferenceCreated
 * events, which gives the conference list. (Tables created before the stream-state table may still hold
 * guard and idempotency items of old; nothing reads them any more.)
 */
export const eventsTable: TableDefinition = {
  id: 'Events',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'N' },
  stream: 'NEW_IMAGE',
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    {
      indexName: 'catalog',
      partitionKey: { name: 'catalog', type: 'S' },
      sortKey: { name: 'occurredAt', type: 'S' },
    },
  ],
};

/**
 * What changes beside the events, written in the same transactions (pk, sk = 0). Items by `kind`:
 * - `tip`: pk = stream id: the stream's version and a snapshot of its decider's state at a version, so a
 *   command reads one item instead of folding the stream; appends are conditioned on it (gap-free).
 * - `guard`: pk = `guard#...`: uniqueness and seat guards of rules that span streams.
 * - `occupancy`: pk = `occupancy#<conference>#<date>#room|speaker#<name>`: who holds a room or a speaker
 *   that day (domain/agenda/occupancy.ts), updated in the transaction of the session's event.
 * - `idempotency`: pk = `idempotency#...`: stored responses, expiring through `expiresAt`.
 * - `guard` pk = `guard#registration-request#<SHA-256 of a confirmation token>` (CONTRACT 5.1): the claim
 *   that a token was used, written with the registration it made; expires an hour after the token does.
 * - `email-rate`: pk = `email-rate#<conference>#<email guard HMAC>`: when each of the address's last 3
 *   emails of registration requests and manage links left (functions/shared/registration-requests),
 *   expiring through `expiresAt` an hour after the last; never the address itself.
 */
export const streamStateTable: TableDefinition = {
  id: 'StreamState',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'N' },
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [],
};

/**
 * Read models, rebuildable from the event store. pk = `<projection>#g<generation>#<conferenceId>`,
 * sk = `stream#<streamId>` for the per-stream rows (state + checkpoint) or `summary`.
 * pk = `projection#<name>`, sk = `pointer` holds which generation is served.
 */
export const readModelsTable: TableDefinition = {
  id: 'ReadModels',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [],
};

/**
 * The registrant list's index entries in familyName order (domain/projections/registrant-list.ts): the
 * table's sort key orders them by registeredAt, this local index by `familyNameKey`, so one item serves
 * both orders of the list. It holds what a page's filters test (status, country, category, terms,
 * delegation: functions/shared/projections/registrant-list.ts); the rows are read by the ids in the keys.
 */
export const familyNameOrderIndex: LocalIndexDefinition = {
  indexName: 'familyNameOrder',
  sortKey: { name: 'familyNameKey', type: 'S' },
  projectedAttributes: ['s', 'c', 'k', 't', 'd'],
};

/**
 * Read models that hold personal fields in plaintext (CONTRACT 4.1: deletable, rebuildable), apart from
 * the others so that only the functions that serve or project them may read them: the registrant list and
 * the visa letters (`plaintextProjections`). Same layout as `readModelsTable`, pointers included.
 * Its local index orders the registrant list's index entries by family name (familyNameOrderIndex).
 */
export const personalReadModelsTable: TableDefinition = {
  id: 'PersonalReadModels',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  rebuildable: true,
  globalSecondaryIndexes: [],
  localSecondaryIndexes: [familyNameOrderIndex],
};

/**
 * The projections whose read models hold personal fields in plaintext: kept in `personalReadModelsTable`.
 * A new projection that copies a personal field (CONTRACT 4.1) belongs here.
 */
export const plaintextProjections: readonly string[] = ['registrant-list', 'visa-letters', 'invitations'];

/** The table (its definition) that holds a projection's read model, pointer and lookups. */
export const readModelTableOf = (projection: string): TableDefinition =>
  plaintextProjections.includes(projection) ? personalReadModelsTable : readModelsTable;

/**
 * The data keys of personal data (CONTRACT section 4.1), apart from the events. pk = registration id:
 * sk = `data-key` holds the registration's AES-256 key wrapped by the master key (KMS in the cloud);
 * erasure deletes it and puts sk = `erased` (no key material), so a reader can tell an erased
 * registration from a key that is missing by fault.
 */
export const dataKeysTable: TableDefinition = {
  id: 'DataKeys',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [],
};

export const tables = [
  eventsTable,
  streamStateTable,
  readModelsTable,
  dataKeysTable,
  personalReadModelsTable,
] as const;

/**
 * What a function may do with personal data (CONTRACT section 4.1), declared on its route or rule:
 * - `create`: make a registration's data key (KMS GenerateDataKey) and the email guard's MAC (GenerateMac);
 * - `read`: unwrap a registration's data key (KMS Decrypt) to read its personal data;
 * - `erase`: read, and destroy a registration's data key (a write to the data-keys table);
 * - `read-mac`: read, and make MACs under the HMAC key (GenerateMac): a changed email's guard key, the
 *   check-in codes of seat holders;
 * - `read-create`: both `read` and `create` (a delegation's substitution cancels a member, whose email
 *   guard it reads opened, and invites the substitute, whose invitation gets a data key and the MAC);
 * - `mac`: make MACs only, never unwrap a data key: the check-in codes on badges printed from the
 *   registrant list (a read model of plaintext names), which opens no event.
 * A function without it never sees a personal field in plaintext and has no permission on the keys.
 */
export type PersonalDataAccess = 'create' | 'read' | 'erase' | 'read-mac' | 'mac' | 'read-create';
/**
 * What a function may do with the sensitive answers' keys (CONTRACT 5.2) beside its personal data access:
 * `read` opens them (it shows them one by one, or counts them), `create` also makes one. Without it, the
 * function is denied them.
 */
export type SensitiveDataAccess = 'read' | 'create';

/** Environment variable names shared by the functions, CDK and the local runtime. */
export const env = {
  eventsTable: 'EVENTS_TABLE',
  streamStateTable: 'STREAM_STATE_TABLE',
  readModelsTable: 'READ_MODELS_TABLE',
  /** The read models of plaintext personal data (personalReadModelsTable). */
  personalReadModelsTable: 'PERSONAL_READ_MODELS_TABLE',
  dataKeysTable: 'DATA_KEYS_TABLE',
  /** The KMS key (ARN) that wraps the data keys of personal data. */
  personalDataKeyId: 'PERSONAL_DATA_KEY_ID',
  /** The KMS HMAC key (ARN) of the email guard. */
  emailMacKeyId: 'EMAIL_MAC_KEY_ID',
  /** The KMS HMAC key (ARN) of the server's secrets: the encryption of stored Idempotency-Key responses. */
  idempotencyKeyId: 'IDEMPOTENCY_KEY_ID',
  dynamoDbEndpoint: 'DYNAMODB_ENDPOINT',
  userPoolId: 'USER_POOL_ID',
  userPoolClientId: 'USER_POOL_CLIENT_ID',
  notificationSender: 'NOTIFICATION_SENDER',
  agendaChangesTopicArn: 'AGENDA_CHANGES_TOPIC_ARN',
  /** Where the HTTP API is served (ending in /), for links in what the consumers send (the visa letter's verification URL). */
  publicApiUrl: 'PUBLIC_API_URL',
  /** The S3 bucket of exports too large to answer inline (infra/constructs/exports-bucket.ts). */
  exportsBucket: 'EXPORTS_BUCKET',
  /** Bytes above which an export is answered 303 with a link instead of inline; default 5 MB (tests lower it). */
  exportInlineLimit: 'EXPORT_INLINE_LIMIT_BYTES',
  /** The queue of documents made in the background (infra/constructs/documents.ts, CONTRACT 5.5). */
  documentsQueueUrl: 'DOCUMENTS_QUEUE_URL',
  /**
   * Emails a second this function may send (functions/shared/notifications/notification-channels.ts):
   * SES's sending rate shared among the notifier's concurrent instances; default SES_SEND_RATE.
   */
  emailSendRate: 'EMAIL_SEND_RATE',
  /**
   * `off`: the projectors apply a batch of events one by one instead of at once (functions/shared/runtime/
   * consumer.ts). Never set in the cloud; for comparing the two in bench/pipeline-cost.ts and proof:load.
   */
  consumerBatches: 'CONSUMER_BATCHES',
} as const;

/**
 * SES's sending rate, emails a second: the quota of a new production account (the console shows the
 * account's own, under "Sending statistics"). The notifier throttles itself to it, never SES.
 */
export const SES_SEND_RATE = 14;
