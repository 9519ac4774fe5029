/**
 * Registration requests of a conference with `emailConfirmation` (CONTRACT 5.1): pure decisions. A request
 * holds nothing until the owner of the address confirms it; what it is, is carried sealed in the link's
 * token (functions/shared/registration-requests), and these rules say what is sent and when it is void.
 */

/** A confirmation link is valid this long after the request. */
export const REQUEST_LIFETIME_SECONDS = 24 * 60 * 60;

/** At most this many emails per address and conference in any window of `RATE_WINDOW_SECONDS`. */
export const EMAILS_PER_WINDOW = 3;
export const RATE_WINDOW_SECONDS = 60 * 60;

/** What the address of a registration request gets: never both, and the HTTP answer is the same for each. */
export type RequestEmail = 'confirmation' | 'already-registered';

/** An address that holds an active registration gets a notice (no token); any other, a confirmation link. */
export const requestEmailFor = (hasActiveRegistration: boolean): RequestEmail =>
  hasActiveRegistration ? 'already-registered' : 'confirmation';

/** Until when (epoch seconds) a request made at `now` may be confirmed. */
export const requestExpiresAt = (now: string): number =>
  Math.floor(Date.parse(now) / 1000) + REQUEST_LIFETIME_SECONDS;

/** Whether a request valid until `expiresAt` (epoch seconds) is void at `now`: then it is as if unknown. */
export const requestExpired = (expiresAt: number, now: string): boolean =>
  Math.floor(Date.parse(now) / 1000) >= expiresAt;
