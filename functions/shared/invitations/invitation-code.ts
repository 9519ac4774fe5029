import { timingSafeEqual } from 'node:crypto';
import { keyService } from '../personal-data/key-service.js';

/**
 * An invitation's code (CONTRACT 5.3): `<invitationId>.<MAC>`, the MAC an HMAC (KMS GenerateMac in the
 * cloud) of a fixed purpose label and the invitation's id under the personal-data key service's HMAC key.
 * Nothing of the code is stored anywhere, not even a hash: whoever holds the key can make it again (the
 * notifier, for the invitation and the reminder emails), and no one else can make one for an id. What a
 * code may still do (pending, this address, not expired) is the invitation stream's to say.
 */
const PURPOSE = 'learning-cities/invitation-code/v1';

const macOf = async (invitationId: string): Promise<Buffer> =>
  Buffer.from(await keyService().mac(Buffer.from(`${PURPOSE}\u0000${invitationId}`, 'utf8')));

/** The code of an invitation, as emailed to the invitee. */
export const invitationCodeOf = async (invitationId: string): Promise<string> =>
  `${invitationId}.${(await macOf(invitationId)).toString('base64url')}`;

/** A code's shape: an id (a UUID) and a 256-bit MAC. Anything else is no code (400 at the schema). */
export const INVITATION_CODE_PATTERN = '^[0-9a-f-]{36}\\.[A-Za-z0-9_-]{43}$';

/** The invitation a code is for, if its MAC is this server's; else undefined (as unknown). */
export const invitationIdOfCode = async (code: string): Promise<string | undefined> => {
  if (!new RegExp(INVITATION_CODE_PATTERN).test(code)) return undefined;
  const [invitationId = '', mac = ''] = code.split('.');
  const expected = await macOf(invitationId);
  const given = Buffer.from(mac, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected) ? invitationId : undefined;
};
