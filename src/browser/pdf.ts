import { fail } from '../shared/error.ts'
import { readSourceDateEpoch } from '../shared/source-date.ts'

// PDF finishing: title, author, subject, language, producer, dates and a one-level outline,
// added to the browser's PDF as an incremental update (ISO 32000-1, 7.5.6): the browser's bytes
// stay as they are, and the new objects, a cross-reference section and a trailer follow them.
// Re-writing the whole file instead (pdf-lib) costs tens of milliseconds per PDF, and more in a
// fresh process; this costs about a millisecond (`npm run bench` measures both). Chromium writes
// cross-reference tables, the only kind this reads.

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
  return appendUpdate(bytes, structure, info)
}

function checkPageCount(pages: number, info: PdfInfo, what: string): void {
  if (info.expectedPages !== undefined && pages !== info.expectedPages) {
    fail('ENVIRONMENT', `${what}: the browser produced ${pages} pages instead of ${info.expectedPages}; the render was cut short`)
  }
}

// --- reading: the last trailer, the catalog and the page tree ---

interface Ref {
  kind: 'ref'
  num: number
  gen: number
}
type PdfValue =
  | Ref
  | { kind: 'dict'; entries: Map<string, PdfValue>; raw: string }
  | { kind: 'array'; items: PdfValue[]; raw: string }
  | { kind: 'atom'; raw: string }

interface Structure {
  /** The file as Latin-1 text: one character per byte. */
  text: string
  offsets: Map<number, number>
  size: number
  lastXref: number
  root: Ref
  catalog: Map<string, PdfValue>
  /** The previous document information dictionary, whose dates are fixed in place. */
  info?: Ref
  /** The file identifier, which the new trailer repeats. */
  id?: string
  pages: Ref[]
}

/** The structure of a PDF with cross-reference tables, or undefined for anything else. */
function readStructure(bytes: Uint8Array): Structure | undefined {
  try {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
    const startxref = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(text.slice(-1024))
    if (!startxref) return undefined
    const lastXref = Number(startxref[1])
    const offsets = new Map<number, number>()
    let trailer: Map<string, PdfValue> | undefined
    const seen = new Set<number>()
    for (let at: number | undefined = lastXref; at !== undefined; ) {
      if (seen.has(at)) return undefined
      seen.add(at)
      const section = readXrefSection(text, at)
      if (!section) return undefined
      for (const [num, offset] of section.offsets) if (!offsets.has(num)) offsets.set(num, offset)
      trailer ??= section.trailer
      const prev = section.trailer.get('Prev')
      at = prev?.kind === 'atom' ? Number(prev.raw) : undefined
    }
    const size = trailer?.get('Size')
    const root = trailer?.get('Root')
    const info = trailer?.get('Info')
    if (!trailer || size?.kind !== 'atom' || root?.kind !== 'ref' || trailer.has('Encrypt')) return undefined
    const parser = new Parser(text)
    const catalog = parser.objectAt(offsets, root)
    if (catalog?.kind !== 'dict') return undefined
    const pages: Ref[] = []
    const pagesRoot = catalog.entries.get('Pages')
    if (pagesRoot?.kind !== 'ref' || !collectPages(parser, offsets, pagesRoot, pages, new Set(), 0)) return undefined
    const id = trailer.get('ID')
    return {
      text,
      offsets,
      size: Number(size.raw),
      lastXref,
      root,
      catalog: catalog.entries,
      info: info?.kind === 'ref' ? info : undefined,
      id: id && rawValue(id),
      pages,
    }
  } catch {
    return undefined
  }
}

function readXrefSection(text: string, at: number): { offsets: Map<number, number>; trailer: Map<string, PdfValue> } | undefined {
  const header = /xref\s+/y
  header.lastIndex = at
  if (!header.test(text)) return undefined
  const offsets = new Map<number, number>()
  let position = header.lastIndex
  const subsection = /\s*(\d+)\s+(\d+)\s+/y
  const entry = /(\d{10})\s(\d{5})\s([nf])\s{1,2}/y
  for (;;) {
    subsection.lastIndex = position
    const range = subsection.exec(text)
    if (!range) break
    position = subsection.lastIndex
    for (let i = 0; i < Number(range[2]); i++) {
      entry.lastIndex = position
      const found = entry.exec(text)
      if (!found) return undefined
      if (found[3] === 'n') offsets.set(Number(range[1]) + i, Number(found[1]))
      position = entry.lastIndex
    }
  }
  const trailer = /\s*trailer\s*/y
  trailer.lastIndex = position
  if (!trailer.test(text)) return undefined
  const value = new Parser(text).valueAt(trailer.lastIndex).value
  return value.kind === 'dict' ? { offsets, trailer: value.entries } : undefined
}

