import { LOGO_LIMITS } from '../shared/schema.ts'
// What a logo may be: its type read from its first bytes, its size in pixels read from its
// header, and for SVG what it may hold. Pure: bytes in, a verdict out; content.ts reads the file.

export type LogoVerdict = { mime: string; problem?: undefined } | { mime?: undefined; problem: string }

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
const RE_SVG_START = /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^[>]*(\[[\s\S]*?\])?\s*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i
const SVG_FIX = 'export the logo again as plain SVG (e.g. Inkscape "Plain SVG", or "Optimized SVG"), or as PNG'

/** Checks a logo's bytes: a PNG, JPEG, WebP or SVG within LOGO_LIMITS. The problem, if any, says what to do. */
export function verifyLogo(bytes: Buffer): LogoVerdict {
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return verifyPixels('image/png', bytes.length >= 24 ? pngSize(bytes) : undefined)
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return verifyPixels('image/jpeg', jpegSize(bytes))
  if (bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return verifyPixels('image/webp', webpSize(bytes))
  if (RE_SVG_START.test(bytes.toString('utf8', 0, 4096))) {
    const problem = findSvgProblem(bytes.toString('utf8'))
    return problem ? { problem: `is an SVG image that ${problem}` } : { mime: 'image/svg+xml' }
  }
  return { problem: 'is not a PNG, JPEG, WebP or SVG image (its first bytes do not match any); export the logo in one of these formats' }
}

interface Size {
  width: number
  height: number
}

function verifyPixels(mime: string, size: Size | undefined): LogoVerdict {
  const kind = mime.slice('image/'.length).toUpperCase()
  if (!size) return { problem: `is not a ${kind} image ortug can read (its header is cut short or damaged); export it again` }
  const { width, height } = size
  if (width > LOGO_LIMITS.pixels || height > LOGO_LIMITS.pixels) {
    return {
      problem: `is ${width} × ${height} pixels; the limit is ${LOGO_LIMITS.pixels} pixels a side: export it smaller (it is shown about 120 px wide, 1000 px is plenty for print)`,
    }
  }
  if (width === 0 || height === 0) return { problem: `is ${width} × ${height} pixels, an empty image; export the logo again` }
  return { mime }
}

function pngSize(bytes: Buffer): Size | undefined {
  if (bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
}

/** The size in the first start-of-frame segment (SOF0 to SOF15, except DHT, JPG and DAC). */
function jpegSize(bytes: Buffer): Size | undefined {
  let at = 2
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined
    const marker = bytes[at + 1] as number
    if (marker === 0xff) {
      at += 1
      continue
    }
    // Markers without a length: TEM, RST0-7.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2
      continue
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) }
    }
    if (marker === 0xd9 || marker === 0xda) return undefined
    at += 2 + bytes.readUInt16BE(at + 2)
  }
  return undefined
}

function webpSize(bytes: Buffer): Size | undefined {
  if (bytes.length < 30) return undefined
  const chunk = bytes.toString('latin1', 12, 16)
  if (chunk === 'VP8 ') return { width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff }
  if (chunk === 'VP8L') {
    const bits = bytes.readUInt32LE(21)
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 }
  }
  if (chunk === 'VP8X') return { width: 1 + bytes.readUIntLE(24, 3), height: 1 + bytes.readUIntLE(27, 3) }
  return undefined
}

