import { timingSafeEqual } from 'node:crypto';
import { keyService } from './key-service.js';

/**
 * The check-in code of a seat holder (CONTRACT 4.3): `<registrationId>.<tag>`, the tag the first 16 bytes
 * of HMAC-SHA-256 (KeyService.mac, the HMAC key that never leaves KMS) over `check-in|<registrationId>`, in
 * base64url. Unguessable without the key, good for checking in only (it is not the manage token), and
 * computed when needed: never stored, never on the bus.
 */
const TAG_BYTES = 16;
const PURPOSE = 'check-in|';
const CODE = /^([\w-]{1,64})\.([\w-]{22})$/;

const tagOf = async (registrationId: string): Promise<Buffer> =>
  Buffer.from(await keyService().mac(Buffer.from(`${PURPOSE}${registrationId}`, 'utf8'))).subarray(
    0,
    TAG_BYTES,
  );

export const checkInCodeOf = async (registrationId: string): Promise<string> =>
  `${registrationId}.${(await tagOf(registrationId)).toString('base64url')}`;

/** Whether a text has the form of a check-in code (a malformed one is a 400; a forged one a 404). */
export const isWellFormedCheckInCode = (code: string): boolean => CODE.test(code);

/** The registration a check-in code belongs to; undefined when the code is malformed or forged. */
export const registrationIdOfCheckInCode = async (code: string): Promise<string | undefined> => {
  const match = CODE.exec(code);
  if (!match) return undefined;
  const [, registrationId, tag] = match as unknown as [string, string, string];
  // Compared as text: a tag's last character has spare bits, and only the canonical spelling is the code.
  const presented = Buffer.from(tag, 'utf8');
  const expected = Buffer.from((await tagOf(registrationId)).toString('base64url'), 'utf8');
  return presented.length === expected.length && timingSafeEqual(presented, expected)
    ? registrationId
    : undefined;
};
