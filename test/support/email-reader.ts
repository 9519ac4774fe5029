/**
 * Reads an .eml back with parsers independent of the composer (nodemailer): postal-mime for the MIME
 * structure, @napi-rs/canvas to decode the inline PNG and jsQR to read the QR code in it.
 */
import { createCanvas, loadImage } from '@napi-rs/canvas';
import jsQRModule from 'jsqr';
import PostalMime from 'postal-mime';

const jsQR = (jsQRModule as unknown as { default: typeof jsQRModule.default }).default;

export interface ReadEmail {
  subject: string;
  to: string;
  text: string;
  html: string;
  /** The text of every QR code among the inline images, by Content-ID. */
  qrCodes: { contentId: string; text: string | undefined }[];
}

export const readEmail = async (eml: Uint8Array | string): Promise<ReadEmail> => {
  const email = await PostalMime.parse(eml);
  const qrCodes = await Promise.all(
    email.attachments
      .filter((attachment) => attachment.mimeType === 'image/png')
      .map(async (attachment) => {
        const image = await loadImage(Buffer.from(attachment.content as ArrayBuffer));
        const canvas = createCanvas(image.width, image.height);
        const context = canvas.getContext('2d');
        context.drawImage(image, 0, 0);
        const pixels = context.getImageData(0, 0, image.width, image.height);
        return {
          contentId: (attachment.contentId ?? '').replace(/^<|>$/g, ''),
          text: jsQR(new Uint8ClampedArray(pixels.data), pixels.width, pixels.height)?.data,
        };
      }),
  );
  return {
    subject: email.subject ?? '',
    to: email.to?.map((address) => ('address' in address ? address.address : '')).join(', ') ?? '',
    text: email.text ?? '',
    html: email.html ?? '',
    qrCodes,
  };
};
