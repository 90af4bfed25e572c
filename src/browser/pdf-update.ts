import type { Structure } from './pdf-structure.ts'
import { type DictEntries, dict, type Ref, rawValue, textString } from './pdf-syntax.ts'

// Writing an incremental update (ISO 32000-1, 7.5.6): the browser's bytes stay as they are, and
// the new objects, a cross-reference section and a trailer follow them.

/** What the update sets: the document information, the catalog's language, and the outline. */
export interface UpdateContent {
  title: string
  author: string
  subject?: string
  lang: string
  /** One title per page, in order; titles past the last page are left out. */
  outline: readonly string[]
  producer: string
  /** CreationDate and ModDate digits, UTC ("20261129094000"). */
  dateDigits: string
}

interface PdfObject {
  num: number
  gen: number
  body: string
}

interface XrefEntry {
  num: number
  gen: number
  offset: number
}

/** The PDF `bytes` (read as `structure`) with `content` set by an update appended. */
export function appendUpdate(bytes: Uint8Array, structure: Structure, content: UpdateContent): Uint8Array {
  const { text, root, catalog } = structure
  const infoNum = structure.size
  const catalogEntries = new Map<string, string>([...catalog].map(([key, value]) => [key, rawValue(value)]))
  catalogEntries.set('Lang', textString(content.lang))
  if (!catalogEntries.has('ViewerPreferences')) catalogEntries.set('ViewerPreferences', '<< /DisplayDocTitle true >>')
  const objects: PdfObject[] = [{ num: infoNum, gen: 0, body: infoDict(content) }]
  const outline = outlineObjects(pageTitles(structure.pages, content.outline), infoNum + 1)
  if (outline.length > 0) {
    objects.push(...outline)
    catalogEntries.set('Outlines', `${infoNum + 1} 0 R`)
    catalogEntries.set('PageMode', '/UseOutlines')
  }
  objects.push({ num: root.num, gen: root.gen, body: dict([...catalogEntries]) })
  const trailer: DictEntries = [
    ['Size', String(infoNum + 1 + outline.length)],
    ['Root', `${root.num} ${root.gen} R`],
    ['Info', `${infoNum} 0 R`],
    ['Prev', String(structure.lastXref)],
    ...entryIf(structure.id, (id) => ['ID', id]),
  ]
  const separator = text.endsWith('\n') || text.endsWith('\r') ? '' : '\n'
  const out = concatLatin1(bytes, separator + serializeUpdate(bytes.byteLength + separator.length, objects, trailer))
  fixOldDates(out, structure, content.dateDigits)
  return out
}

function infoDict(content: UpdateContent): string {
  return dict([
    ['Title', textString(content.title)],
    ['Author', textString(content.author)],
    ...entryIf(content.subject, (subject) => ['Subject', textString(subject)]),
    ['Creator', textString(content.producer)],
    ['Producer', textString(content.producer)],
    ['CreationDate', `(D:${content.dateDigits}Z)`],
    ['ModDate', `(D:${content.dateDigits}Z)`],
  ])
}

/** One entry when `value` is there (a non-empty string), none otherwise. */
function entryIf(value: string | undefined, entry: (value: string) => [string, string]): DictEntries {
  return value ? [entry(value)] : []
}

/** Each title with the page it leads to, as many as there are both. */
function pageTitles(pages: readonly Ref[], titles: readonly string[]): { title: string; page: Ref }[] {
  return titles.flatMap((title, i) => {
    const page = pages[i]
    return page ? [{ title, page }] : []
  })
}

/** The outline dictionary (numbered `outlineNum`) and its items after it, one level; none for no titles. */
function outlineObjects(items: readonly { title: string; page: Ref }[], outlineNum: number): PdfObject[] {
  if (items.length === 0) return []
  const first = outlineNum + 1
  const last = first + items.length - 1
  const outline = dict([
    ['Type', '/Outlines'],
    ['First', `${first} 0 R`],
    ['Last', `${last} 0 R`],
    ['Count', String(items.length)],
  ])
  const itemObjects = items.map(({ title, page }, i) => ({
    num: first + i,
    gen: 0,
    body: dict([
      ['Title', textString(title)],
      ['Parent', `${outlineNum} 0 R`],
      ...entryIf(i > 0 ? `${first + i - 1} 0 R` : undefined, (prev) => ['Prev', prev]),
      ...entryIf(i < items.length - 1 ? `${first + i + 1} 0 R` : undefined, (next) => ['Next', next]),
      ['Dest', `[${page.num} ${page.gen} R /Fit]`],
    ]),
  }))
  return [{ num: outlineNum, gen: 0, body: outline }, ...itemObjects]
}

/** The objects, their cross-reference section and the trailer, as text that starts at byte `start` of the file. */
function serializeUpdate(start: number, objects: readonly PdfObject[], trailer: DictEntries): string {
  let update = ''
  const entries: XrefEntry[] = []
  for (const object of objects) {
    entries.push({ num: object.num, gen: object.gen, offset: start + update.length })
    update += `${object.num} ${object.gen} obj\n${object.body}\nendobj\n`
  }
  const xrefOffset = start + update.length
  return `${update}xref\n${xrefSubsections(entries)}trailer\n${dict(trailer)}\nstartxref\n${xrefOffset}\n%%EOF\n`
}

/** `bytes` followed by `text` written one byte per character. */
function concatLatin1(bytes: Uint8Array, text: string): Uint8Array {
  const out = new Uint8Array(bytes.byteLength + text.length)
  out.set(bytes)
  latin1View(out).write(text, bytes.byteLength, 'latin1')
  return out
}

function latin1View(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** The browser's own information dictionary keeps its dates (the time it printed): set them to the deck's date in place (same length). */
function fixOldDates(out: Uint8Array, { text, offsets, info }: Structure, digits: string): void {
  const start = info && offsets.get(info.num)
  if (start === undefined) return
  const writable = latin1View(out)
  const end = text.indexOf('endobj', start)
  const pattern = /\(D:(\d{14})/g
  for (const match of text.slice(start, end < 0 ? start : end).matchAll(pattern)) {
    writable.write(digits, start + match.index + 3, 'latin1')
  }
}

/** Runs of consecutive object numbers, each a subsection: its first number and count, then one 20-byte line per object. */
function xrefSubsections(entries: readonly XrefEntry[]): string {
  const runs: { start: number; lines: string[] }[] = []
  let previous: number | undefined
  for (const { num, gen, offset } of [...entries].sort((a, b) => a.num - b.num)) {
    const line = `${String(offset).padStart(10, '0')} ${String(gen).padStart(5, '0')} n\r\n`
    const run = runs.at(-1)
    if (run && previous === num - 1) run.lines.push(line)
    else runs.push({ start: num, lines: [line] })
    previous = num
  }
  return runs.map(({ start, lines }) => `${start} ${lines.length}\n${lines.join('')}`).join('')
}
