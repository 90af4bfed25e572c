import { fail } from '../shared/error.ts'
import { readSourceDateEpoch } from '../shared/source-date.ts'
import { readStructure } from './pdf-structure.ts'
import { appendUpdate } from './pdf-update.ts'

// PDF finishing: title, author, subject, language, producer, dates and a one-level outline,
// added to the browser's PDF as an incremental update (ISO 32000-1, 7.5.6): the browser's bytes
// stay as they are, and the new objects, a cross-reference section and a trailer follow them.
// Re-writing the whole file instead (pdf-lib) costs tens of milliseconds per PDF, and more in a
// fresh process; this costs about a millisecond (`npm run bench` measures both). Chromium writes
// cross-reference tables, the only kind this reads. pdf-structure.ts reads the file, pdf-update.ts
// writes the update, pdf-syntax.ts holds the object syntax both use.

export interface PdfInfo {
  title: string
  author: string
  subject?: string
  lang: string
  /** One entry per page, in order: the outline (bookmarks). */
  outline?: string[]
  /** The page count the PDF must have; anything else means the render went wrong. */
  expectedPages?: number
  /**
   * CreationDate and ModDate, from the deck's inputs (see resolveSourceDate), never the time of the
   * build: the same inputs give the same bytes.
   */
  date: Date
}

export const PRODUCER = 'ortug'

/**
 * The date a deck's PDFs carry: `SOURCE_DATE_EPOCH` (seconds, https://reproducible-builds.org/specs/source-date-epoch/)
 * when set, else the newest modification time of the deck's inputs, so a rebuild from the same
 * files gives the same bytes. Pure: the caller reads the environment and the files.
 */
export function resolveSourceDate(epoch: string | undefined, inputMtimesMs: readonly number[]): Date {
  const fixed = readSourceDateEpoch(epoch)
  if (fixed) return fixed
  const newest = Math.max(...inputMtimesMs.filter((ms) => Number.isFinite(ms) && ms > 0))
  if (!Number.isFinite(newest)) fail('ENVIRONMENT', 'no input file has a modification time to date the PDFs with; set SOURCE_DATE_EPOCH')
  // Whole seconds: a PDF date has no finer unit, and file systems differ below a second.
  return new Date(Math.floor(newest / 1000) * 1000)
}

/** A PDF date's digits, UTC: "20261129094000". */
export function pdfDateDigits(date: Date): string {
  return date.toISOString().slice(0, 19).replace(/\D/g, '')
}

/** Sets metadata, language and a one-level outline; verifies the page count. */
export async function finalizePdf(bytes: Uint8Array, info: PdfInfo, what: string): Promise<Uint8Array> {
  const structure =
    readStructure(bytes) ??
    fail(
      'ENVIRONMENT',
      `${what}: the browser wrote a PDF without a cross-reference table, which ortug cannot finish; run "ortug doctor" and report the browser it names`,
    )
  checkPageCount(structure.pages.length, info, what)
  const { title, author, subject, lang, outline = [], date } = info
  return appendUpdate(bytes, structure, { title, author, subject, lang, outline, producer: PRODUCER, dateDigits: pdfDateDigits(date) })
}

function checkPageCount(pages: number, info: PdfInfo, what: string): void {
  if (info.expectedPages !== undefined && pages !== info.expectedPages) {
    fail('ENVIRONMENT', `${what}: the browser produced ${pages} pages instead of ${info.expectedPages}; the render was cut short`)
  }
}
