import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { eventDataSchemas } from '../../domain/events.js';
import { EVENTS_DOC, eventDescriptions, eventsCatalogue } from '../support/events-catalogue.js';

describe('docs/events.md, the event catalogue', () => {
  it('describes every event type in words', () => {
    for (const type of Object.keys(eventDataSchemas)) {
      expect(eventDescriptions[type as keyof typeof eventDescriptions], type).toMatch(/\w{3,}/);
    }
  });

  it('agrees with the schemas events are checked against (npm run docs:events rewrites it)', async () => {
    expect(await readFile(EVENTS_DOC, 'utf8')).toBe(eventsCatalogue());
  });

  it('lists each type with every field of its data', async () => {
    const doc = await readFile(EVENTS_DOC, 'utf8');
    for (const [type, schema] of Object.entries(eventDataSchemas)) {
      const section = doc.split(`\n## ${type}\n`)[1]?.split('\n## ')[0] ?? '';
      expect(section, type).not.toBe('');
      for (const field of Object.keys(schema.shape))
        expect(section, `${type}.${field}`).toContain(`| \`${field}\` |`);
    }
  });
});
