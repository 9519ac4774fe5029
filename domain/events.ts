import * as z from 'zod';
import { type AgendaEvent, agendaEvents } from './agenda/events.js';
import { type AwardEvent, awardEvents } from './award/events.js';
import { type ConferenceEvent, conferenceEvents } from './conference/events.js';
import { type DelegationEvent, delegationEvents } from './delegation/events.js';
import { type InvitationEvent, invitationEvents } from './invitation/events.js';
import { type RegistrationEvent, registrationEvents, upcastAdmittedV1 } from './registration/events.js';
import { type VisaLetterEvent, visaLetterEvents } from './visa-letter/events.js';

/**
 * The catalogue of every event type (CONTRACT section 3) with the schema of its `data`. Events are checked
 * against it when written and when read. A breaking change to an event's data needs a new schemaVersion
 * and an upcaster below that reads the old one.
 */
export const eventDataSchemas = {
  ...conferenceEvents,
  ...registrationEvents,
  ...agendaEvents,
  ...awardEvents,
  ...visaLetterEvents,
  ...delegationEvents,
  ...invitationEvents,
};

export type EventType = keyof typeof eventDataSchemas;
export type DomainEvent =
  | ConferenceEvent
  | RegistrationEvent
  | AgendaEvent
  | AwardEvent
  | VisaLetterEvent
  | DelegationEvent
  | InvitationEvent;

/** The schemaVersion an event of each type is written with (1 unless listed). */
const schemaVersions: Partial<Record<EventType, number>> = {
  // v2: the personal fields moved into the encrypted `personal` (CONTRACT section 4.1).
  DelegateRegistered: 2,
  DelegateWaitlisted: 2,
};

export const currentSchemaVersion = (type: EventType): number => schemaVersions[type] ?? 1;

export const metadataSchema = z.object({
  correlationId: z.string().min(1),
  causationId: z.string().min(1).optional(),
  actor: z.string().min(1).optional(),
  schemaVersion: z.number().int().min(1),
});

export type EventMetadata = z.infer<typeof metadataSchema>;

const envelopeBaseSchema = z.object({
  eventId: z.string().min(1),
  type: z.string(),
  streamId: z.string().min(1),
  version: z.number().int().min(1),
  conferenceId: z.string().min(1),
  occurredAt: z.iso.datetime(),
  data: z.unknown(),
  metadata: metadataSchema,
});

export type EventEnvelope<E extends DomainEvent = DomainEvent> = E &
  Omit<z.infer<typeof envelopeBaseSchema>, 'type' | 'data'>;

/** Upcasters: `upcasters[type][fromVersion]` turns data of schemaVersion `fromVersion` into the next one. */
const upcasters: Partial<Record<EventType, Record<number, (data: unknown) => unknown>>> = {
  DelegateRegistered: { 1: upcastAdmittedV1 },
  DelegateWaitlisted: { 1: upcastAdmittedV1 },
};

export class InvalidEventError extends Error {
  constructor(
    message: string,
    readonly issues: unknown,
  ) {
    super(message);
  }
}

const isEventType = (type: string): type is EventType => Object.hasOwn(eventDataSchemas, type);

/** Validates an envelope read from anywhere (store, bus, queue) and upcasts old data to the current schema. */
export const parseEnvelope = (raw: unknown): EventEnvelope => {
  const base = envelopeBaseSchema.safeParse(raw);
  if (!base.success) throw new InvalidEventError('Not an event envelope', base.error.issues);
  const envelope = base.data;
  if (!isEventType(envelope.type)) throw new InvalidEventError(`Unknown event type ${envelope.type}`, []);
  let data = envelope.data;
  const current = currentSchemaVersion(envelope.type);
  for (let version = envelope.metadata.schemaVersion; version < current; version++) {
    const upcast = upcasters[envelope.type]?.[version];
    if (!upcast) throw new InvalidEventError(`No upcaster for ${envelope.type} v${version}`, []);
    data = upcast(data);
  }
  const parsed = eventDataSchemas[envelope.type].safeParse(data);
  if (!parsed.success) throw new InvalidEventError(`Invalid data for ${envelope.type}`, parsed.error.issues);
  return {
    ...envelope,
    data: parsed.data,
    metadata: { ...envelope.metadata, schemaVersion: current },
  } as EventEnvelope;
};

/** Validates a new event before it is written. */
export const validateEvent = <E extends DomainEvent>(event: E): E => {
  const parsed = eventDataSchemas[event.type].safeParse(event.data);
  if (!parsed.success) throw new InvalidEventError(`Invalid data for ${event.type}`, parsed.error.issues);
  return { type: event.type, data: parsed.data } as E;
};

export const isEventOf = <T extends EventType>(
  envelope: EventEnvelope,
  ...types: T[]
): envelope is EventEnvelope<Extract<DomainEvent, { type: T }>> =>
  (types as string[]).includes(envelope.type);