/** Page leaves in order; false when the tree is malformed (cycles, missing objects, too deep). */
function collectPages(parser: Parser, offsets: Map<number, number>, ref: Ref, pages: Ref[], visited: Set<number>, depth: number): boolean {
  if (visited.has(ref.num) || depth > 64) return false
  visited.add(ref.num)
  const node = parser.objectAt(offsets, ref)
  if (node?.kind !== 'dict') return false
  const type = node.entries.get('Type')
  if (type?.kind === 'atom' && type.raw === '/Page') {
    pages.push(ref)
    return true
  }
  let kids = node.entries.get('Kids')
  if (kids?.kind === 'ref') kids = parser.objectAt(offsets, kids)
  if (kids?.kind !== 'array') return false
  return kids.items.every((kid) => kid.kind === 'ref' && collectPages(parser, offsets, kid, pages, visited, depth + 1))
}

const WHITESPACE = new Set(['\0', '\t', '\n', '\f', '\r', ' '])
const DELIMITERS = new Set(['(', ')', '<', '>', '[', ']', '{', '}', '/', '%'])

/** Just enough of PDF's object syntax (7.3) to read dictionaries and arrays and copy values verbatim. */
class Parser {
  constructor(private readonly text: string) {}

  objectAt(offsets: Map<number, number>, ref: Ref): PdfValue | undefined {
    const offset = offsets.get(ref.num)
    if (offset === undefined) return undefined
    const header = /(\d+)\s+(\d+)\s+obj\b/y
    header.lastIndex = offset
    const found = header.exec(this.text)
    if (!found || Number(found[1]) !== ref.num) return undefined
    return this.valueAt(header.lastIndex).value
  }

  valueAt(start: number): { value: PdfValue; end: number } {
    const at = this.skip(start)
    const text = this.text
    const char = text[at]
    if (char === '<' && text[at + 1] === '<') {
      const entries = new Map<string, PdfValue>()
      let position = this.skip(at + 2)
      while (!(text[position] === '>' && text[position + 1] === '>')) {
        if (text[position] !== '/') throw new Error(`a name was expected at ${position}`)
        const key = this.valueAt(position)
        const value = this.valueAt(key.end)
        entries.set(key.value.kind === 'atom' ? key.value.raw.slice(1) : '', value.value)
        position = this.skip(value.end)
      }
      return { value: { kind: 'dict', entries, raw: text.slice(at, position + 2) }, end: position + 2 }
    }
    if (char === '[') {
      const items: PdfValue[] = []
      let position = this.skip(at + 1)
      while (text[position] !== ']') {
        const item = this.valueAt(position)
        items.push(item.value)
        position = this.skip(item.end)
      }
      return { value: { kind: 'array', items, raw: text.slice(at, position + 1) }, end: position + 1 }
    }
    if (char === '(') return this.atom(at, this.stringEnd(at))
    if (char === '<') return this.atom(at, text.indexOf('>', at) + 1)
    if (char === undefined || char === ')' || char === '>' || char === ']') throw new Error(`unexpected "${char}" at ${at}`)
    let end = at + 1
    while (end < text.length && !WHITESPACE.has(text[end] as string) && !DELIMITERS.has(text[end] as string)) end++
    const number = text.slice(at, end)
    const ref = /\s+(\d+)\s+R\b/y
    ref.lastIndex = end
    const gen = /^\d+$/.test(number) ? ref.exec(text) : null
    if (gen) return { value: { kind: 'ref', num: Number(number), gen: Number(gen[1]) }, end: ref.lastIndex }
    return this.atom(at, end)
  }

  private atom(start: number, end: number): { value: PdfValue; end: number } {
    if (end <= start) throw new Error(`unterminated value at ${start}`)
    return { value: { kind: 'atom', raw: this.text.slice(start, end) }, end }
  }

  /** The end of a literal string: balanced parentheses, backslash escapes. */
  private stringEnd(start: number): number {
    let depth = 0
    for (let i = start; i < this.text.length; i++) {
      const char = this.text[i]
      if (char === '\\') i++
      else if (char === '(') depth++
      else if (char === ')' && --depth === 0) return i + 1
    }
    return -1
  }

  private skip(start: number): number {
    let i = start
    for (;;) {
      while (WHITESPACE.has(this.text[i] as string)) i++
      if (this.text[i] !== '%') return i
      while (i < this.text.length && this.text[i] !== '\n' && this.text[i] !== '\r') i++
    }
  }
}

// --- writing: new objects, a cross-reference section and a trailer after the old bytes ---

