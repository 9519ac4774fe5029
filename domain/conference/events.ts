import * as z from 'zod';
import { delegateCategories } from '../registration/events.js';
import { fieldSchema } from '../registration-form/form.js';
import {
  DEFAULT_LANGUAGE,
  LANGUAGES,
  type Language,
  languageSchema,
  optionalTranslatable,
  translatable,
} from '../shared/languages.js';
import { countryCode, instant, isoDate, text, timeOfDay, timeZone } from '../shared/values.js';

export const roomSchema = z.object({
  name: text(100),
  capacity: z.number().int().min(1).max(100_000).optional(),
});

export { type Language, languageSchema } from '../shared/languages.js';

/** The languages a conference offers (CONTRACT 5.4): each at most once. */
export const languagesSchema = z
  .array(languageSchema)
  .min(1, 'must name at least one language')
  .max(LANGUAGES.length)
  .refine((languages) => new Set(languages).size === languages.length, 'must name each language once');

/** A conference created before languages existed speaks English only. */
export const DEFAULT_LANGUAGES: readonly Language[] = [DEFAULT_LANGUAGE];

/** Who signs the conference's visa invitation letters (CONTRACT section 4.4). */
export const signatorySchema = z.object({ name: text(200), title: text(200) });

/** Who may register in a category (CONTRACT 5.3): anyone, anyone an organizer approves, the invited. */
export const registrationPolicies = ['open', 'moderated', 'invitation'] as const;
export type RegistrationPolicy = (typeof registrationPolicies)[number];

/** The policy of each category named; a category not named is `open`. */
export const registrationPolicySchema = z.partialRecord(
  z.enum(delegateCategories, { message: `must be one of ${delegateCategories.join(', ')}` }),
  z.enum(registrationPolicies, { message: `must be one of ${registrationPolicies.join(', ')}` }),
);

/** The settings an organizer may change after creating the conference (CONTRACT section 4.2). */
export const conferenceSettingsFields = {
  /** Registrations before it are refused (409). */
  registrationOpensAt: instant.optional(),
  /** Registrations after it are refused (409); not before registrationOpensAt. */
  registrationClosesAt: instant.optional(),
  /** Until when delegates may correct their own details (organizers always may). */
  editableUntil: instant.optional(),
  visaLetterSignatory: signatorySchema.optional(),
  /**
   * Whether a registration waits for the address's owner to confirm it (CONTRACT 5.1). New conferences
   * default to true; one created before the setting existed reads false (conferenceDecider.evolve).
   */
  emailConfirmation: z.boolean().optional(),
  /** Days after endDate until the sensitive answers of the registration form are erased (CONTRACT 5.2). */
  sensitiveDataRetentionDays: z.number().int().min(1).max(36_500).optional(),
  /** The languages the conference offers its delegates (default ["en"]). */
  languages: languagesSchema.optional(),
  /** One of `languages` (default: English if offered, else the first). */
  defaultLanguage: languageSchema.optional(),
  /**
   * Who may register in each category (CONTRACT 5.3); a category not named is `open`. The settings route
   * takes the whole map: a category left out of it is `open` again.
   */
  registrationPolicy: registrationPolicySchema.optional(),
};

const capacitySchema = z.number().int().min(1).max(1_000_000);
const roomsSchema = z.array(roomSchema).min(1).max(100);
/** Days after endDate until every registration's personal data is erased (CONTRACT section 4.1). */
const retentionDaysSchema = z.number().int().min(1).max(36_500);

export const conferenceDetailsSchema = z.object({
  name: translatable(200),
  acronym: text(32),
  city: text(100),
  country: countryCode,
  venue: text(200),
  timezone: timeZone,
  startDate: isoDate,
  endDate: isoDate,
  dailyStart: timeOfDay,
  dailyEnd: timeOfDay,
  capacity: capacitySchema,
  rooms: roomsSchema,
  theme: optionalTranslatable(300),
  personalDataRetentionDays: retentionDaysSchema.optional(),
  ...conferenceSettingsFields,
});

/** What `POST /conferences/{conferenceId}/settings` may change (CONTRACT section 4.2), each optional. */
const settingsChangeFields = {
  capacity: capacitySchema.optional(),
  ...conferenceSettingsFields,
  personalDataRetentionDays: retentionDaysSchema.optional(),
  /** The whole new list: every room there is must still be in it (rooms are added, never removed). */
  rooms: roomsSchema.optional(),
};

export const settingNames = Object.keys(settingsChangeFields) as (keyof typeof settingsChangeFields)[];

/** The settings body: at least one known field, any other field refused by its name. */
export const conferenceSettingsChangeSchema = z
  .looseObject(settingsChangeFields)
  .superRefine((change, context) => {
    for (const key of Object.keys(change))
      if (!(settingNames as string[]).includes(key))
        context.addIssue({
          code: 'custom',
          path: [key],
          message: `is not a setting: the settings are ${settingNames.join(', ')}`,
        });
    if (!settingNames.some((name) => change[name] !== undefined))
      context.addIssue({
        code: 'custom',
        path: [],
        message: `names no setting: give at least one of ${settingNames.join(', ')}`,
      });
  });

const settingsChange = z.object(settingsChangeFields);
export type ConferenceSettingsChange = z.infer<typeof settingsChange>;

export const DEFAULT_PERSONAL_DATA_RETENTION_DAYS = 365;
export const DEFAULT_SENSITIVE_DATA_RETENTION_DAYS = 30;

export type ConferenceDetails = z.infer<typeof conferenceDetailsSchema>;
export type Room = z.infer<typeof roomSchema>;
export type Signatory = z.infer<typeof signatorySchema>;

export const conferenceEvents = {
  ConferenceCreated: conferenceDetailsSchema.extend({ conferenceId: z.string() }),
  /** Only the settings that changed, with their new values. */
  ConferenceSettingsChanged: z.object({
    conferenceId: z.string(),
    changedAt: z.iso.datetime(),
    ...settingsChangeFields,
  }),
  /** A new version of the conference's registration form (CONTRACT 5.2): the whole form, numbered from 1. */
  RegistrationFormChanged: z.object({
    conferenceId: z.string(),
    version: z.number().int().min(1),
    fields: z.array(fieldSchema),
    changedAt: z.iso.datetime(),
  }),
};

export type ConferenceCreated = {
  type: 'ConferenceCreated';
  data: z.infer<typeof conferenceEvents.ConferenceCreated>;
};
export type ConferenceSettingsChanged = {
  type: 'ConferenceSettingsChanged';
  data: z.infer<typeof conferenceEvents.ConferenceSettingsChanged>;
};
export type RegistrationFormChanged = {
  type: 'RegistrationFormChanged';
  data: z.infer<typeof conferenceEvents.RegistrationFormChanged>;
};
export type ConferenceEvent = ConferenceCreated | ConferenceSettingsChanged | RegistrationFormChanged;

export const conferenceEventTypes = [
  'ConferenceCreated',
  'ConferenceSettingsChanged',
  'RegistrationFormChanged',
] as const satisfies readonly (keyof typeof conferenceEvents)[];
