import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { delegationBeginnings } from '../../../domain/delegation/events.js';
import { type DomainEvent, type EventEnvelope, validateEvent } from '../../../domain/events.js';
import { invitationKeyHolder } from '../../../domain/invitation/events.js';
import {
  isOpenedPersonal,
  isOpenedSensitive,
  type PersonalPart,
  personalDataErased,
  personalFieldSets,
  registrationBeginnings,
  type SensitivePart,
} from '../../../domain/registration/events.js';
import type { DataKey, DataKeys } from './data-keys.js';
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
 * Whose data key seals an event's personal part: the registration's, for an invitation's event the
 * invitation's own (the invitee may never register), for a delegation's (its focal point) the
 * delegation's own, `delegation-<delegationId>`. Events that begin a key holder make its key.
 */
const keyHolderOf = (envelope: EventEnvelope): string => {
  if (envelope.type === 'InvitationSent') return invitationKeyHolder(envelope.data.invitationId);
  if (envelope.type === 'DelegationCreated') return `delegation-${envelope.data.delegationId}`;
  return (envelope.data as WithPersonal).registrationId;
};

const beginsKeyHolder = (type: string): boolean =>
  registrationBeginnings.includes(type) || type === 'InvitationSent' || delegationBeginnings.includes(type);

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
    if (envelope.type === 'PersonalDataErased') {
      const { registrationId, erasedAt, invitationId } = envelope.data;
      // The invitation it was made from loses its invitee's data with it (CONTRACT 5.3, 4.1).
      return {
        stored: envelope,
        writes: [
          ...options.dataKeys.destroy(registrationId, erasedAt),
          ...(invitationId ? options.dataKeys.destroy(invitationKeyHolder(invitationId), erasedAt) : []),
        ],
      };
    }
    if (envelope.type === 'InviteePersonalDataErased')
      return {
        stored: envelope,
        writes: options.dataKeys.destroy(
          invitationKeyHolder(envelope.data.invitationId),
          envelope.data.erasedAt,
        ),
      };
    // The focal point's erasure destroys the delegation's own key (keyHolderOf).
    if (envelope.type === 'FocalPointPersonalDataErased')
      return {
        stored: envelope,
        writes: options.dataKeys.destroy(`delegation-${envelope.data.delegationId}`, envelope.data.erasedAt),
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
    const beginning = registrationBeginnings.includes(envelope.type);
    /** The sensitive answers' key: made with the registration's first event that has any. */
    const sensitiveKey = async (): Promise<{ key: DataKey; write?: TransactWriteItem }> => {
      // A registration's first event always makes it (create is the same key again on a retried append).
      if (beginning || !(await options.dataKeys.hasSensitiveKey(data.registrationId)))
        return options.dataKeys.create(data.registrationId, envelope.occurredAt, 'sensitive');
      return { key: (await options.dataKeys.find(data.registrationId, 'sensitive')) as DataKey };
    };
    const holder = keyHolderOf(envelope);
    const personalKey = async (): Promise<{ key: DataKey; write?: TransactWriteItem }> => {
      if (beginsKeyHolder(envelope.type)) return options.dataKeys.create(holder, envelope.occurredAt);
      const found = await options.dataKeys.find(holder);
      if (found === 'erased') throw new Error(`Registration ${holder} is erased: nothing to seal`);
      return { key: found };
    };
    // Both keys asked of the key service at once: in the cloud two KMS calls side by side, not one after
    // the other (each stays a key of its own, wrapped under its own encryption context). A registration's
    // first event with sensitive answers writes both on one item (DataKeys.createWithSensitive).
    const both =
      beginning &&
      holder === data.registrationId &&
      isOpenedSensitive(data.sensitive) &&
      isOpenedPersonal(data.personal);
    const made = both
      ? await options.dataKeys.createWithSensitive(data.registrationId, envelope.occurredAt)
      : undefined;
    const [sensitive, personal] = made
      ? [{ key: made.sensitive, write: made.write }, { key: made.personal }]
      : await Promise.all([
          isOpenedSensitive(data.sensitive) ? sensitiveKey() : undefined,
          isOpenedPersonal(data.personal) ? personalKey() : undefined,
        ]);
    if (sensitive) {
      if (sensitive.write) writes.push(sensitive.write);
      const sealed = sealFields(sensitive.key, data.sensitive, {
        ...sensitiveBinding(data.registrationId, envelope.type),
        fieldSet,
      });
      stored = { ...envelope, data: { ...(envelope.data as object), sensitive: sealed } } as EventEnvelope;
    }
    if (!personal) return { stored, writes };
    if (personal.write) writes.push(personal.write);
    const key = personal.key;
    const sealed = sealFields(key, data.personal, {
      registrationId: holder,
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
    const holder = keyHolderOf(envelope);
    const key = await options.dataKeys.find(holder);
    if (key === 'erased') return withPersonal(envelope, personalDataErased);
    try {
      const { fields } = openFields(key, data.personal, {
        registrationId: holder,
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
        `The personal part of event ${envelope.eventId} (registration ${holder}) ${what}`,
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
