/**
 * A registration's data key is missing or cannot be unwrapped although the registration was not erased,
 * or its personal part does not open: a server fault, never a silent "[erased]". Commands answer 503
 * with Retry-After; consumers fail the record, so it is retried and, at worst, dead-lettered.
 */
export class PersonalDataUnavailableError extends Error {
  readonly retryAfterSeconds = 1;
}
