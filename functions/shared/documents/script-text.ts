import bidiModule from 'bidi-js';
import type { FontKey } from './font-files.js';
import { type DocumentFonts, fontsOf, type Pdf, useFont } from './pdf.js';

/**
 * One line of text in any script, ready to print: split into runs of one font and one direction, in the
 * order they appear on the page (issue 19.4).
 *
 * - Each character's font is chosen by its script (a Noto family per script, DejaVu for Latin, Greek and
 *   Cyrillic); spaces, punctuation, digits and combining marks take the font of the text around them.
 * - Runs are ordered left to right by the Unicode bidirectional algorithm (bidi-js). Inside a run, fontkit
 *   (through pdfkit) shapes the text: it joins Arabic letters, forms Indic conjuncts, and lays a
 *   right-to-left run out from the right. pdfkit is given `features` for a right-to-left run, which makes
 *   it lay out the run whole: without them it lays out each word apart and puts the words of a
 *   right-to-left run in the wrong order (an organization "محافظة القاهرة" came out as "القاهرةمحافظة").
 * - A character that no shipped font has is printed as U+FFFD (the replacement character), and the line
 *   says it was not `covered`, so that a caller may print another text instead (the Latin name).
 */

export type Weight = 'regular' | 'bold';

export interface TextRun {
  text: string;
  font: FontKey;
  rightToLeft: boolean;
}

export interface ScriptLine {
  runs: TextRun[];
  /** Whether every character has a real glyph in a shipped font. */
  covered: boolean;
  /** Whether the paragraph's base direction is right to left (its first strong character is). */
  rightToLeft: boolean;
}

// bidi-js is UMD whose typings declare an ES default export: Node hands the factory over as the module itself.
const bidiFactory = ((bidiModule as unknown as { default?: unknown }).default ??
  bidiModule) as () => ReturnType<typeof bidiModule.default>;
const bidi = bidiFactory();

/** The font of each script a shipped Noto family covers, regular and bold. */
const scriptFonts: [pattern: RegExp, regular: FontKey, bold: FontKey][] = [
  [/\p{Script=Arabic}/u, 'arabic', 'arabicBold'],
  [/\p{Script=Hebrew}/u, 'hebrew', 'hebrewBold'],
  [/\p{Script=Ethiopic}/u, 'ethiopic', 'ethiopicBold'],
  [/\p{Script=Devanagari}/u, 'devanagari', 'devanagariBold'],
  [/\p{Script=Thai}/u, 'thai', 'thaiBold'],
  [/\p{Script=Hangul}/u, 'hangul', 'hangul'],
  [/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Bopomofo}]/u, 'hanKana', 'hanKana'],
];

/** Every script's font of a weight, for a neutral character that only such a font has. */
const scriptFontsOf: Record<Weight, FontKey[]> = {
  regular: scriptFonts.map(([, regular]) => regular),
  bold: scriptFonts.map(([, , bold]) => bold),
};

/** Characters of no script of their own: they take the font of their neighbours. */
const NEUTRAL = /[\p{Script=Common}\p{Script=Inherited}]/u;
const REPLACEMENT = '\uFFFD';

const scriptFontOf = (character: string, weight: Weight): FontKey => {
  for (const [pattern, regular, bold] of scriptFonts)
    if (pattern.test(character)) return weight === 'bold' ? bold : regular;
  return weight;
};

interface Placed {
  character: string;
  font: FontKey | undefined;
}

