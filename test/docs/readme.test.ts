/**
 * The README a newcomer reads in ten minutes: short, with contents, the two commands, the prerequisites
 * and every "try this" in one tour; the design, operations and personal data in docs/; nothing that
 * points outside the repository or copies a measured figure; and a tutorial whose conference the
 * retention job keeps.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { personalDataExpired } from '../../domain/conference/decider.js';
import { conferenceDetailsSchema } from '../../domain/conference/events.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const readme = read('README.md');
const handWritten = [
  'README.md',
  'docs/architecture.md',
  'docs/operations.md',
  'docs/personal-data.md',
  'docs/api.md',
];

const section = (markdown: string, heading: string) => {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  expect(start, heading).toBeGreaterThan(-1);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
};

describe('README.md', () => {
  it('is under 300 lines, with contents that name each section', () => {
    expect(readme.split('\n').length).toBeLessThan(300);
    const contents = section(readme, 'Contents');
    const headings = [...readme.matchAll(/^## (.+)$/gm)]
      .map((match) => match[1])
      .filter((h) => h !== 'Contents');
    expect(headings.length).toBeGreaterThanOrEqual(5);
    for (const heading of headings) expect(contents, heading).toContain(`[${heading}](#`);
  });

  it('gives the two commands as written, and the prerequisites', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
    expect(readme).toMatch(/Node\.js ≥ 22/);
    expect(readme).toMatch(/Java ≥ 17/);
    expect(readme).toMatch(/24 is the Lambda\s+runtime/);
  });

  it('has every "try this" in one tour', () => {
    const tour = section(readme, 'A tour');
    for (const step of [
      '/registrations -H', // register
      '/agenda',
      '/settings',
      '/details', // correct at the desk
      '/badge.pdf',
      '/check-ins',
      '/visa-letter',
      '/agenda.ics',
      'registrations?q=',
      'registrations.csv',
      '/erase',
      'npm run -s token',
    ])
      expect(tour, step).toContain(step);
    // Outside the tour, no command with the API (curl) is left to find.
    expect(readme.replace(tour, '')).not.toMatch(/^curl /m);
  });

  it('moved the design, operations and personal data to docs/, and links them', () => {
    for (const doc of ['docs/architecture.md', 'docs/operations.md', 'docs/personal-data.md'])
      expect(readme).toContain(`](${doc})`);
    expect(readme).not.toMatch(/^## (Design decisions|Operations|Personal data|Visa letters)/m);
    const operations = read('docs/operations.md');
    for (const topic of [
      'Deploy',
      'Observability',
      'Rebuild',
      'Replay',
      'Dead letters',
      'Erasure and retention',
    ])
      expect(operations).toMatch(new RegExp(`^## ${topic}`, 'm'));
  });

  it.each(handWritten)('%s cites nothing outside the repository', (path) => {
    const text = read(path);
    expect(text).not.toMatch(/CONTRACT/);
    expect(text).not.toMatch(/\bissue \d+/i);
    expect(text).not.toMatch(/\.\.\/shared/);
  });

  it('promises no timing for the demo: it says the load prints its time', () => {
    expect(readme).not.toMatch(/a few seconds/);
    expect(section(readme, 'Quick start')).toMatch(/prints how long loading took/);
  });

  it('describes each design decision once', () => {
    const architecture = read('docs/architecture.md');
    const bullets = [...architecture.matchAll(/^- \*\*(.+?)\*\*/gm)].map((match) => match[1]);
    expect(bullets.length).toBeGreaterThan(10);
    expect(new Set(bullets).size).toBe(bullets.length);
  });

  it('creates a tutorial conference the retention job keeps, for a long time', () => {
    const tour = section(readme, 'A tour');
    const body = tour.match(
      /-X POST localhost:3000\/conferences -H [^\n]* -d '(\{[\s\S]*?\})' \| json conferenceId/,
    )?.[1];
    expect(body).toBeDefined();
    const conference = conferenceDetailsSchema.parse(JSON.parse(body ?? ''));
    const today = new Date().toISOString().slice(0, 10);
    expect(personalDataExpired(conference, today)).toBe(false);
    expect(personalDataExpired(conference, '2100-01-01')).toBe(false);
  });
});
