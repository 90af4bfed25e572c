import type { FontMetrics } from './font-metrics.ts'

// Text boxes sized from the font's own widths: each paragraph wrapped as PowerPoint wraps it
// (greedy, at spaces), each line single-spaced times the box's line spacing. The fitter lowers
// the type of a whole slide step by step until every box fits its space, so nothing relies on
// PowerPoint's autofit, which LibreOffice and PowerPoint apply differently.

export interface PptxFonts {
  regular: FontMetrics
  bold: FontMetrics
}

export interface Run {
  text: string
  bold?: boolean
  italic?: boolean
  color?: string
}

/** A text box's content and type; sizes in points, lengths in inches. */
export interface TextSpec {
  paragraphs: Run[][]
  /** Largest size the design wants, and the smallest it accepts. */
  size: number
  min: number
  bold?: boolean
  italic?: boolean
  color: string
  align?: 'left' | 'center' | 'right'
  /** Bulleted or numbered paragraphs, indented by BULLET_INDENT_EM. */
  list?: 'bullet' | 'number'
  /** A numbered list's first number (an agenda's continuation page numbers on). */
  start?: number
  /** Line spacing, a multiple of single spacing. */
  lineSpacing?: number
  /** Space after each paragraph, a share of the type size. */
  paragraphGap?: number
}

/** Lines are wrapped into this share of the box's width: PowerPoint's own rounding and kerning never reach the edge. */
export const WIDTH_SLACK = 0.96
export const BULLET_INDENT_EM = 1.1
const POINTS_PER_INCH = 72

/** How many lines a paragraph takes in a box `width` inches wide at `size` points. */
export function countLines(runs: readonly Run[], width: number, size: number, fonts: PptxFonts, bold = false): number {
  const limit = (width * WIDTH_SLACK * POINTS_PER_INCH) / size
  const words = wordWidths(runs, fonts, bold)
  if (words.length === 0) return 1
  let lines = 1
  let used = 0
  for (const word of words) {
    const needed = used === 0 ? word.width : used + word.space + word.width
    if (needed <= limit || used === 0) {
      // A word wider than the line is broken by characters: it takes as many lines as it needs.
      const extra = used === 0 ? Math.max(0, Math.ceil(word.width / limit) - 1) : 0
      lines += extra
      used = extra > 0 ? word.width - extra * limit : needed
    } else {
      lines++
      used = word.width
    }
  }
  return lines
}

/** Height in inches of a text box's content at `size` points. */
export function measureHeight(spec: TextSpec, width: number, size: number, fonts: PptxFonts): number {
  const lineHeight = (fonts.regular.lineHeight * size * (spec.lineSpacing ?? 1)) / POINTS_PER_INCH
  const gap = ((spec.paragraphGap ?? 0) * size) / POINTS_PER_INCH
  const textWidth = width - (spec.list ? (BULLET_INDENT_EM * size) / POINTS_PER_INCH : 0)
  // A word wider than its line would break inside: smaller type first, a break only at the smallest.
  if (size > spec.min && spec.paragraphs.some((runs) => longestWord(runs, fonts, spec.bold) > (textWidth * WIDTH_SLACK * POINTS_PER_INCH) / size))
    return Number.POSITIVE_INFINITY
  const lines = spec.paragraphs.map((runs) => countLines(runs, textWidth, size, fonts, spec.bold))
  return lines.reduce((sum, n) => sum + n * lineHeight, 0) + gap * Math.max(0, spec.paragraphs.length - 1)
}

/** The spec's size scaled by `scale`, in half points, never below its minimum. */
export function scaledSize(spec: TextSpec, scale: number): number {
  return Math.max(spec.min, Math.floor(spec.size * scale * 2) / 2)
}

/** The scales the fitter tries, largest first: 100 % down to the minimum sizes. */
export const SCALES = Array.from({ length: 15 }, (_, i) => 1 - i * 0.05)

// --- internal ---

function longestWord(runs: readonly Run[], fonts: PptxFonts, bold = false): number {
  return Math.max(0, ...wordWidths(runs, fonts, bold).map((word) => word.width))
}

interface Word {
  width: number
  /** Width of the space before it (0 across a run boundary without a space). */
  space: number
}

function wordWidths(runs: readonly Run[], fonts: PptxFonts, boldBox: boolean): Word[] {
  const words: Word[] = []
  let current: Word | undefined
  let pendingSpace = 0
  for (const run of runs) {
    const font = run.bold || boldBox ? fonts.bold : fonts.regular
    for (const char of run.text) {
      if (/\s/.test(char)) {
        if (current) words.push(current)
        current = undefined
        pendingSpace = font.widths.get(0x20) ?? 0.25
        continue
      }
      current ??= { width: 0, space: words.length === 0 ? 0 : pendingSpace }
      current.width += font.widths.get(char.codePointAt(0) ?? 0) ?? font.fallback
    }
  }
  if (current) words.push(current)
  return words
}
