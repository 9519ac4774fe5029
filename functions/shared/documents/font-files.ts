/**
 * The font files, shipped beside the bundle of each function that prints (`files` of its route or rule
 * in infra/definitions). Apart from fonts.ts, which reads them, so that only the printing bundles hold that.
 *
 * DejaVu Sans prints Latin, Greek and Cyrillic (and is the fallback of every other script); a Noto family
 * from an npm package prints each other script a name may be written in. One weight of the two large
 * East Asian fonts only (Noto Sans SC: Han ideographs and kana, 10 MB; Noto Sans KR: Hangul, 6 MB);
 * the small ones in the regular and the bold weight. Each is read only when a text needs it
 * (fonts.ts), and pdfkit embeds only the glyphs a document uses (a subset).
 */
const noto = (family: string, file: string, weight: '400Regular' | '700Bold') =>
  `node_modules/@expo-google-fonts/${family}/${weight}/${file}_${weight}.ttf` as const;

export const FONT_FILES = {
  regular: 'node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  bold: 'node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
  arabic: noto('noto-sans-arabic', 'NotoSansArabic', '400Regular'),
  arabicBold: noto('noto-sans-arabic', 'NotoSansArabic', '700Bold'),
  hebrew: noto('noto-sans-hebrew', 'NotoSansHebrew', '400Regular'),
  hebrewBold: noto('noto-sans-hebrew', 'NotoSansHebrew', '700Bold'),
  ethiopic: noto('noto-sans-ethiopic', 'NotoSansEthiopic', '400Regular'),
  ethiopicBold: noto('noto-sans-ethiopic', 'NotoSansEthiopic', '700Bold'),
  devanagari: noto('noto-sans-devanagari', 'NotoSansDevanagari', '400Regular'),
  devanagariBold: noto('noto-sans-devanagari', 'NotoSansDevanagari', '700Bold'),
  thai: noto('noto-sans-thai', 'NotoSansThai', '400Regular'),
  thaiBold: noto('noto-sans-thai', 'NotoSansThai', '700Bold'),
  hanKana: noto('noto-sans-sc', 'NotoSansSC', '400Regular'),
  hangul: noto('noto-sans-kr', 'NotoSansKR', '400Regular'),
} as const;

export type FontKey = keyof typeof FONT_FILES;
