import { resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { PAGE_SCRIPTS, PAGE_SCRIPTS_DIR } from '../functions/pages/scripts.js';

const repositoryRoot = resolve(import.meta.dirname, '..');

/**
 * Bundles the delegate's pages' scripts with esbuild, as the functions are bundled: one minified browser
 * script each in `.pages/`, which the GetPageScript function ships beside its bundle (cloud) or reads
 * from the repository (local). Run by the CDK app's HTTP API construct and by `npm start`; it takes well
 * under a second.
 */
export const buildPageScripts = () => {
  buildSync({
    absWorkingDir: repositoryRoot,
    entryPoints: PAGE_SCRIPTS.map((script) => `functions/pages/client/${script}.ts`),
    outdir: PAGE_SCRIPTS_DIR,
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2022'],
    legalComments: 'none',
    logLevel: 'error',
  });
};
