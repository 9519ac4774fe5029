import { readBundledFile } from '../http/bundled-files.js';
import { FONT_FILES } from './font-files.js';
import type { DocumentFonts } from './pdf.js';

let fonts: DocumentFonts | undefined;

export const documentFonts = (): DocumentFonts => {
  fonts ??= { regular: readBundledFile(FONT_FILES.regular), bold: readBundledFile(FONT_FILES.bold) };
  return fonts;
};
