import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A file that a route lists in `files` (infra/definitions/routes.ts), by its path in the repository. In the
 * cloud it lies next to the function's bundle, copied there when the function is bundled
 * (infra/constructs/lambda-function.ts); locally (`npm start`, tests) it is read where it is.
 */
export const readBundledFile = (repositoryPath: string): Buffer => {
  const besideBundle = fileURLToPath(new URL(basename(repositoryPath), import.meta.url));
  const inRepository = fileURLToPath(new URL(`../../../${repositoryPath}`, import.meta.url));
  return readFileSync(existsSync(besideBundle) ? besideBundle : inRepository);
};
