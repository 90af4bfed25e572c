import { LOGO_LIMITS } from '../shared/schema.ts'
import { type RasterImage, readJpeg, readPng, readWebp } from './raster.ts'
import { findSvgProblem } from './svg.ts'
import { findInvalidUtf8 } from './utf8.ts'

// What a logo may be: its type read from its first bytes; a PNG, JPEG or WebP read through to its
// end (raster.ts), its size within LOGO_LIMITS; an SVG parsed as XML against an allow-list
// (svg.ts). Pure: bytes in, a verdict out; project.ts reads the file.

export type LogoVerdict = { mime: string; problem?: undefined } | { mime?: undefined; problem: string }

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
/** Markup whose root element is named svg (any prefix), after an optional prolog: the file means to be SVG. */
const RE_SVG_ROOT = /<([\w.-]+:)?svg[\s/>]/

/** Checks a logo's bytes: a PNG, JPEG, WebP or SVG within LOGO_LIMITS. The problem, if any, says what to do. */
export function verifyLogo(bytes: Buffer): LogoVerdict {
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return verifyRaster('image/png', readPng(bytes, LOGO_LIMITS.pixels))
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return verifyRaster('image/jpeg', readJpeg(bytes))
  if (bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return verifyRaster('image/webp', readWebp(bytes))
  const start = bytes.toString('utf8', 0, 4096)
  if (/^\uFEFF?\s*</.test(start) && RE_SVG_ROOT.test(start)) {
    const problem = findInvalidUtf8(bytes) === undefined ? findSvgProblem(bytes.toString('utf8').replace(/^\uFEFF/, '')) : 'is not valid UTF-8 text'
    return problem ? { problem: `is an SVG image that ${problem}` } : { mime: 'image/svg+xml' }
  }
  return { problem: 'is not a PNG, JPEG, WebP or SVG image (its first bytes do not match any); export the logo in one of these formats' }
}

function verifyRaster(mime: string, read: RasterImage | string): LogoVerdict {
  const kind = mime.slice('image/'.length).toUpperCase()
  if (typeof read === 'string') return { problem: `is not a ${kind} image ortug can show: it ${read}; export the logo again (PNG, JPEG, WebP or SVG)` }
  const { width, height } = read
  if (width > LOGO_LIMITS.pixels || height > LOGO_LIMITS.pixels) {
    return {
      problem: `is ${width} × ${height} pixels; the limit is ${LOGO_LIMITS.pixels} pixels a side: export it smaller (it is shown about 120 px wide, 1000 px is plenty for print)`,
    }
  }
  if (width === 0 || height === 0) return { problem: `is ${width} × ${height} pixels, an empty image; export the logo again` }
  return { mime }
}
