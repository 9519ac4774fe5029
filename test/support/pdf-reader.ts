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
