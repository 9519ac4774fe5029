/** Registration bodies for the load proof and the benchmarks: varied, valid, deterministic. */
import { type DelegateCategory, delegateCategories } from '../../domain/registration/events.js';

const givenNames = ['Ana', 'Jukka', 'Min-jun', 'Layla', 'Aoife', 'Tomás', 'Mekdes', 'Wei', 'Olivia', 'Ñandú'];
const familyNames = ['Pérez', 'Virtanen', 'Kim', 'Haddad', 'Murphy', 'Benítez', 'Tesfaye', 'Zhang', 'Jones'];
const places: Array<[country: string, city: string]> = [
  ['MX', 'Mexico City'],
  ['FI', 'Espoo'],
  ['KR', 'Namyangju'],
  ['JO', 'Amman'],
  ['IE', 'Cork'],
  ['PY', 'Ybycuí'],
  ['ET', 'Bahir Dar'],
  ['CN', 'Beijing'],
  ['GB', 'Swansea'],
  ['AU', 'Melton'],
  ['BR', 'Sorocaba'],
  ['PH', 'Balanga'],
];
const categories = delegateCategories;

export interface RegistrationBody {
  givenName: string;
  familyName: string;
  email: string;
  country: string;
  city: string;
  organization?: string;
  category: DelegateCategory;
  consent: true;
}

/** The n-th delegate (0-based) of a run; `tag` keeps the emails of different runs apart. */
export const delegateBody = (n: number, tag: string): RegistrationBody => {
  const [country, city] = places[n % places.length] ?? ['MX', 'Mexico City'];
  return {
    givenName: givenNames[n % givenNames.length] ?? 'Ana',
    familyName: familyNames[(n * 7) % familyNames.length] ?? 'Pérez',
    email: `delegate.${n}.${tag}@example.org`,
    country,
    city,
    ...(n % 3 === 0 ? { organization: `City of ${city}` } : {}),
    category: categories[n % categories.length] ?? 'other',
    consent: true,
  };
};

/** The same address in another letter case (`delegate.7.x@example.org` → `DELEGATE.7.X@EXAMPLE.ORG`). */
export const otherCase = (email: string): string => email.toUpperCase();
