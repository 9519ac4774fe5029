import { readBundledFile } from '../http/bundled-files.js';
import type { DocumentFonts } from './pdf.js';

/** The font files, shipped beside the bundle of each route that prints (infra/definitions/routes.ts `files`). */
export const FONT_FILES = {
  regular: 'node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  bold: 'node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
} as const;

let fonts: DocumentFonts | undefined;

export const documentFonts = (): DocumentFonts => {
  fonts ??= { regular: readBundledFile(FONT_FILES.regular), bold: readBundledFile(FONT_FILES.bold) };
  return fonts;
};
