import QRCode from 'qrcode';

/** A QR code as a PNG, large enough to scan from print (error correction M, quiet zone of 4 modules). */
export const qrCodePng = (text: string): Promise<Buffer> =>
  QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 8 });
