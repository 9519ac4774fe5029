import type { ConferenceDetails } from '../../domain/conference/events.js';
import type { Delegate } from '../../domain/registration/events.js';

export const iclc2015: ConferenceDetails & { name: string } = {
  name: '2nd International Conference on Learning Cities',
  acronym: 'ICLC2015',
  city: 'Mexico City',
  country: 'MX',
  venue: 'Palacio de Bellas Artes',
  timezone: 'America/Mexico_City',
  startDate: '2015-09-28',
  endDate: '2015-09-30',
  dailyStart: '09:00',
  dailyEnd: '17:00',
  capacity: 600,
  rooms: [{ name: 'Sala Principal', capacity: 1000 }, { name: 'Sala Manuel M. Ponce' }],
  // The suites written for v1 register directly (CONTRACT 5.1: a conference may keep v1's registration).
  emailConfirmation: false,
};

export const delegate: Delegate = {
  givenName: 'Ana',
  familyName: 'Pérez',
  email: 'Ana.Perez@example.org',
  country: 'MX',
  city: 'Mexico City',
  organization: 'Ciudad de México',
  category: 'mayor',
};