// Elements that run code, embed other documents or media, or change a reference once drawn.
const SVG_FORBIDDEN = new Set(['script', 'foreignobject', 'iframe', 'embed', 'object', 'audio', 'video', 'canvas', 'handler', 'listener'])
const RE_TAG = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/g
const RE_ATTRIBUTE = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g
const RE_URL = /url\(\s*(['"]?)([^'")]*)/gi
/** What a reference inside a logo may point at: its own elements, or an embedded raster image. */
const RE_SAFE_REFERENCE = /^\s*(#|data:image\/(png|jpeg|webp)[;,])/i

interface SvgElement {
  id?: string
  /** `<use>`: the id it draws. */
  uses?: string
  children: SvgElement[]
}

/**
 * Why this SVG may not be a logo, or undefined. Browsers run no script and load nothing in an
 * SVG shown as an image, but the Markdown output opens in other tools, and a `<use>` bomb of 2 KB
 * stalls any renderer: scripts, event attributes, outside references, entities and unbounded
 * `<use>` are refused rather than stripped, so the logo shown is the file as written.
 */
export function findSvgProblem(text: string): string | undefined {
  if (/<!ENTITY/i.test(text)) return `declares XML entities (<!ENTITY>), which can expand without limit; ${SVG_FIX}`
  const root: SvgElement = { children: [] }
  const open: { name: string; element: SvgElement }[] = [{ name: '', element: root }]
  const byId = new Map<string, SvgElement>()
  let count = 0
  for (const tag of text.replace(/<!--[\s\S]*?-->/g, '').matchAll(RE_TAG)) {
    const [, closing, rawName = '', attributes = '', selfClosing] = tag
    const name = rawName.toLowerCase()
    if (closing) {
      const at = open.findLastIndex((o) => o.name === name)
      if (at > 0) open.length = at
      continue
    }
    if (SVG_FORBIDDEN.has(name)) return `holds a <${rawName}> element, which a logo may not have; remove it or ${SVG_FIX}`
    count += 1
    if (count > LOGO_LIMITS.svgElements) return `has more than ${LOGO_LIMITS.svgElements} elements; simplify it or ${SVG_FIX}`
    const element: SvgElement = { children: [] }
    for (const attribute of attributes.matchAll(RE_ATTRIBUTE)) {
      const key = (attribute[1] ?? '').toLowerCase()
      const value = attribute[2] ?? attribute[3] ?? attribute[4] ?? ''
      if (key.startsWith('on')) return `has an event attribute (${attribute[1]} on <${rawName}>), which runs code; remove it or ${SVG_FIX}`
      if (key === 'href' || key === 'xlink:href' || key === 'src') {
        if (!RE_SAFE_REFERENCE.test(value))
          return `refers to "${clip(value)}" (${attribute[1]} on <${rawName}>); a logo may refer only to its own parts (#id); ${SVG_FIX}`
        if (name === 'use' && value.trim().startsWith('#')) element.uses = value.trim().slice(1)
      }
      if (key === 'attributename' && /href$/i.test(value))
        return `animates a reference (<${rawName} attributeName="${value}">); remove the animation or ${SVG_FIX}`
      if (key === 'id') {
        element.id = value
        byId.set(value, element)
      }
    }
    ;(open.at(-1) as { element: SvgElement }).element.children.push(element)
    if (!selfClosing) {
      open.push({ name, element })
      if (open.length > LOGO_LIMITS.svgNesting + 1) return `nests elements more than ${LOGO_LIMITS.svgNesting} deep; ${SVG_FIX}`
    }
  }
  if (/@import/i.test(text)) return `imports a stylesheet (@import); put the styles in the file or ${SVG_FIX}`
  for (const match of text.matchAll(RE_URL)) {
    if (!RE_SAFE_REFERENCE.test(match[2] ?? ''))
      return `refers to "${clip(match[2] ?? '')}" (url(...)); a logo may refer only to its own parts (#id); ${SVG_FIX}`
  }
  return measureUses(root, byId)
}

/** Elements drawn once every `<use>` is expanded, and how deep `<use>` goes: each computed once per element. */
function measureUses(root: SvgElement, byId: Map<string, SvgElement>): string | undefined {
  const drawn = new Map<SvgElement, { elements: number; depth: number }>()
  const visiting = new Set<SvgElement>()
  const limit = `; at most ${LOGO_LIMITS.svgDrawnElements} drawn elements and ${LOGO_LIMITS.svgUseDepth} levels of <use> are allowed: replace the nested <use> with plain shapes or ${SVG_FIX}`
  const measure = (element: SvgElement): { elements: number; depth: number } | string => {
    const known = drawn.get(element)
    if (known) return known
    if (visiting.has(element)) return `has a <use> that draws itself (through "#${element.id ?? element.uses}")`
    visiting.add(element)
    let elements = 1
    let depth = 0
    const parts = [...element.children]
    const target = element.uses === undefined ? undefined : byId.get(element.uses)
    for (const part of [...parts, ...(target ? [target] : [])]) {
      const inner = measure(part)
      if (typeof inner === 'string') return inner
      elements += inner.elements
      depth = Math.max(depth, part === target ? inner.depth + 1 : inner.depth)
      if (elements > LOGO_LIMITS.svgDrawnElements) return `draws more than ${LOGO_LIMITS.svgDrawnElements} elements once its <use> are expanded${limit}`
      if (depth > LOGO_LIMITS.svgUseDepth) return `nests <use> more than ${LOGO_LIMITS.svgUseDepth} levels deep${limit}`
    }
    visiting.delete(element)
    const result = { elements, depth }
    drawn.set(element, result)
    return result
  }
  const result = measure(root)
  return typeof result === 'string' ? result : undefined
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text
}
