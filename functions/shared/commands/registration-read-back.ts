import type { DelegateDetails, Registration } from '../../../domain/registration/decider.js';
import { nameOrderOf } from '../../../domain/shared/names.js';

/** The registration read back (CONTRACT section 2): its state with the delegate's personal fields. */
export const registrationReadBack = (registration: Registration, personal: DelegateDetails) => ({
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
});
