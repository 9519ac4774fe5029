import type { FieldError } from '../../../domain/shared/errors.js';

/** A failure that is already an HTTP answer: status, problem type and, where useful, the fields at fault. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly errors: FieldError[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export const unauthorized = (detail: string) =>
  new HttpProblem(401, 'Unauthorized', detail, [], { 'www-authenticate': 'Bearer' });
export const forbidden = (detail: string) => new HttpProblem(403, 'Forbidden', detail);
export const badRequest = (detail: string, errors: FieldError[] = []) =>
  new HttpProblem(400, 'Bad Request', detail, errors);
export const notFound = (detail: string) => new HttpProblem(404, 'Not Found', detail);
