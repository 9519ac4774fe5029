import { env } from '../../../infra/definitions/tables.js';
import { isSupplied } from '../runtime/adapters.js';

/** Whether this function may use the key service: one was supplied, or it was granted the KMS keys. */
export const keyServiceAvailable = (): boolean =>
  isSupplied('keyService') ||
  (Boolean(process.env[env.personalDataKeyId]) && Boolean(process.env[env.emailMacKeyId]));
