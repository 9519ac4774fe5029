import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  SignJWT,
} from 'jose';
import { dataDirFromEnv, localPaths } from './data-dir.js';
import { createKeyFileOnce, readKeyFile } from './key-files.js';

/** The local stand-in for the Cognito user pool's issuer, whose verifier local/adapters.ts gives the handlers. */
export const LOCAL_ISSUER = 'https://local.learning-cities.invalid/issuer';
export const LOCAL_AUDIENCE = 'learning-cities-local';

const ALGORITHM = 'RS256';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  /** The public JWKS (`{keys: [...]}`) the handlers verify tokens with. */
  jwksFile: string;
}

const publicJwk = (privateJwk: JWK) => ({
  kty: privateJwk.kty,
  n: privateJwk.n,
  e: privateJwk.e,
  kid: privateJwk.kid,
  alg: ALGORITHM,
  use: 'sig',
});

/** Writes the new key under its final name only if none is there yet (two first starts at once agree). */
const createPrivateKey = async (file: string): Promise<void> => {
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  await createKeyFileOnce(file, { ...jwk, kid, alg: ALGORITHM, use: 'sig' });
};

const readPrivateKey = (file: string) =>
  readKeyFile<JWK>(file, `The local signing key ${file} cannot be read; delete it to make a new one`);

/** The local signing key is not in this DATA_DIR: the server (`npm start`) makes it, `npm run token` does not. */
export class NoSigningKeyError extends Error {
  constructor(readonly dataDir: string) {
    super(
      `There is no local signing key in DATA_DIR ${dataDir}: \`npm start\` makes it on its first start. ` +
        'Start the server with this DATA_DIR first, or set DATA_DIR to the one the server uses.',
    );
    this.name = 'NoSigningKeyError';
  }
}

const checkedJwk = (jwk: JWK | undefined, file: string): JWK & { kid: string } => {
  if (!jwk?.kid || jwk.kty !== 'RSA') {
    throw new Error(`The local signing key ${file} is not an RSA JWK with a kid; delete it`);
  }
  return jwk as JWK & { kid: string };
};

/**
 * The local issuer's RS256 key: made on first use and kept in `<dataDir>/auth/private-key.json` (mode
 * 0600), with its public JWKS written to `<dataDir>/auth/jwks.json`.
 */
export const loadSigningKey = async (dataDir = dataDirFromEnv()): Promise<SigningKey> => {
  const paths = localPaths(dataDir);
  await mkdir(paths.auth, { recursive: true, mode: 0o700 });
  let found = await readPrivateKey(paths.privateKey);
  if (!found) {
    await createPrivateKey(paths.privateKey);
    found = await readPrivateKey(paths.privateKey);
  }
  const jwk = checkedJwk(found, paths.privateKey);
  const jwks = `${JSON.stringify({ keys: [publicJwk(jwk)] }, null, 2)}\n`;
  const current = await readFile(paths.jwks, 'utf8').catch(() => undefined);
  if (current !== jwks) {
    const temporary = `${paths.jwks}.${process.pid}.tmp`;
    await writeFile(temporary, jwks);
    await rename(temporary, paths.jwks);
  }
  const privateKey = (await importJWK(jwk, ALGORITHM)) as CryptoKey;
  return { kid: jwk.kid, privateKey, jwksFile: paths.jwks };
};

/** The key `npm start` made in `dataDir`, read only: nothing is created ({@link NoSigningKeyError} if none). */
export const readSigningKey = async (dataDir = dataDirFromEnv()): Promise<SigningKey> => {
  const paths = localPaths(dataDir);
  const found = await readPrivateKey(paths.privateKey);
  if (!found) throw new NoSigningKeyError(dataDir);
  const jwk = checkedJwk(found, paths.privateKey);
  const privateKey = (await importJWK(jwk, ALGORITHM)) as CryptoKey;
  return { kid: jwk.kid, privateKey, jwksFile: paths.jwks };
};

export interface OrganizerTokenOptions {
  /** `cognito:groups`; omitted from the token when empty. Default: `['organizers']`. */
  groups?: string[];
  /** A jose time span, e.g. `12h`, `30m`. */
  expiresIn?: string | number;
  subject?: string;
  dataDir?: string;
  /** Make the key when the data directory has none (the server, tests); false: only read it (`npm run token`). */
  createKey?: boolean;
}

/** A Cognito-like ID token of the local issuer, signed with the local key. */
export const signOrganizerToken = async ({
  groups = ['organizers'],
  expiresIn = '12h',
  subject = 'local-organizer',
  dataDir,
  createKey = true,
}: OrganizerTokenOptions = {}): Promise<string> => {
  const key = createKey ? await loadSigningKey(dataDir) : await readSigningKey(dataDir);
  const claims: Record<string, unknown> = { token_use: 'id', 'cognito:username': subject };
  if (groups.length > 0) claims['cognito:groups'] = groups;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: ALGORITHM, kid: key.kid })
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key.privateKey);
};
