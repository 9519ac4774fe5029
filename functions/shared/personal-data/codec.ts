import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { delegationBeginnings } from '../../../domain/delegation/events.js';
import { type DomainEvent, type EventEnvelope, validateEvent } from '../../../domain/events.js';
import {
  isOpenedPersonal,
  isOpenedSensitive,
  type PersonalPart,
  personalDataErased,
  personalFieldSets,
  registrationBeginnings,
  type SensitivePart,
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

type WithPersonal = { registrationId: string; personal: PersonalPart; sensitive?: SensitivePart };

/** The sensitive answers are bound to their event type as a part of their own (never opened as `personal`). */
const sensitiveBinding = (registrationId: string, eventType: string) => ({
  registrationId,
  eventType: `${eventType}#sensitive`,
});

/**
 * Whose data key seals an event's personal part: its registration's, or, for a delegation's event (its
 * focal point), the delegation's own key `delegation-<delegationId>`.
 */
export const dataKeySubjectOf = (data: object): string => {
  const { registrationId, delegationId } = data as { registrationId?: string; delegationId?: string };
  if (registrationId !== undefined) return registrationId;
  if (delegationId !== undefined) return `delegation-${delegationId}`;
  throw new Error('An event with a personal part names no registration or delegation');
};

const beginsDataKey = (type: string): boolean =>
  registrationBeginnings.includes(type) || delegationBeginnings.includes(type);

const fieldSetOf = (type: string): number | undefined =>
  (personalFieldSets as Record<string, number | undefined>)[type];

const withPersonal = (envelope: EventEnvelope, personal: PersonalPart): EventEnvelope =>
  ({ ...envelope, data: { ...(envelope.data as object), personal } }) as EventEnvelope;

/**
 * The codec of personal data. Every writer seals; only a reader made with `open: true` decrypts: the
 * others (projectors of counts, the Pipe's enrichment) leave the personal part an opaque string, and so
 * never need the key.
 */
export const personalDataCodec = (options: {
  dataKeys: DataKeys;
  open: boolean;
  /**
   * Whether reads open the sensitive answers too (only functions that show them one by one: CONTRACT 5.2);
   * without it they stay an opaque string, and the function is never granted their key.
   */
  openSensitive?: boolean | (() => boolean);
}): EventCodec => ({
  async seal(envelope) {
    if (envelope.type === 'PersonalDataErased')
      return {
        stored: envelope,
        writes: options.dataKeys.destroy(envelope.data.registrationId, envelope.data.erasedAt),
      };
    if (envelope.type === 'SensitiveAnswersErased')
      return {
        stored: envelope,
        writes: options.dataKeys.destroySensitive(envelope.data.registrationId, envelope.data.erasedAt),
      };
    const fieldSet = fieldSetOf(envelope.type);
    const data = envelope.data as WithPersonal;
    if (fieldSet === undefined) return { stored: envelope, writes: [] };
    const writes: TransactWriteItem[] = [];
    let stored: EventEnvelope = envelope;
    if (isOpenedSensitive(data.sensitive)) {
      // The sensitive answers under the registration's second key, made with its first event that has any.
      let key: Buffer;
      // A registration's first event always makes it (create is the same key again on a retried append).
      if (
        registrationBeginnings.includes(envelope.type) ||
        !(await options.dataKeys.hasSensitiveKey(data.registrationId))
      ) {
        const created = await options.dataKeys.create(data.registrationId, envelope.occurredAt, 'sensitive');
        key = created.key;
        writes.push(created.write);
      } else key = (await options.dataKeys.find(data.registrationId, 'sensitive')) as Buffer;
      const sealed = sealFields(key, data.sensitive, {
        ...sensitiveBinding(data.registrationId, envelope.type),
        fieldSet,
      });
      stored = { ...envelope, data: { ...(envelope.data as object), sensitive: sealed } } as EventEnvelope;
    }
    if (!isOpenedPersonal(data.personal)) return { stored, writes };
    const subject = dataKeySubjectOf(data);
    let key: Buffer;
    if (beginsDataKey(envelope.type)) {
      const created = await options.dataKeys.create(subject, envelope.occurredAt);
      key = created.key;
      writes.push(created.write);
    } else {
      const found = await options.dataKeys.find(subject);
      if (found === 'erased') throw new Error(`Registration ${subject} is erased: nothing to seal`);
      key = found;
    }
    const sealed = sealFields(key, data.personal, {
      registrationId: subject,
      eventType: envelope.type,
      fieldSet,
    });
    return { stored: withPersonal(stored, sealed), writes };
  },

  async open(stored) {
    if (!options.open || fieldSetOf(stored.type) === undefined) return stored;
    const sensitive =
      typeof options.openSensitive === 'function' ? options.openSensitive() : options.openSensitive === true;
    const envelope = sensitive ? await openSensitive(options.dataKeys, stored) : stored;
    const data = envelope.data as WithPersonal;
    if (typeof data.personal !== 'string') return envelope;
    const subject = dataKeySubjectOf(data);
    const key = await options.dataKeys.find(subject);
    if (key === 'erased') return withPersonal(envelope, personalDataErased);
    try {
      const { fields } = openFields(key, data.personal, {
        registrationId: subject,
        eventType: envelope.type,
      });
      // Checked against the event type's own schema of the opened part (a delegate's, a visa letter's).
      const opened = validateEvent({
        type: envelope.type,
        data: { ...data, personal: fields },
      } as DomainEvent).data as WithPersonal;
      if (!isOpenedPersonal(opened.personal)) throw new Error('The opened personal part holds no fields');
      return withPersonal(envelope, opened.personal);
    } catch (error) {
      const what = error instanceof SealedFieldsError ? 'does not open' : 'is not valid';
      throw new PersonalDataUnavailableError(
        `The personal part of event ${envelope.eventId} (registration ${data.registrationId}) ${what}`,
        { cause: error },
      );
    }
  },
});

/** The sensitive answers of an event opened (or the erased marker once their key is destroyed). */
const openSensitive = async (dataKeys: DataKeys, envelope: EventEnvelope): Promise<EventEnvelope> => {
  const data = envelope.data as WithPersonal;
  if (typeof data.sensitive !== 'string') return envelope;
  const key = await dataKeys.find(data.registrationId, 'sensitive');
  const withSensitive = (sensitive: SensitivePart) =>
    ({ ...envelope, data: { ...(envelope.data as object), sensitive } }) as EventEnvelope;
  if (key === 'erased') return withSensitive(personalDataErased);
  try {
    const { fields } = openFields(key, data.sensitive, sensitiveBinding(data.registrationId, envelope.type));
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
      throw new Error('The sensitive answers are not an object');
    return withSensitive(fields as Record<string, unknown>);
  } catch (error) {
    throw new PersonalDataUnavailableError(
      `The sensitive answers of event ${envelope.eventId} (registration ${data.registrationId}) do not open`,
      { cause: error },
    );
  }
};
