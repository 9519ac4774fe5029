import { create, type Font } from 'fontkit';
import { readBundledFile } from '../http/bundled-files.js';
import { FONT_FILES, type FontKey } from './font-files.js';
import type { DocumentFonts } from './pdf.js';

// Read and parsed once per process, each only when a text first needs it: a Latin-only badge run never
// reads the 16 MB of the East Asian fonts.
const files = new Map<FontKey, Buffer>();
const faces = new Map<FontKey, Font>();

const fileOf = (key: FontKey): Buffer => {
  let file = files.get(key);
  if (!file) {
    file = readBundledFile(FONT_FILES[key]);
    files.set(key, file);
  }
  return file;
};

const faceOf = (key: FontKey): Font => {
  let face = faces.get(key);
  if (!face) {
    face = create(fileOf(key)) as Font;
    faces.set(key, face);
  }
  return face;
};

const fonts: DocumentFonts = {
  file: fileOf,
  hasGlyph: (key, codePoint) => faceOf(key).hasGlyphForCodePoint(codePoint),
};

export const documentFonts = (): DocumentFonts => fonts;

/** Which fonts this process has read so far (for the benchmark of cold starts). */
export const loadedFonts = (): FontKey[] => [...files.keys()];
