/** The scripts of the delegate's pages: bundled by esbuild into `.pages/` (infra/page-scripts.ts). */
export const PAGE_SCRIPTS = ['register', 'confirm', 'manage'] as const;
export type PageScript = (typeof PAGE_SCRIPTS)[number];

export const PAGE_SCRIPTS_DIR = '.pages';

/** Where a page's bundled script is, by path in the repository (shipped beside the function that serves it). */
export const pageScriptFile = (script: PageScript) => `${PAGE_SCRIPTS_DIR}/${script}.js`;
