import QRCode from 'qrcode';

/**
 * How pngjs writes the image (qrcode hands these on; its types name only the deflate settings). Black on
 * white needs no colour: grey, one byte a pixel instead of four, and one filter ("up": a QR's rows repeat)
 * instead of trying all five on every row. About half the time of pngjs's defaults for the same pixels;
 * every emailed check-in code and every visa letter renders one.
 */
const rendererOpts = { deflateLevel: 9, colorType: 0, filterType: 2 };

/** A QR code as a PNG, large enough to scan from print (error correction M, quiet zone of 4 modules). */
export const qrCodePng = (text: string): Promise<Buffer> =>
  QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 8, rendererOpts });
