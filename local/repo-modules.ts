import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root: entries in infra/definitions are relative to it. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Imports `entry` (e.g. `functions/http/health.ts`, relative to `root`) and returns its export `name`,
 * which must be a function. Runs under tsx (npm start) and vitest, which both load TypeScript.
 */
export const importFunction = async <F extends (...args: never[]) => unknown>(
  entry: string,
  name = 'handler',
  root = repoRoot,
): Promise<F> => {
  const module: Record<string, unknown> = await import(pathToFileURL(resolve(root, entry)).href);
  const exported = module[name];
  if (typeof exported !== 'function') throw new Error(`${entry} does not export a function \`${name}\``);
  return exported as F;
};
