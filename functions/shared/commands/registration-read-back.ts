import type { DelegateDetails, Registration } from '../../../domain/registration/decider.js';
import {
  isOpenedSensitive,
  type RegistrationEvent,
  SENSITIVE_TALLIES,
} from '../../../domain/registration/events.js';
import { nameOrderOf } from '../../../domain/shared/names.js';

type Answers = Record<string, unknown>;

/**
 * The registration read back (CONTRACT section 2): its state with the delegate's personal fields, and
 * (CONTRACT 5.2) the form version answered and the answers: the sensitive ones only when given, i.e. when
 * the caller may see them one by one; otherwise they are absent, never marked.
 */
export const registrationReadBack = (
  registration: Registration,
  personal: DelegateDetails & { answers?: Answers },
  sensitive?: Answers,
) => ({
  registrationId: registration.registrationId,
  conferenceId: registration.conferenceId,
  status: registration.status,
  givenName: personal.givenName,
  familyName: personal.familyName,
  email: personal.email,
  country: registration.country,
  city: personal.city,
  organization: personal.organization ?? null,
  category: registration.category,
  // A registration from before languages existed was made in English.
  language: personal.language ?? 'en',
  latinName: personal.latinName ?? null,
  nameOrder: nameOrderOf(personal),
  registeredAt: registration.registeredAt,
  ...(registration.checkedInAt ? { checkedInAt: registration.checkedInAt } : {}),
  ...(registration.cancelledAt ? { cancelledAt: registration.cancelledAt } : {}),
  ...(registration.formVersion === undefined ? {} : { formVersion: registration.formVersion }),
  ...(personal.answers || sensitive ? { answers: { ...personal.answers, ...sensitive } } : {}),
});

/**
 * The sensitive answers as the events tell them now, read opened with the sensitive key: the latest set
 * given (a correction with answers replaces it), or undefined when none, still sealed or erased.
 */
export const sensitiveAnswersOf = (events: readonly RegistrationEvent[]): Answers | undefined => {
  let answers: Answers | undefined;
  for (const event of events) {
    if (event.type === 'PersonalDataErased' || event.type === 'SensitiveAnswersErased') answers = undefined;
    else if (
      event.type === 'DelegateRegistered' ||
      event.type === 'DelegateWaitlisted' ||
      event.type === 'RegistrationPending' ||
      (event.type === 'DelegateDetailsChanged' && event.data.formVersion !== undefined)
    )
      answers = isOpenedSensitive(event.data.sensitive) ? event.data.sensitive : undefined;
  }
  if (!answers) return undefined;
  const { [SENSITIVE_TALLIES]: _tallies, ...given } = answers;
  return given;
};
