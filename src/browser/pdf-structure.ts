import { Parser, type PdfValue, type Ref, rawValue } from './pdf-syntax.ts'

// Reading what PDF finishing needs: the last trailer, the catalog and the page tree, through the
// cross-reference tables (ISO 32000-1, 7.5.4); Chromium writes tables, the only kind this reads.

export interface Structure {
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

interface XrefSection {
  offsets: Map<number, number>
  trailer: Map<string, PdfValue>
}

/** The structure of a PDF with cross-reference tables, or undefined for anything else. */
export function readStructure(bytes: Uint8Array): Structure | undefined {
  try {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
    const startxref = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(text.slice(-1024))
    if (!startxref) return undefined
    const lastXref = Number(startxref[1])
    const xref = readXrefChain(text, lastXref)
    return xref && readDocument(text, lastXref, xref)
  } catch {
    return undefined
  }
}

/** Every section from the last back through /Prev: the newest offset of each object, and the last trailer. */
function readXrefChain(text: string, lastXref: number): XrefSection | undefined {
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
  return trailer && { offsets, trailer }
}

/** The catalog and pages the trailer leads to; undefined for an encrypted or malformed file. */
function readDocument(text: string, lastXref: number, { offsets, trailer }: XrefSection): Structure | undefined {
  const size = trailer.get('Size')
  const root = trailer.get('Root')
  const info = trailer.get('Info')
  if (size?.kind !== 'atom' || root?.kind !== 'ref' || trailer.has('Encrypt')) return undefined
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
}

function readXrefSection(text: string, at: number): XrefSection | undefined {
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
