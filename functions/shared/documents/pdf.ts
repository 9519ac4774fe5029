import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';

/** The TrueType fonts a document embeds (subsets of them): DejaVu covers Latin, Greek and Cyrillic. */
export interface DocumentFonts {
  regular: Buffer;
  bold: Buffer;
}

export type Pdf = PDFKit.PDFDocument;

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
  pdf.registerFont('regular', options.fonts.regular);
  pdf.registerFont('bold', options.fonts.bold);
  pdf.font('regular');
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
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const quiet = 4;
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
