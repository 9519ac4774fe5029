/**
 * docs/events.md, the event catalogue, written from the very zod schemas events are checked against
 * (domain/events.ts) and the descriptions below. `npm run docs:events` rewrites it; test/docs/events.test.ts
 * fails when the file and the schemas disagree, or when a type has no description.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { currentSchemaVersion, type EventType, eventDataSchemas } from '../../domain/events.js';
import { EVENT_SOURCE, rules } from '../../infra/definitions/rules.js';

export const EVENTS_DOC = fileURLToPath(new URL('../../docs/events.md', import.meta.url));

/** What each event says happened, in a sentence or two: the part the schemas cannot say. */
export const eventDescriptions: Record<EventType, string> = {
  ConferenceCreated:
    'An organizer created a conference: its name, place, dates and daily hours in its own time zone, the ' +
    'seats for delegates and its rooms. It opens the stream `conference-<conferenceId>`.',
  ConferenceSettingsChanged:
    'An organizer changed settings of a conference (POST .../settings): only the settings that changed, ' +
    'with their new values. `rooms` is the whole new list (rooms are only ever added). A raised `capacity` ' +
    'makes the waitlist process promote the longest-waiting delegates; a lowered one was held, in the same ' +
    'transaction, to at least the seats held then.',
  RegistrationFormChanged:
    'An organizer put a new version of the conference’s registration form (PUT .../registration-form): ' +
    'the whole form (fields, conditions, option limits, categories, sensitivity), numbered from 1 in the ' +
    'stream `conference-<conferenceId>`. A field id keeps its type in every later version. Labels are no ' +
    'personal data.',
  SensitiveAnswersErased:
    'The second data key of a registration, which seals the answers of sensitive form fields (diet, health, ' +
    'access needs), was destroyed on its own: by the retention job `sensitiveDataRetentionDays` after the ' +
    'conference’s end. The rest of the registration is kept.',
  DelegateRegistered:
    'A delegate registered and got a seat. The personal fields (names, email, city, organization), the ' +
    "email guard's HMAC and the manage token's SHA-256 travel only inside `personal`, encrypted under the " +
    "registration's own data key; version 1 had them in plaintext, and an upcaster still reads it.",
  DelegateWaitlisted:
    'A delegate registered when every seat was held: the registration waits for a seat. Same fields as ' +
    'DelegateRegistered.',
  WaitlistedDelegatePromoted:
    'A seat became free and the longest-waiting delegate got it (issued by the waitlist process).',
  RegistrationCancelled:
    'A registration was cancelled, by the delegate or an organizer. `previousStatus` says whether a seat was ' +
    'freed (registered, checked-in), a place on the waitlist (waitlisted), or nothing (pending).',
  DelegateCheckedIn: 'A delegate holding a seat arrived at the venue and was checked in by an organizer.',
  DelegateDetailsChanged:
    "A delegate (until the conference's `editableUntil`) or an organizer corrected the details of a " +
    'registration. `country` and `category` are present only when they changed (the new values); ' +
    '`previous` always holds the values before, so the counts can move the registration. The personal ' +
    "part, sealed under the registration's data key, opens to only the changed fields among givenName, " +
    'familyName, email, city and organization, with `emailKey` (the HMAC of the new email) when the email ' +
    'changed: the email guard moves in the same transaction.',
  ManageTokenReplaced:
    'The owner of an active registration asked for a new manage link (POST .../manage-link, CONTRACT 5.1): ' +
    "the new manage token's SHA-256 replaces the old one, so the old token stops working. The hash travels " +
    "only inside `personal`, sealed under the registration's data key; the token itself is only in the email.",
  PersonalDataErased:
    "The registration's personal data was erased (by the delegate, an organizer or the retention period): its " +
    'data key is destroyed with this event, so no `personal` of the registration can be read again. It ' +
    'carries no personal data itself.',
  RegistrationPending:
    'A delegate registered in a category the conference moderates (`registrationPolicy`, CONTRACT 5.3): ' +
    'the registration holds no seat and does not wait for one until an organizer decides. It holds the ' +
    'address (the email guard) and its limited form options as any registration. Same fields as ' +
    'DelegateRegistered; it begins the registration, so its data key is made with it.',
  RegistrationApproved:
    'An organizer approved a pending registration (POST .../registration-decisions): it took a seat ' +
    '(`status` registered, with the shard of the seat pool: the seat guard in the same transaction) or, ' +
    'with every seat held, a waitlist place dated from `approvedAt` (`status` waitlisted).',
  RegistrationRejected:
    'An organizer rejected a pending registration (POST .../registration-decisions) for `reasonCode` ' +
    '(not-eligible, duplicate, capacity, other). The optional message to the delegate, a text or one per ' +
    "language, travels only inside `personal`, sealed under the registration's data key. The address is " +
    'free to register again. `messageLanguages`, in plaintext, names the languages the message has its ' +
    "own text in (a map's keys; a plain string is the conference's default language then), so that " +
    '`translations/missing` lists it without opening it; absent without a message and in events written ' +
    'before it existed (their message is not listed).',
  SessionScheduled:
    'An organizer put a session on the agenda: its slot (day, start, end, room), type, speakers and optional ' +
    'track, abstract and language. Each session is its own stream, `session-<sessionId>`.',
  SessionRescheduled:
    'A session moved: the event carries the whole new slot, and `sequence` counts the reschedules of the ' +
    'session so far (the iCalendar SEQUENCE).',
  SessionCancelled: 'A session was cancelled; it stays on the agenda, marked cancelled.',
  AwardGranted:
    'An organizer granted an award (one grant per award, year, city and country), optionally presented in a ' +
    'session of the agenda.',
  VisaLetterRequested:
    'A delegate holding a seat asked for a letter of invitation for a visa; a new request replaces one that ' +
    'waits or was declined. Every field of the request (passport name, number, nationality, date of birth, ' +
    "expiry, place of issue) travels only inside `personal`, encrypted under the registration's data key. " +
    "The stream `visa-letter-<registrationId>` holds the letter's events.",
  VisaLetterIssued:
    "An organizer issued the letter, signed by the conference's signatory. Its verification code (random, " +
    '128 bits) travels only inside `personal`; the letter cannot be requested again.',
  VisaLetterDeclined:
    'An organizer declined the request; the reason given to the delegate travels only inside `personal`. The ' +
    'delegate may request again.',
  DelegationCreated:
    'An organizer created a delegation (POST .../delegations, CONTRACT 5.3): a city’s or a country’s group ' +
    'with a `quota` of members. It opens the stream `delegation-<delegationId>`. Its name, country and ' +
    'organization are no personal data; the focal point (email, names, language) travels only inside ' +
    '`personal`, sealed under the delegation’s own data key. The quota’s guard item is set in the same ' +
    'transaction. The focal point is emailed a delegation link.',
  DelegationQuotaChanged:
    'An organizer changed the quota of a delegation; the guard item held it, in the same transaction, at ' +
    'or above the places held then (pending and accepted invitations and active members). `previous` is ' +
    'the quota before.',
  HeadOfDelegationNamed:
    'The organizer or the focal point named an active member of the delegation its head.',
  DelegationCredentialsChanged:
    'An organizer recorded the status of the delegation’s credentials (pending, received, verified): no ' +
    'personal data.',
  DelegationMemberSubstituted:
    'A member of the delegation was substituted: the member’s registration was cancelled and the ' +
    'substitute invited (`invitationId`), in the same transaction, the place of the quota passing from one ' +
    'to the other.',
  FocalPointPersonalDataErased:
    'The focal point’s personal data (email, names, language) was erased by the conference’s retention: ' +
    'the delegation’s data key is destroyed with this event, so the `personal` of its DelegationCreated ' +
    'never opens again. The delegation stays for the organizer, and its token routes keep checking by ' +
    'MAC. It carries no personal data itself.',
  InvitationSent:
    'An organizer (or a delegation’s focal point) invited one address to register in a category, ' +
    'optionally for a delegation and skipping moderation, until `expiresAt`. The address, the names, the ' +
    'language and the address’s conference-scoped MAC travel only inside `personal`, sealed under the ' +
    'invitation’s own data key (destroyed when the registration made from it is erased). The invitee is ' +
    'emailed the code. It opens the stream `invitation-<invitationId>`.',
  InvitationReminded:
    'An organizer reminded the invitee of a pending invitation (at most once in 24 hours); the invitee is ' +
    'emailed the code again.',
  InvitationAccepted:
    'A registration used the invitation’s code: appended in the registration’s own transaction, at the ' +
    'invitation stream’s expected version, so a code works once even when raced.',
  InvitationDeclined: 'The invitee declined the invitation with its code (POST /invitations/decline).',
  InvitationExpired:
    'The invitation’s `expiresAt` passed while it was pending: marked by the daily retention schedule.',
  InvitationRevoked: 'An organizer revoked a pending invitation: its code admits no one any more.',
  InviteePersonalDataErased:
    'The invitee’s personal data was erased by the conference’s retention (an invitee who never ' +
    'registered): the invitation’s data key is destroyed with this event, so its `personal` never opens ' +
    'again, and a pending invitation admits no one. It carries no personal data itself.',
};

