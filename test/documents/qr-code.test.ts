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

describe('the QR code PNG (emails, visa letters)', () => {
  it('reads back as the text it encodes, grey, at 8 pixels a module with a quiet zone of 4', async () => {
    const text = 'https://conference.example/verify/LC1-7Q2M-XK4P-93TD';
    const png = await qrCodePng(text);
    // IHDR: colour type 0 (grey) at byte 25, width at bytes 16–19.
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png[25]).toBe(0);
    const { width, text: read1 } = await read(png);
    expect(read1).toBe(text);
    expect(png.readUInt32BE(16)).toBe(width);
    // These 52 bytes need a version-4 code (33 modules) at error correction M: (33 + 2 × 4) × 8 pixels.
    expect(width).toBe((33 + 8) * 8);
  });
});
