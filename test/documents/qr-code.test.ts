import { inflateSync } from 'node:zlib';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import jsQRModule from 'jsqr';
import { describe, expect, it } from 'vitest';
import { qrCodePng } from '../../functions/shared/documents/qr-code.js';

const jsQR = (jsQRModule as unknown as { default: typeof jsQRModule.default }).default;

/** The PNG decoded by @napi-rs/canvas (not pngjs, which wrote it) and read by jsQR. */
const read = async (png: Buffer) => {
  const image = await loadImage(png);
  const context = createCanvas(image.width, image.height).getContext('2d');
  context.drawImage(image, 0, 0);
  const pixels = context.getImageData(0, 0, image.width, image.height);
  return {
    width: image.width,
    text: jsQR(new Uint8ClampedArray(pixels.data), image.width, image.height)?.data,
  };
};

/** The PNG's chunks (length, type, data), read by hand from the format (RFC 2083), not by pngjs. */
const chunks = (png: Buffer) => {
  const found: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    found.push({
      type: png.subarray(at + 4, at + 8).toString('latin1'),
      data: png.subarray(at + 8, at + 8 + length),
    });
    at += 12 + length;
  }
  return found;
};

describe('the QR code PNG (emails, visa letters)', () => {
  it('reads back as the text it encodes, at 8 pixels a module with a quiet zone of 4', async () => {
    const text = 'https://conference.example/verify/LC1-7Q2M-XK4P-93TD';
    const png = await qrCodePng(text);
    const { width, text: decoded } = await read(png);
    expect(decoded).toBe(text);
    // These 52 bytes need a version-4 code (33 modules) at error correction M: (33 + 2 × 4) × 8 pixels.
    expect(width).toBe((33 + 8) * 8);
  });

  it('is 8-bit grayscale with every row filtered by Up (not RGBA, not all five filters tried on each row)', async () => {
    const png = await qrCodePng('LC1-7Q2M-XK4P-93TD');
    const [header] = chunks(png);
    expect(header?.type).toBe('IHDR');
    const width = header?.data.readUInt32BE(0) ?? 0;
    const height = header?.data.readUInt32BE(4) ?? 0;
    // 8 bits a sample, grayscale: 1 byte a pixel, and one filter byte before each row.
    expect([header?.data[8], header?.data[9]]).toEqual([8, 0]);
    const pixels = inflateSync(
      Buffer.concat(
        chunks(png)
          .filter((chunk) => chunk.type === 'IDAT')
          .map((chunk) => chunk.data),
      ),
    );
    const stride = 1 + width;
    expect(pixels.length).toBe(stride * height);
    const filters = new Set(Array.from({ length: height }, (_, row) => pixels[row * stride]));
    expect([...filters]).toEqual([2]);
  });
});
