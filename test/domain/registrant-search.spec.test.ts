import { describe, expect, it } from 'vitest';
import {
  foldForSearch,
  matchesSearch,
  type Searchable,
  searchTermsOf,
} from '../../domain/projections/registrant-search.js';

const ana = {
  givenName: 'Ana María',
  familyName: 'Pérez-Núñez',
  organization: null,
  email: 'Ana.Perez@Example.org',
};
const jurgen = {
  givenName: 'Jürgen',
  familyName: 'Müller',
  organization: 'Beijing Municipal Education Commission',
  email: 'jm@example.cn',
};
const olga = {
  givenName: 'Ольга',
  familyName: 'Смирнова',
  organization: "L'Université de Montréal",
  email: 'o@example.ru',
};

const finds = (registration: Searchable, query: string) => matchesSearch(searchTermsOf(registration), query);

describe('registrant search', () => {
  it('matches the start of a word, ignoring case and accents', () => {
    expect(finds(ana, 'perez')).toBe(true);
    expect(finds(ana, 'PÉR')).toBe(true);
    expect(finds(ana, 'nunez')).toBe(true);
    expect(finds(ana, 'maria')).toBe(true);
    expect(finds(jurgen, 'mu')).toBe(true);
    expect(finds(jurgen, 'beij')).toBe(true);
    expect(finds(jurgen, 'commission')).toBe(true);
    expect(finds(olga, 'смир')).toBe(true);
    expect(finds(olga, 'montreal')).toBe(true);
    expect(finds(olga, 'universite')).toBe(true);
  });

  it('does not match inside a word', () => {
    expect(finds(ana, 'erez')).toBe(false);
    expect(finds(jurgen, 'jing')).toBe(false);
    expect(finds(jurgen, 'ller')).toBe(false);
  });

  it('matches the start of the email, as one word', () => {
    expect(finds(ana, 'ana.perez@')).toBe(true);
    expect(finds(ana, 'ana.perez@example.org')).toBe(true);
    expect(finds(ana, 'example.org')).toBe(false);
  });

  it('needs every word of the query', () => {
    expect(finds(ana, 'ana per')).toBe(true);
    expect(finds(ana, 'ana muller')).toBe(false);
    expect(finds(ana, '   ')).toBe(false);
  });

  it('folds decomposed and composed input alike', () => {
    expect(foldForSearch('Pe\u0301rez')).toBe(foldForSearch('P\u00e9rez'));
    expect(finds({ ...ana, familyName: 'Pe\u0301rez' }, 'p\u00e9r')).toBe(true);
  });
});