function appendUpdate(bytes: Uint8Array, structure: Structure, info: PdfInfo): Uint8Array {
  const { text, root, catalog, pages } = structure
  const objects: { num: number; gen: number; body: string }[] = []
  let next = structure.size
  const infoNum = next++
  objects.push({
    num: infoNum,
    gen: 0,
    body: dict([
      ['Title', textString(info.title)],
      ['Author', textString(info.author)],
      ...(info.subject ? ([['Subject', textString(info.subject)]] as [string, string][]) : []),
      ['Creator', textString(PRODUCER)],
      ['Producer', textString(PRODUCER)],
      ['CreationDate', `(D:${pdfDateDigits(info.date)}Z)`],
      ['ModDate', `(D:${pdfDateDigits(info.date)}Z)`],
    ]),
  })
  const entries = new Map<string, string>([...catalog].map(([key, value]) => [key, rawValue(value)]))
  entries.set('Lang', textString(info.lang))
  if (!entries.has('ViewerPreferences')) entries.set('ViewerPreferences', '<< /DisplayDocTitle true >>')
  const titles = (info.outline ?? []).slice(0, pages.length)
  if (titles.length > 0) {
    const outlineNum = next++
    const first = next
    next += titles.length
    objects.push({
      num: outlineNum,
      gen: 0,
      body: dict([
        ['Type', '/Outlines'],
        ['First', `${first} 0 R`],
        ['Last', `${first + titles.length - 1} 0 R`],
        ['Count', String(titles.length)],
      ]),
    })
    titles.forEach((title, i) => {
      const page = pages[i] as Ref
      objects.push({
        num: first + i,
        gen: 0,
        body: dict([
          ['Title', textString(title)],
          ['Parent', `${outlineNum} 0 R`],
          ...(i > 0 ? ([['Prev', `${first + i - 1} 0 R`]] as [string, string][]) : []),
          ...(i < titles.length - 1 ? ([['Next', `${first + i + 1} 0 R`]] as [string, string][]) : []),
          ['Dest', `[${page.num} ${page.gen} R /Fit]`],
        ]),
      })
    })
    entries.set('Outlines', `${outlineNum} 0 R`)
    entries.set('PageMode', '/UseOutlines')
  }
  objects.push({ num: root.num, gen: root.gen, body: dict([...entries]) })

  // The new objects follow the old bytes, each at a recorded offset.
  let update = text.endsWith('\n') || text.endsWith('\r') ? '' : '\n'
  const offsets = new Map<number, { offset: number; gen: number }>()
  for (const object of objects) {
    offsets.set(object.num, { offset: bytes.byteLength + update.length, gen: object.gen })
    update += `${object.num} ${object.gen} obj\n${object.body}\nendobj\n`
  }
  const xrefOffset = bytes.byteLength + update.length
  update += `xref\n${xrefSubsections(offsets)}trailer\n${dict([
    ['Size', String(next)],
    ['Root', `${root.num} ${root.gen} R`],
    ['Info', `${infoNum} 0 R`],
    ['Prev', String(structure.lastXref)],
    ...(structure.id ? ([['ID', structure.id]] as [string, string][]) : []),
  ])}\nstartxref\n${xrefOffset}\n%%EOF\n`

  const out = new Uint8Array(bytes.byteLength + update.length)
  out.set(bytes)
  const writable = Buffer.from(out.buffer, out.byteOffset, out.byteLength)
  writable.write(update, bytes.byteLength, 'latin1')
  fixOldDates(writable, structure, pdfDateDigits(info.date))
  return out
}

/** The browser's own information dictionary keeps its dates (the time it printed): set them to the deck's date in place (same length). */
function fixOldDates(out: Buffer, { text, offsets, info }: Structure, digits: string): void {
  const start = info && offsets.get(info.num)
  if (start === undefined) return
  const end = text.indexOf('endobj', start)
  const pattern = /\(D:(\d{14})/g
  for (const match of text.slice(start, end < 0 ? start : end).matchAll(pattern)) {
    out.write(digits, start + match.index + 3, 'latin1')
  }
}

function xrefSubsections(offsets: Map<number, { offset: number; gen: number }>): string {
  const nums = [...offsets.keys()].sort((a, b) => a - b)
  let out = ''
  for (let i = 0; i < nums.length; ) {
    let j = i
    while (j + 1 < nums.length && nums[j + 1] === (nums[j] as number) + 1) j++
    out += `${nums[i]} ${j - i + 1}\n`
    for (let k = i; k <= j; k++) {
      const { offset, gen } = offsets.get(nums[k] as number) as { offset: number; gen: number }
      out += `${String(offset).padStart(10, '0')} ${String(gen).padStart(5, '0')} n\r\n`
    }
    i = j + 1
  }
  return out
}

function dict(entries: [string, string][]): string {
  return `<< ${entries.map(([key, value]) => `/${key} ${value}`).join(' ')} >>`
}

function rawValue(value: PdfValue): string {
  return value.kind === 'ref' ? `${value.num} ${value.gen} R` : value.raw
}

/** A text string: printable ASCII as it is, anything else as UTF-16BE with a byte order mark, in hex. */
function textString(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return `(${text.replace(/[\\()]/g, '\\$&')})`
  let hex = 'FEFF'
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).padStart(4, '0')
  return `<${hex.toUpperCase()}>`
}
