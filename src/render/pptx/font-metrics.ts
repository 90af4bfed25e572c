import { inflateSync } from 'node:zlib'

// Advance widths and line height of a font, read from its WOFF file: what PowerPoint lays text
// out with. Measured with Carlito and Arimo, which have the widths of Calibri and Arial glyph for
// glyph, so a box sized here fits on a trainer's machine with the real fonts.

export interface FontMetrics {
  /** Advance width per code point, in em. */
  widths: ReadonlyMap<number, number>
  /** Width of a character the font lacks (PowerPoint substitutes another font): the widest common glyph. */
  fallback: number
  /** Single line spacing (PowerPoint's 100 %), in em. */
  lineHeight: number
}

/** Reads a WOFF 1.0 file (zlib-compressed sfnt tables). */
export function parseWoffMetrics(bytes: Uint8Array): FontMetrics {
  const tables = readWoffTables(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
  const need = (tag: string) => tables.get(tag) ?? fail(`font has no ${tag} table`)
  const head = need('head')
  const hhea = need('hhea')
  const os2 = need('OS/2')
  const unitsPerEm = head.readUInt16BE(18)
  const metricsCount = hhea.readUInt16BE(34)
  const hmtx = need('hmtx')
  const advanceOf = (glyph: number) => hmtx.readUInt16BE(4 * Math.min(glyph, metricsCount - 1)) / unitsPerEm
  const widths = new Map<number, number>()
  for (const [code, glyph] of readCmap(need('cmap'))) widths.set(code, advanceOf(glyph))
  // PowerPoint's single spacing follows the Windows ascent and descent (1.22 em for Calibri).
  const win = (os2.readUInt16BE(74) + os2.readUInt16BE(76)) / unitsPerEm
  const hheaLine = (hhea.readInt16BE(4) - hhea.readInt16BE(6) + hhea.readInt16BE(8)) / unitsPerEm
  return { widths, fallback: widths.get(0x57) ?? 1, lineHeight: Math.max(win, hheaLine) }
}

// --- internal ---

function fail(message: string): never {
  throw new Error(`font metrics: ${message}`)
}

function readWoffTables(woff: Buffer): Map<string, Buffer> {
  if (woff.toString('latin1', 0, 4) !== 'wOFF') fail('not a WOFF 1.0 file')
  const count = woff.readUInt16BE(12)
  const tables = new Map<string, Buffer>()
  for (let i = 0; i < count; i++) {
    const entry = 44 + 20 * i
    const tag = woff.toString('latin1', entry, entry + 4)
    const offset = woff.readUInt32BE(entry + 4)
    const compressed = woff.readUInt32BE(entry + 8)
    const original = woff.readUInt32BE(entry + 12)
    const data = woff.subarray(offset, offset + compressed)
    tables.set(tag, compressed < original ? inflateSync(data) : data)
  }
  return tables
}

/** Code point → glyph from the Unicode subtable (format 12, else format 4). */
function readCmap(cmap: Buffer): Map<number, number> {
  const count = cmap.readUInt16BE(2)
  const subtables = Array.from({ length: count }, (_, i) => cmap.readUInt32BE(4 + 8 * i + 4))
  const formatOf = (offset: number) => cmap.readUInt16BE(offset)
  const full = subtables.find((offset) => formatOf(offset) === 12)
  if (full !== undefined) return readFormat12(cmap, full)
  const basic = subtables.find((offset) => formatOf(offset) === 4)
  return basic === undefined ? fail('no Unicode cmap') : readFormat4(cmap, basic)
}

function readFormat12(cmap: Buffer, at: number): Map<number, number> {
  const map = new Map<number, number>()
  const groups = cmap.readUInt32BE(at + 12)
  for (let g = 0; g < groups; g++) {
    const entry = at + 16 + 12 * g
    const start = cmap.readUInt32BE(entry)
    const end = cmap.readUInt32BE(entry + 4)
    const glyph = cmap.readUInt32BE(entry + 8)
    for (let code = start; code <= end && code < 0x30000; code++) map.set(code, glyph + code - start)
  }
  return map
}

function readFormat4(cmap: Buffer, at: number): Map<number, number> {
  const map = new Map<number, number>()
  const segments = cmap.readUInt16BE(at + 6) / 2
  const ends = at + 14
  const starts = ends + 2 * segments + 2
  const deltas = starts + 2 * segments
  const ranges = deltas + 2 * segments
  for (let s = 0; s < segments; s++) {
    const end = cmap.readUInt16BE(ends + 2 * s)
    const start = cmap.readUInt16BE(starts + 2 * s)
    const delta = cmap.readInt16BE(deltas + 2 * s)
    const rangeOffset = cmap.readUInt16BE(ranges + 2 * s)
    for (let code = start; code <= end && code !== 0xffff; code++) {
      const glyph = rangeOffset === 0 ? code + delta : cmap.readUInt16BE(ranges + 2 * s + rangeOffset + 2 * (code - start))
      if (glyph !== 0) map.set(code, (glyph + (rangeOffset === 0 ? 0 : delta)) & 0xffff)
    }
  }
  return map
}
