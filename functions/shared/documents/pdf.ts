import PDFDocument from 'pdfkit';
import type { FontKey } from './font-files.js';
import { QUIET_ZONE_MODULES, qrSymbol } from './qr-code.js';

/**
 * The TrueType fonts a document may embed (subsets of them), read when first needed: DejaVu for Latin,
 * Greek and Cyrillic, a Noto family for each other script (font-files.ts).
 */
export interface DocumentFonts {
  file(key: FontKey): Buffer;
  hasGlyph(key: FontKey, codePoint: number): boolean;
}

export type Pdf = PDFKit.PDFDocument;

const fontsOfDocument = new WeakMap<Pdf, { fonts: DocumentFonts; registered: Set<FontKey> }>();

/** The fonts a document was made with. */
export const fontsOf = (pdf: Pdf): DocumentFonts => {
  const entry = fontsOfDocument.get(pdf);
  if (!entry) throw new Error('A PDF not made by renderPdf has no fonts');
  return entry.fonts;
};

/** What pdfkit keeps of an embedded font: the Unicode text of each glyph of its subset (its ToUnicode map). */
interface EmbeddedFontInternals {
  unicode?: number[][];
  encode?: (...args: unknown[]) => unknown;
}

/** WORD JOINER: invisible, joins nothing and breaks nothing; what a reader extracts for a glyph that is no character. */
const NO_CHARACTER = 0x2060;

/**
 * Noto's Arabic fonts draw a letter as a dotless shape and its dots as separate glyphs (their `ccmp`), and
 * the dots stand for no character. pdfkit maps such a glyph to nothing in the ToUnicode map, which readers
 * (pdf.js) take as "no map" and replace by the glyph's code: a copied name held control characters. They
 * map to U+2060 instead, which text consumers ignore.
 */
const mapGlyphsOfNoCharacter = (pdf: Pdf): void => {
  const font = (pdf as unknown as { _font?: EmbeddedFontInternals })._font;
  if (!font?.encode || !font.unicode || (font as { patched?: boolean }).patched) return;
  const encode = font.encode.bind(font);
  const unicode = font.unicode;
  font.encode = (...args: unknown[]) => {
    const result = encode(...args);
    for (let gid = 0; gid < unicode.length; gid++)
      if (unicode[gid]?.length === 0) unicode[gid] = [NO_CHARACTER];
    return result;
  };
  (font as { patched?: boolean }).patched = true;
};

/** Selects a font by its key, registering it with the document the first time (pdfkit parses it once then). */
export const useFont = (pdf: Pdf, key: FontKey): Pdf => {
  const entry = fontsOfDocument.get(pdf);
  if (entry && !entry.registered.has(key)) {
    pdf.registerFont(key, entry.fonts.file(key));
    entry.registered.add(key);
    pdf.font(key);
    mapGlyphsOfNoCharacter(pdf);
  }
  return pdf.font(key);
};

export interface PdfOptions {
  size: [number, number] | string;
  margin: number;
  title: string;
  fonts: DocumentFonts;
}

/**
 * A pdfkit document, a readable stream of the PDF's bytes as pages are drawn (pdfkit writes each page
 * out once the next begins): pipe it where the bytes go. Starts with the regular font, never pdfkit's
 * built-in AFM ones.
 */
export const openPdf = (options: PdfOptions): Pdf => {
  const pdf = new PDFDocument({
    size: options.size,
    margin: options.margin,
    autoFirstPage: false,
    // No default font: without this, pdfkit loads Helvetica from disk. And not the regular font's bytes
    // either: pdfkit would keep that one under its PostScript name only, so that every later
    // `font('regular')` parsed the whole font file again (600 badges: most of 30 s).
    font: null as unknown as string,
    info: { Title: options.title, Creator: 'Learning Cities conference backend' },
    pdfVersion: '1.7',
  });
  fontsOfDocument.set(pdf, { fonts: options.fonts, registered: new Set() });
  useFont(pdf, 'bold');
  useFont(pdf, 'regular');
  return pdf;
};

/** Writes a PDF with pdfkit and returns its bytes. */
export const renderPdf = async (
  options: PdfOptions,
  draw: (pdf: Pdf) => Promise<void> | void,
): Promise<Buffer> => {
  const pdf = openPdf(options);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  await draw(pdf);
  pdf.end();
  return done;
};

// In its own module so that the notifier's bundle, which draws QR codes into emails, carries no pdfkit.
export { qrCodePng } from './qr-code.js';

/** The largest font size up to `max` at which `text` fits `width` on one line. */
export const fittingSize = (pdf: Pdf, font: string, text: string, width: number, max: number, min = 6) => {
  pdf.font(font);
  for (let size = max; size > min; size -= 0.5)
    if (pdf.fontSize(size).widthOfString(text) <= width) return size;
  return min;
};

/**
 * Draws a QR code as vector squares (error correction M, a quiet zone of 4 modules), each row's dark
 * runs as one rectangle: sharp at any print size, and far lighter to write and to embed than a PNG.
 */
export const drawQrCode = (pdf: Pdf, text: string, x: number, y: number, size: number): void => {
  const modules = qrSymbol(text);
  const quiet = QUIET_ZONE_MODULES;
  const module = size / (modules.size + 2 * quiet);
  pdf.save();
  pdf.rect(x, y, size, size).fill('#ffffff');
  for (let row = 0; row < modules.size; row++) {
    let start = -1;
    for (let column = 0; column <= modules.size; column++) {
      const dark = column < modules.size && modules.get(row, column);
      if (dark && start < 0) start = column;
      if (!dark && start >= 0) {
        pdf.rect(x + (quiet + start) * module, y + (quiet + row) * module, (column - start) * module, module);
        start = -1;
      }
    }
  }
  pdf.fill('#000000');
  pdf.restore();
};
