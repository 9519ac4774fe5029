/**
 * The `type` URIs of this project's problem+json answers, one per kind of problem (its title). Apart from
 * problem.ts so that the local HTTP server can use them without loading the handlers' logger and metrics
 * before it has set their environment.
 */
const PROBLEM_TYPE_BASE = 'https://learning-cities.dev/problems/';

const slug = (title: string) => title.toLowerCase().replace(/[^a-z]+/g, '-');

/** The `type` URI of the project's problem with this title, e.g. `…/problems/not-found`. */
export const problemType = (title: string): string => `${PROBLEM_TYPE_BASE}${slug(title)}`;
