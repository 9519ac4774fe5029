import QRCode from 'qrcode';

/**
 * How pngjs writes the image (qrcode hands these on; its types name only the deflate settings): every row
 * filtered with Paeth, instead of each row tried with all five filters to keep the best (pngjs's default).
 * The same pixels in about the same bytes, for half the CPU; every emailed check-in code and every visa
 * letter renders one (pngjs was ~4 s of the demo load's CPU in a profile of `npm run bench:demo`).
 */
const rendererOpts = { deflateLevel: 9, filterType: 4 };

/** A QR code as a PNG, large enough to scan from print (error correction M, quiet zone of 4 modules). */
export const qrCodePng = (text: string): Promise<Buffer> =>
  QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 8, rendererOpts });
