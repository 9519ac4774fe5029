/**
 * The font files, shipped beside the bundle of each function that prints (`files` of its route or rule
 * in infra/definitions). Apart from fonts.ts, which reads them, so that only the printing bundles hold that.
 */
export const FONT_FILES = {
  regular: 'node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  bold: 'node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
} as const;
