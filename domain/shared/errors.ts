/** A field that failed validation, as listed in a problem+json `errors` array. */
export interface FieldError {
  path: string;
  message: string;
}

/** A rule of the domain refused the command; the HTTP layer maps each kind to its status code. */
export abstract class DomainError extends Error {
  abstract readonly kind: 'invalid' | 'not-found' | 'conflict' | 'gone';
}

export class InvalidCommandError extends DomainError {
  readonly kind = 'invalid';
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  readonly kind = 'not-found';
}

export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}

/** The resource existed and is gone for good (an erased registration: 410). */
export class GoneError extends DomainError {
  readonly kind = 'gone';
}
