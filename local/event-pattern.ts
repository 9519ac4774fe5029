import type { EventPattern } from '../infra/definitions/rules.js';

type Primitive = string | number | boolean | null;

/** A pattern of the subset used by rules.ts and pipe.ts; leaves may also hold numbers, booleans, null. */
export type Pattern = { readonly [key: string]: readonly Primitive[] | Pattern } | EventPattern;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const matchesLeaf = (allowed: readonly Primitive[], value: unknown): boolean => {
  if (Array.isArray(value)) return value.some((element) => matchesLeaf(allowed, element));
  // Exact, type-strict equality, as EventBridge compares: "1" does not match 1.
  return allowed.some((candidate) => candidate === value);
};

/**
 * EventBridge / Pipes filter matching for exact values and nested objects:
 * every field of the pattern must be present in the event; a leaf array matches when the event's value
 * equals one of its elements or, when the event's value is an array, when any element does; a nested
 * pattern object matches a nested event object field by field. Fields the pattern does not name are
 * ignored.
 */
export const matchesPattern = (pattern: Pattern, event: unknown): boolean => {
  if (!isRecord(event)) return false;
  return Object.entries(pattern).every(([key, expected]) => {
    if (!Object.hasOwn(event, key)) return false;
    const value = event[key];
    if (Array.isArray(expected)) return matchesLeaf(expected, value);
    return isRecord(expected) && matchesPattern(expected as Pattern, value);
  });
};
