import { supplyEventCodec } from '../event-store/stores.js';
import { dynamoDb, tableNames } from '../runtime/config.js';
import { type EventCodec, personalDataCodec } from './codec.js';
import { DataKeys } from './data-keys.js';
import { EmailKeys } from './email-key.js';
import { keyService } from './key-service.js';

let keys: DataKeys | undefined;
let emails: EmailKeys | undefined;
const codecs = new Map<boolean, EventCodec>();
/** Whether this function shows sensitive answers one by one (useSensitiveData): only then it opens them. */
let sensitiveShown = false;

/** The data keys of this execution environment (one cache for all its invocations). */
export const dataKeys = (): DataKeys => {
  keys ??= new DataKeys({
    client: dynamoDb(),
    tableName: tableNames().dataKeys,
    keyService,
  });
  return keys;
};

/** The email guard's keys (HMACs) of this execution environment. */
export const emailKeys = (): EmailKeys => {
  emails ??= new EmailKeys(keyService);
  return emails;
};

/** The codec for the event store: sealing on every write; decrypting on reads only with `open`. */
export const eventCodec = (open: boolean): EventCodec => {
  let codec = codecs.get(open);
  if (!codec) {
    // Asked on every read: a store made before useSensitiveData (the local runtime loads handlers into
    // one process, one after the other) opens them as soon as a function that shows them is loaded.
    codec = personalDataCodec({ dataKeys: dataKeys(), open, openSensitive: () => open && sensitiveShown });
    codecs.set(open, codec);
  }
  return codec;
};

/**
 * Gives this function's event store the personal-data codec: called at module scope by the functions
 * granted a registration's personal data (`personalData` in infra/definitions), and by nothing else.
 */
export const usePersonalData = (): void => supplyEventCodec(eventCodec);

/**
 * Also opens the sensitive answers (CONTRACT 5.2) on reads: called at module scope by the functions that
 * show them one by one (to the group `sensitive-data` or the delegate), before usePersonalData.
 */
export const useSensitiveData = (): void => {
  sensitiveShown = true;
};