/** Each character with its font (undefined for a neutral one not yet placed), uncovered ones replaced. */
const placeCharacters = (text: string, weight: Weight, fonts: DocumentFonts) => {
  let covered = true;
  const placed: Placed[] = [...text].map((character) => {
    const codePoint = character.codePointAt(0) ?? 0;
    if (NEUTRAL.test(character)) return { character, font: undefined };
    const font = scriptFontOf(character, weight);
    if (fonts.hasGlyph(font, codePoint)) return { character, font };
    if (font !== weight && fonts.hasGlyph(weight, codePoint)) return { character, font: weight };
    covered = false;
    return { character: REPLACEMENT, font: weight };
  });
  // A neutral character takes the font before it, else the one after it, else the text's own, else that of
  // any script that has it (a full-width comma after a Latin name, in a Chinese text).
  const fits = (font: FontKey | undefined, character: string): font is FontKey =>
    font !== undefined && fonts.hasGlyph(font, character.codePointAt(0) ?? 0);
  const scriptFontsOfWeight = scriptFontsOf[weight];
  for (let index = 0; index < placed.length; index++) {
    const entry = placed[index] as Placed;
    if (entry.font !== undefined) continue;
    const before = placed[index - 1]?.font;
    const after = placed
      .slice(index + 1)
      .find((next) => next.font !== undefined && !NEUTRAL.test(next.character))?.font;
    if (fits(before, entry.character)) entry.font = before;
    else if (fits(after, entry.character)) entry.font = after;
    else if (fits(weight, entry.character)) entry.font = weight;
    else {
      const font = scriptFontsOfWeight.find((candidate) => fits(candidate, entry.character));
      if (font) entry.font = font;
      else {
        covered = false;
        entry.character = REPLACEMENT;
        entry.font = weight;
      }
    }
  }
  return { placed, covered };
};

/**
 * A line of text split into runs in visual order (left to right on the page). Its base direction is its
 * first strong character's, unless `direction` gives the paragraph's (a line of an Arabic letter that
 * begins with a Latin name is still right to left).
 */
export const scriptLine = (
  text: string,
  weight: Weight,
  fonts: DocumentFonts,
  direction: 'ltr' | 'rtl' | 'auto' = 'auto',
): ScriptLine => {
  const { placed, covered } = placeCharacters(text, weight, fonts);
  // The characters as UTF-16, with each code unit's font, for bidi-js (which works on code units).
  const line = placed.map((entry) => entry.character).join('');
  const unitFonts: FontKey[] = placed.flatMap((entry) =>
    Array.from({ length: entry.character.length }, () => entry.font as FontKey),
  );
  if (line.length === 0) return { runs: [], covered, rightToLeft: false };
  const embedding = bidi.getEmbeddingLevels(line, direction);
  const order = bidi.getReorderedIndices(line, embedding);
  // In a right-to-left run a bracket faces the other way: "(" is drawn as ")" (the algorithm's rule L4).
  const mirrored = bidi.getMirroredCharactersMap(line, embedding.levels);
  const drawn =
    mirrored.size === 0
      ? line
      : line
          .split('')
          .map((unit, index) => mirrored.get(index) ?? unit)
          .join('');
  const levelOf = (index: number) => embedding.levels[index] ?? 0;
  const runs: TextRun[] = [];
  let start = 0;
  const close = (end: number) => {
    const indices = order.slice(start, end);
    const from = Math.min(...indices);
    const to = Math.max(...indices);
    const first = indices[0] as number;
    runs.push({
      text: drawn.slice(from, to + 1),
      font: unitFonts[first] as FontKey,
      rightToLeft: levelOf(first) % 2 === 1,
    });
    start = end;
  };
  for (let position = 1; position < order.length; position++) {
    const previous = order[position - 1] as number;
    const current = order[position] as number;
    const rightToLeft = levelOf(previous) % 2 === 1;
    const adjacent = rightToLeft ? current === previous - 1 : current === previous + 1;
    if (!adjacent || levelOf(current) !== levelOf(previous) || unitFonts[current] !== unitFonts[previous])
      close(position);
  }
  close(order.length);
  return { runs, covered, rightToLeft: (embedding.paragraphs[0]?.level ?? 0) % 2 === 1 };
};

// `features` makes pdfkit lay a right-to-left run out whole (see above); the empty list keeps fontkit's
// default features. A left-to-right run goes without, so that pdfkit's cache of laid out words serves it.
const rightToLeftOptions = { features: [] as PDFKit.Mixins.OpenTypeFeatures[], lineBreak: false } as const;
const leftToRightOptions = { lineBreak: false } as const;
const optionsOf = (run: TextRun) => (run.rightToLeft ? rightToLeftOptions : leftToRightOptions);

/** The width of a line at a font size, in points. */
export const lineWidth = (pdf: Pdf, line: ScriptLine, size: number): number =>
  line.runs.reduce(
    (width, run) => width + useFont(pdf, run.font).fontSize(size).widthOfString(run.text, optionsOf(run)),
    0,
  );

