/**
 * Reads PDFs back with parsers independent of the one that wrote them: pdf.js (Mozilla's renderer) for the
 * text and the page count, @napi-rs/canvas to render a page to pixels, and jsQR to decode QR codes from them.
 */
import { createCanvas } from '@napi-rs/canvas';
import jsQRModule from 'jsqr';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

// jsQR is CommonJS whose typings declare an ES default export: Node hands the module object over as `default`.
const jsQR = (jsQRModule as unknown as { default: typeof jsQRModule.default }).default;

const open = async (bytes: Uint8Array) => {
  const task = getDocument({ data: new Uint8Array(bytes), disableFontFace: true, verbosity: 0 });
  return { document: await task.promise, close: () => task.destroy() };
};

/** The text of every page, lines joined by spaces. */
export const pdfPagesText = async (bytes: Uint8Array): Promise<string[]> => {
  const { document, close } = await open(bytes);
  const pages: string[] = [];
  for (let number = 1; number <= document.numPages; number++) {
    const content = await (await document.getPage(number)).getTextContent();
    pages.push(
      content.items
        .map((item) => ('str' in item ? item.str : ''))
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim(),
    );
  }
  await close();
  return pages;
};

/** Renders a page at `scale` and decodes the QR code found in it (undefined if none is found). */
export const decodeQrOnPage = async (
  bytes: Uint8Array,
  pageNumber: number,
  scale = 3,
): Promise<string | undefined> => {
  const { document, close } = await open(bytes);
  const page = await document.getPage(pageNumber);
  const viewport = page.getViewport({ scale });
  const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  // pdf.js draws on any CanvasRenderingContext2D; @napi-rs/canvas implements that interface.
  await page.render({ canvas: canvas as never, canvasContext: context as never, viewport }).promise;
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
  await close();
  return jsQR(new Uint8ClampedArray(pixels.data), pixels.width, pixels.height)?.data;
};

export interface PdfGlyph {
  /** What the font's ToUnicode map says the glyph stands for: U+0000 for the .notdef glyph of pdfkit's fonts. */
  unicode: string;
  /** The PostScript name of the font that shows it. */
  font: string;
  /** Whether pdf.js found the glyph in the embedded font. */
  inFont: boolean;
  /** Its advance width (thousandths of the font size): tells two glyphs of one character apart. */
  width: number;
}

/**
 * Every glyph each page shows, read from pdf.js's operator list (the PDF's own text-showing operators, not
 * its extracted text). pdfkit maps the .notdef glyph (the missing-glyph box) to U+0000 in its ToUnicode map.
 */
export const pdfGlyphs = async (bytes: Uint8Array): Promise<PdfGlyph[][]> => {
  const { OPS } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const { document, close } = await open(bytes);
  const pages: PdfGlyph[][] = [];
  for (let number = 1; number <= document.numPages; number++) {
    const page = await document.getPage(number);
    const operators = await page.getOperatorList();
    const glyphs: PdfGlyph[] = [];
    let font = '';
    operators.fnArray.forEach((operator, index) => {
      const args = operators.argsArray[index] as unknown[];
      if (operator === OPS.setFont) {
        const loaded = page.commonObjs.has(args[0] as string)
          ? (page.commonObjs.get(args[0] as string) as { name?: string })
          : undefined;
        font = loaded?.name ?? String(args[0]);
      }
      if (operator === OPS.showText)
        for (const glyph of args[0] as ({ unicode: string; isInFont: boolean; width: number } | number)[])
          if (typeof glyph === 'object' && glyph !== null)
            glyphs.push({ unicode: glyph.unicode, font, inFont: glyph.isInFont, width: glyph.width });
    });
    pages.push(glyphs);
  }
  await close();
  return pages;
};

/**
 * Glyphs that are the font's .notdef (U+0000 in pdfkit's ToUnicode maps) or that pdf.js found missing.
 * `blanks`: characters drawn with no outline, which pdf.js finds in no font (a space; French puts a no-break
 * space before a colon).
 */
export const missingGlyphs = (glyphs: PdfGlyph[], blanks: readonly string[] = [' ']) =>
  glyphs.filter(
    (glyph) =>
      glyph.unicode === '\u0000' ||
      glyph.unicode === '' ||
      (!glyph.inFont && !blanks.includes(glyph.unicode)),
  );

/**
 * Text as compared: invisible format characters (ZWNJ, the word joiner of dot glyphs) and spaces dropped
 * (pdf.js joins and splits runs its own way).
 */
export const comparable = (text: string) => text.replace(/[\p{Cf}\s]/gu, '');
