import { brotliDecompressSync } from 'node:zlib';

/**
 * What the `brotli` package's `decompress.js` does (fontkit reads WOFF2 fonts with it), on the Brotli
 * decoder built into Node. The Lambda bundles use this module in its place (`moduleSubstitutes` in
 * infra/constructs/lambda-function.ts): the package is a 475 KB decoder compiled to asm.js.
 */
const decompress = (buffer: Uint8Array, _outputSize?: number): Uint8Array => brotliDecompressSync(buffer);

export default decompress;
