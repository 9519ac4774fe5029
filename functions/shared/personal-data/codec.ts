import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { EventEnvelope } from '../../../domain/events.js';
import {
  delegatePersonalSchema,
  isOpenedPersonal,
  openedPersonalSchemas,
  type PersonalPart,
  personalDataErased,
  personalFieldSets,
  registrationBeginnings,
} from '../../../domain/registration/events.js';
import type { DataKeys } from './data-keys.js';
import { PersonalDataUnavailableError } from './errors.js';
import { openFields, SealedFieldsError, sealFields } from './fields.js';

/**
 * How the event store turns an envelope into its stored form and back. `seal` moves the personal part
 * into ciphertext and names the writes that must commit with the event (a new data key, or its
 * destruction); `open` gives the plaintext back, or the erased marker once the key is destroyed.
 */
export interface EventCodec {
  seal(envelope: EventEnvelope): Promise<{ stored: EventEnvelope; writes: TransactWriteItem[] }>;
  open(envelope: EventEnvelope): Promise<EventEnvelope>;
}

type WithPersonal = { registrationId: string; personal: PersonalPart };

const fieldSetOf = (type: string): number | undefined =>
  (personalFieldSets as Record<string, number | undefined>)[type];

const withPersonal = (envelope: EventEnvelope, personal: PersonalPart): EventEnvelope =>
  ({ ...envelope, data: { ...(envelope.data as object), personal } }) as EventEnvelope;

/**
 * The codec of personal data. Every writer seals; only a reader made with `open: true` decrypts: the
 * others (projectors of counts, the Pipe's enrichment) leave the personal part an opaque string, and so
 * never need the key.
 */
export const personalDataCodec = (options: { dataKeys: DataKeys; open: boolean }): EventCodec => ({
  async seal(envelope) {
    if (envelope.type === 'PersonalDataErased')
      return {
        stored: envelope,
        writes: options.dataKeys.destroy(envelope.data.registrationId, envelope.data.erasedAt),
      };
    const fieldSet = fieldSetOf(envelope.type);
    const data = envelope.data as WithPersonal;
    if (fieldSet === undefined || !isOpenedPersonal(data.personal)) return { stored: envelope, writes: [] };
    const writes: TransactWriteItem[] = [];
    let key: Buffer;
    if (registrationBeginnings.includes(envelope.type)) {
      const created = await options.dataKeys.create(data.registrationId, envelope.occurredAt);
      key = created.key;
      writes.push(created.write);
    } else {
      const found = await options.dataKeys.find(data.registrationId);
      if (found === 'erased')
        throw new Error(`Registration ${data.registrationId} is erased: nothing to seal`);
      key = found;
    }
    const sealed = sealFields(key, data.personal, {
      registrationId: data.registrationId,
      eventType: envelope.type,
      fieldSet,
    });
    return { stored: withPersonal(envelope, sealed), writes };
  },

  async open(envelope) {
    if (!options.open || fieldSetOf(envelope.type) === undefined) return envelope;
    const data = envelope.data as WithPersonal;
    if (typeof data.personal !== 'string') return envelope;
    const key = await options.dataKeys.find(data.registrationId);
    if (key === 'erased') return withPersonal(envelope, personalDataErased);
    try {
      const { fields } = openFields(key, data.personal, {
        registrationId: data.registrationId,
        eventType: envelope.type,
      });
      const schema =
        (openedPersonalSchemas as Record<string, typeof delegatePersonalSchema | undefined>)[envelope.type] ??
        delegatePersonalSchema;
      return withPersonal(envelope, schema.parse(fields));
    } catch (error) {
      const what = error instanceof SealedFieldsError ? 'does not open' : 'is not valid';
      throw new PersonalDataUnavailableError(
        `The personal part of event ${envelope.eventId} (registration ${data.registrationId}) ${what}`,
        { cause: error },
      );
    }
  },
});