/** The largest size up to `max` at which the line fits `width`. */
export const fittingLineSize = (pdf: Pdf, line: ScriptLine, width: number, max: number, min = 6): number => {
  const natural = lineWidth(pdf, line, max);
  if (natural <= width) return max;
  return Math.max(min, Math.floor(((max * width) / natural) * 2) / 2);
};

export interface DrawOptions {
  size: number;
  /** The box the line is aligned in; a right-to-left line is aligned right in it unless `align` says. */
  width?: number;
  align?: 'left' | 'right' | 'center';
}

/**
 * Where the baseline lies below the top of a line, per point of font size: DejaVu Sans' ascender. Every run
 * of a line sits on this one baseline, whatever its font's own ascender (the East Asian fonts' is taller).
 */
const BASELINE = 0.928;

/** Draws a line with its top at `y`, run by run on one baseline; returns its width. */
export const drawLine = (pdf: Pdf, line: ScriptLine, x: number, y: number, options: DrawOptions): number => {
  const width = lineWidth(pdf, line, options.size);
  const align = options.align ?? (line.rightToLeft ? 'right' : 'left');
  const box = options.width ?? width;
  let left = align === 'right' ? x + box - width : align === 'center' ? x + (box - width) / 2 : x;
  for (const run of line.runs) {
    const font = useFont(pdf, run.font).fontSize(options.size);
    font.text(run.text, left, y + BASELINE * options.size, { ...optionsOf(run), baseline: 'alphabetic' });
    left += font.widthOfString(run.text, optionsOf(run));
  }
  return width;
};

/** Draws text in any script on one line, shrunk to fit `width` from `max`; returns the size used. */
export const drawFittedText = (
  pdf: Pdf,
  text: string,
  weight: Weight,
  x: number,
  y: number,
  options: { width: number; max: number; min?: number; align?: 'left' | 'right' | 'center' },
): number => {
  const line = scriptLine(text, weight, fontsOf(pdf));
  const size = fittingLineSize(pdf, line, options.width, options.max, options.min);
  drawLine(pdf, line, x, y, {
    size,
    width: options.width,
    ...(options.align ? { align: options.align } : {}),
  });
  return size;
};

/** The distance between the tops of two lines of a paragraph, per point of font size. */
const LINE_HEIGHT = 1.3;

export interface ParagraphOptions {
  weight: Weight;
  size: number;
  width: number;
  /** The language of the text: where its lines may break (Chinese and Japanese between words, not at spaces). */
  language: string;
  direction: 'ltr' | 'rtl';
  align?: 'left' | 'right' | 'center';
}

/**
 * Draws a paragraph in any script from `y`, broken into lines that fit `width` at word boundaries
 * (Intl.Segmenter, which finds the words of Chinese and Japanese too; a word longer than a line is broken
 * between characters), each line then ordered and drawn as drawLine. Lines are broken before they are
 * ordered, as the bidirectional algorithm says. Returns the y below the last line.
 */
export const drawParagraph = (
  pdf: Pdf,
  text: string,
  x: number,
  y: number,
  options: ParagraphOptions,
): number => {
  const fonts = fontsOf(pdf);
  const lineOf = (part: string) => scriptLine(part.trim(), options.weight, fonts, options.direction);
  const fits = (part: string) => lineWidth(pdf, lineOf(part), options.size) <= options.width;
  const pieces = [...new Intl.Segmenter(options.language, { granularity: 'word' }).segment(text)].flatMap(
    ({ segment }) =>
      fits(segment)
        ? [segment]
        : [...new Intl.Segmenter(options.language, { granularity: 'grapheme' }).segment(segment)].map(
            (grapheme) => grapheme.segment,
          ),
  );
  const lines: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (current.trim() !== '' && !fits(current + piece)) {
      lines.push(current);
      current = piece.trimStart();
    } else current += piece;
  }
  if (current.trim() !== '') lines.push(current);
  let top = y;
  for (const line of lines) {
    drawLine(pdf, lineOf(line), x, top, {
      size: options.size,
      width: options.width,
      align: options.align ?? (options.direction === 'rtl' ? 'right' : 'left'),
    });
    top += options.size * LINE_HEIGHT;
  }
  return top;
};
