import { type CipherKey, createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** What a sealed personal part is bound to: it opens only for the same registration and field set. */
export interface SealBinding {
  registrationId: string;
  eventType: string;
  /** The version of the field set inside (personalFieldSets of the registration's events). */
  fieldSet: number;
}

const FORMAT = 'pd1';
const IV_BYTES = 12;

const aad = ({ registrationId, eventType, fieldSet }: SealBinding) =>
  Buffer.from(`learning-cities/personal-data|${registrationId}|${eventType}|${fieldSet}`, 'utf8');

/** AES-256-GCM of the JSON of `fields` under `key`: `pd1.<fieldSet>.<iv>.<tag>.<ciphertext>` (base64url). */
export const sealFields = (key: CipherKey, fields: unknown, binding: SealBinding): string => {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(binding));
  const body = Buffer.concat([cipher.update(JSON.stringify(fields), 'utf8'), cipher.final()]);
  return [
    FORMAT,
    String(binding.fieldSet),
    ...[iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url')),
  ].join('.');
};

export class SealedFieldsError extends Error {}

/** The fields back; throws SealedFieldsError when the text was not sealed under this key and binding. */
export const openFields = (
  key: CipherKey,
  sealed: string,
  binding: Omit<SealBinding, 'fieldSet'>,
): { fields: unknown; fieldSet: number } => {
  const [format, fieldSetText, ...parts] = sealed.split('.');
  const [iv, tag, body] = parts.map((part) => Buffer.from(part, 'base64url'));
  const fieldSet = Number(fieldSetText);
  if (format !== FORMAT || !Number.isInteger(fieldSet) || !iv || !tag || !body || parts.length !== 3)
    throw new SealedFieldsError('Not a sealed personal part');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(aad({ ...binding, fieldSet }));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    return { fields: JSON.parse(plain) as unknown, fieldSet };
  } catch (error) {
    throw new SealedFieldsError('The personal part does not open with this key and binding', {
      cause: error,
    });
  }
};