type JsonSchema = {
  type?: string;
  enum?: unknown[];
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  pattern?: string;
};

const formats: Record<string, string> = {
  'date-time': 'instant (ISO 8601, UTC)',
  date: 'date YYYY-MM-DD',
  email: 'email address',
};

/** One cell: the field's type and the limits the schema sets, in words. */
const describe = (schema: JsonSchema): string => {
  if (schema.enum) return `one of ${schema.enum.map((value) => `\`${String(value)}\``).join(', ')}`;
  const parts: string[] = [];
  if (schema.format && formats[schema.format]) parts.push(formats[schema.format] as string);
  else if (schema.pattern === '^([01]\\d|2[0-3]):[0-5]\\d$') parts.push('time of day HH:MM');
  else if (schema.pattern === '^[A-Z]{2}$') parts.push('ISO 3166-1 alpha-2 country code');
  else if (schema.type === 'array' && schema.items) parts.push(`list of ${describe(schema.items)}`);
  else if (schema.type === 'object' && schema.properties) {
    const required = new Set(schema.required ?? []);
    const fields = Object.keys(schema.properties).map((name) => (required.has(name) ? name : `${name}?`));
    parts.push(`object {${fields.join(', ')}}`);
  } else parts.push(schema.type ?? 'any');
  if (schema.minLength !== undefined || schema.maxLength !== undefined)
    parts.push(`${schema.minLength ?? 0}–${schema.maxLength ?? '∞'} characters`);
  if (schema.minimum !== undefined || schema.maximum !== undefined)
    parts.push(`${schema.minimum ?? '−∞'}–${schema.maximum ?? '∞'}`);
  if (schema.minItems !== undefined || schema.maxItems !== undefined)
    parts.push(`${schema.minItems ?? 0}–${schema.maxItems ?? '∞'} items`);
  return parts.join(', ');
};

/** How `personal` looks on the bus and in the store (the schema also admits its opened form, in memory). */
const SEALED = "opaque string: the personal fields, AES-256-GCM under the registration's data key";

const consumersOf = (type: string): string[] =>
  rules
    .filter((rule) => (rule.pattern['detail-type'] as string[] | undefined)?.includes(type))
    .map((r) => r.name);

/** The whole of docs/events.md. */
export const eventsCatalogue = (): string => {
  const lines = [
    '# Events',
    '',
    '<!-- Written by `npm run docs:events` from domain/events.ts; test/docs/events.test.ts checks it. -->',
    '',
    'Every change to the system is an event appended to the event store; nothing else is the source of truth.',
    `Each stored event is published on the EventBridge bus with \`source: "${EVENT_SOURCE}"\`, \`detail-type\``,
    'the event type, and as `detail` its envelope:',
    '',
    '| field | what |',
    '| --- | --- |',
    '| `eventId` | unique id of the event |',
    '| `type` | the event type (below) |',
    '| `streamId` | the stream it belongs to, e.g. `registration-<registrationId>` |',
    '| `version` | its position in the stream: 1, 2, 3… without gaps |',
    '| `conferenceId` | the conference it concerns |',
    '| `occurredAt` | when it was decided (ISO 8601, UTC) |',
    '| `data` | the fields of its type (below) |',
    '| `metadata` | `{correlationId, causationId?, actor?, schemaVersion}`: the request that caused it, the event that caused it (for the waitlist process’s promotions), who, and the version of `data`’s schema |',
    '',
    'Delivery is at least once and in no particular order: consumers skip what they have applied (by',
    '`streamId` and `version`) and fill gaps from the event store. A field may be added to an event; a field',
    'is never renamed or removed without a new `schemaVersion` and an upcaster that reads the old version.',
    '',
    'Schema versions: each type says the version it is written with; where it is above 1, an upcaster reads',
    'the older versions. Events are validated against these schemas when written and when read.',
    '',
  ];
  for (const [type, schema] of Object.entries(eventDataSchemas)) {
    const json = z.toJSONSchema(schema as z.ZodType, { unrepresentable: 'any', io: 'output' }) as JsonSchema;
    const required = new Set(json.required ?? []);
    const consumers = consumersOf(type);
    lines.push(
      `## ${type}`,
      '',
      eventDescriptions[type as EventType] ?? '(no description)',
      '',
      `Schema version ${currentSchemaVersion(type as EventType)}. Consumed by: ${consumers.length > 0 ? consumers.join(', ') : 'none inside this system'}.`,
      '',
      '| field | type | required |',
      '| --- | --- | --- |',
      ...Object.entries(json.properties ?? {}).map(
        ([name, field]) =>
          `| \`${name}\` | ${name === 'personal' ? SEALED : describe(field)} | ${required.has(name) ? 'yes' : 'no'} |`,
      ),
      '',
    );
  }
  return lines.join('\n');
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = eventsCatalogue();
  if (process.argv.includes('--check')) {
    const current = await readFile(EVENTS_DOC, 'utf8').catch(() => '');
    if (current !== text) {
      console.error('docs/events.md is out of date: npm run docs:events');
      process.exitCode = 1;
    }
  } else {
    await writeFile(EVENTS_DOC, text);
    console.log(`wrote ${EVENTS_DOC}`);
  }
}
