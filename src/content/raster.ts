import { crc32, inflateSync } from 'node:zlib'

// PNG, JPEG and WebP logos, read as far as it takes to know that the file is the image its
// header describes: every PNG chunk and its checksum, the compressed pixels inflated to exactly
// the size the header gives; every JPEG segment up to its end marker; every WebP (RIFF) chunk and
// the bitstream's own header. Nothing may follow the image: an HTML page appended to a JPEG, or
// a file cut short, is refused instead of showing a blank logo. No pixels are decoded beyond
// that (a JS decoder would cost seconds on a 4096 px logo in every `ortug check`). Pure.

export interface RasterImage {
  width: number
  height: number
}

/** The image's size, or why the file is not a PNG ortug can show. */
export function readPng(bytes: Buffer, maxSide: number): RasterImage | string {
  let at = 8
  let header: (RasterImage & { bitsPerPixel: number; interlaced: boolean }) | undefined
  let hasPalette = false
  const data: Buffer[] = []
  let ended = false
  while (at < bytes.length && !ended) {
    if (at + 12 > bytes.length) return 'is cut short (a chunk header is incomplete)'
    const length = bytes.readUInt32BE(at)
    const type = bytes.toString('latin1', at + 4, at + 8)
    if (length > bytes.length - at - 12) return `is cut short (its "${clean(type)}" chunk runs past the end of the file)`
    const body = bytes.subarray(at + 8, at + 8 + length)
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== bytes.readUInt32BE(at + 8 + length))
      return `is damaged (the checksum of its "${clean(type)}" chunk is wrong)`
    if (!header && type !== 'IHDR') return 'is damaged (it does not start with its header chunk, IHDR)'
    if (type === 'IHDR') {
      if (header) return 'is damaged (it has two header chunks)'
      const parsed = readPngHeader(body)
      if (typeof parsed === 'string') return parsed
      header = parsed
    } else if (type === 'PLTE') hasPalette = true
    else if (type === 'IDAT') data.push(body)
    else if (type === 'IEND') ended = true
    at += 12 + length
  }
  if (!header) return 'is cut short (it has no header chunk)'
  if (!ended) return 'is cut short (its end chunk, IEND, is missing)'
  if (at !== bytes.length) return `has ${bytes.length - at} bytes after its end (IEND); a logo file holds the image only`
  if (header.bitsPerPixel < 0 && !hasPalette) return 'is damaged (a palette image without its palette)'
  const size = { width: header.width, height: header.height }
  // An image too large to accept is reported by its size; its pixels need not be read.
  if (size.width > maxSide || size.height > maxSide) return size
  return verifyPngPixels(Buffer.concat(data), header) ?? size
}

/** Width, height and the bits of one pixel, from the 13 bytes of IHDR. */
function readPngHeader(body: Buffer): (RasterImage & { bitsPerPixel: number; interlaced: boolean }) | string {
  if (body.length !== 13) return 'is damaged (its header chunk has the wrong length)'
  const depth = body.readUInt8(8)
  const colorType = body.readUInt8(9)
  const [compression, filter, interlace] = [body.readUInt8(10), body.readUInt8(11), body.readUInt8(12)]
  // Samples per pixel for each colour type, and the bit depths it allows (PNG spec, table 11.1).
  const kinds: Record<number, [number, number[]]> = { 0: [1, [1, 2, 4, 8, 16]], 2: [3, [8, 16]], 3: [1, [1, 2, 4, 8]], 4: [2, [8, 16]], 6: [4, [8, 16]] }
  const kind = kinds[colorType]
  if (!kind?.[1].includes(depth) || compression !== 0 || filter !== 0 || (interlace !== 0 && interlace !== 1)) {
    return 'is damaged (its header gives a colour type, bit depth or method PNG does not have)'
  }
  // A palette image's pixels are indices: a negative bitsPerPixel marks it for the palette check above.
  const bitsPerPixel = kind[0] * depth
  return {
    width: body.readUInt32BE(0),
    height: body.readUInt32BE(4),
    bitsPerPixel: colorType === 3 ? -bitsPerPixel : bitsPerPixel,
    interlaced: interlace === 1,
  }
}

/**
 * The compressed pixels must inflate to exactly the rows the header describes, each starting with
 * a filter type of 0 to 4. Inflating stops one byte past the expected size, so data for a far
 * larger image than the header claims costs no more than the claimed one.
 */
function verifyPngPixels(compressed: Buffer, header: RasterImage & { bitsPerPixel: number; interlaced: boolean }): string | undefined {
  if (header.width === 0 || header.height === 0) return undefined
  const bits = Math.abs(header.bitsPerPixel)
  const passes = header.interlaced ? adam7Passes(header.width, header.height) : [{ width: header.width, height: header.height }]
  const rows = passes.flatMap(({ width, height }) => (width === 0 ? [] : Array.from({ length: height }, () => 1 + Math.ceil((width * bits) / 8))))
  const expected = rows.reduce((sum, row) => sum + row, 0)
  let pixels: Buffer
  try {
    pixels = inflateSync(compressed, { maxOutputLength: expected + 1 })
  } catch (error) {
    if ((error instanceof Error && 'code' in error && error.code === 'ERR_BUFFER_TOO_LARGE') || error instanceof RangeError) {
      return `holds more pixel data than its header's ${header.width} × ${header.height} pixels; export it again`
    }
    return `is damaged (its pixel data cannot be decompressed: ${error instanceof Error ? error.message : String(error)}); export it again`
  }
  if (pixels.length !== expected) {
    return `holds ${pixels.length < expected ? 'less' : 'more'} pixel data than its header's ${header.width} × ${header.height} pixels; export it again`
  }
  let at = 0
  for (const row of rows) {
    if (pixels.readUInt8(at) > 4) return 'is damaged (a row of pixels has an unknown filter type)'
    at += row
  }
  return undefined
}

function adam7Passes(width: number, height: number): RasterImage[] {
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ] as const
  return passes.map(([x, y, dx, dy]) => ({ width: Math.ceil(Math.max(0, width - x) / dx), height: Math.ceil(Math.max(0, height - y) / dy) }))
}

/** The image's size, or why the file is not a JPEG ortug can show: every segment is walked to the end marker. */
export function readJpeg(bytes: Buffer): RasterImage | string {
  let at = 2
  let size: RasterImage | undefined
  let scans = 0
  while (at < bytes.length) {
    if (bytes[at] !== 0xff) return `is damaged (byte ${at} should start a JPEG marker)`
    const marker = bytes[at + 1]
    if (marker === undefined) return 'is cut short (it ends inside a marker)'
    if (marker === 0xff) {
      at += 1
      continue
    }
    if (marker === 0xd9) {
      if (!size || scans === 0) return 'is damaged (it ends before its image data)'
      const after = bytes.length - at - 2
      return after === 0 ? size : `has ${after} bytes after its end marker; a logo file holds the image only`
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2
      continue
    }
    if (marker === 0xd8 || marker === 0x00) return `is damaged (unexpected marker 0x${marker.toString(16)} at byte ${at})`
    if (at + 4 > bytes.length) return 'is cut short (it ends inside a segment header)'
    const length = bytes.readUInt16BE(at + 2)
    if (length < 2 || at + 2 + length > bytes.length) return 'is cut short (a segment runs past the end of the file)'
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
    if (isFrame) {
      if (size) return 'is damaged (it has two frame headers)'
      const components = bytes[at + 9] ?? 0
      if (length < 8 || length !== 8 + 3 * components || components < 1 || components > 4) return 'is damaged (its frame header has the wrong length)'
      size = { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) }
      if (size.height === 0) return 'gives no height in its frame header, which browsers do not show; export it again'
    }
    at += 2 + length
    if (marker === 0xda) {
      if (!size) return 'is damaged (image data comes before the frame header)'
      scans += 1
      at = skipEntropyCoded(bytes, at)
    }
  }
  return 'is cut short (its end marker, FFD9, is missing)'
}

/** The offset of the next marker after entropy-coded data (where FF00 is a data byte and FFD0–FFD7 restart markers). */
function skipEntropyCoded(bytes: Buffer, from: number): number {
  let at = from
  for (;;) {
    at = bytes.indexOf(0xff, at)
    if (at < 0 || at + 1 >= bytes.length) return bytes.length
    const next = bytes.readUInt8(at + 1)
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7) || next === 0xff) at += next === 0xff ? 1 : 2
    else return at
  }
}

/** The image's size, or why the file is not a WebP ortug can show: the RIFF container and the bitstream's header. */
export function readWebp(bytes: Buffer): RasterImage | string {
  if (bytes.length < 20) return 'is cut short'
  const riffSize = bytes.readUInt32LE(4)
  if (riffSize + 8 !== bytes.length) {
    return riffSize + 8 > bytes.length
      ? 'is cut short (its RIFF size is larger than the file)'
      : `has ${bytes.length - riffSize - 8} bytes after its RIFF container; a logo file holds the image only`
  }
  const chunks: { type: string; body: Buffer }[] = []
  for (let at = 12; at < bytes.length; ) {
    if (at + 8 > bytes.length) return 'is damaged (a chunk header is incomplete)'
    const size = bytes.readUInt32LE(at + 4)
    if (size > bytes.length - at - 8) return 'is cut short (a chunk runs past the end of the file)'
    chunks.push({ type: bytes.toString('latin1', at, at + 4), body: bytes.subarray(at + 8, at + 8 + size) })
    at += 8 + size + (size % 2)
  }
  const [first] = chunks
  if (!first) return 'is damaged (it holds no image)'
  if (first.type !== 'VP8X') return readBitstream(first)
  if (first.body.length < 10) return 'is damaged (its extended header is cut short)'
  const canvas = { width: 1 + first.body.readUIntLE(4, 3), height: 1 + first.body.readUIntLE(7, 3) }
  const animated = (first.body.readUInt8(0) & 0x02) !== 0
  if (animated) return chunks.some((c) => c.type === 'ANMF') ? canvas : 'is damaged (an animation without frames)'
  const image = chunks.find((c) => c.type === 'VP8 ' || c.type === 'VP8L')
  if (!image) return 'is damaged (it holds no image data)'
  const inner = readBitstream(image)
  if (typeof inner === 'string') return inner
  return inner.width === canvas.width && inner.height === canvas.height
    ? canvas
    : `is damaged (its header says ${canvas.width} × ${canvas.height} pixels, its image is ${inner.width} × ${inner.height})`
}

function readBitstream({ type, body }: { type: string; body: Buffer }): RasterImage | string {
  if (type === 'VP8 ') {
    // A key frame: frame tag (3 bytes), start code 9D 01 2A, 14-bit width and height.
    if (body.length < 10 || (body.readUInt8(0) & 1) !== 0 || body[3] !== 0x9d || body[4] !== 0x01 || body[5] !== 0x2a)
      return 'is damaged (its VP8 image has no key frame header)'
    const partition = body.readUIntLE(0, 3) >>> 5
    if (partition > body.length - 10) return 'is cut short (its VP8 image data is incomplete)'
    return { width: body.readUInt16LE(6) & 0x3fff, height: body.readUInt16LE(8) & 0x3fff }
  }
  if (type === 'VP8L') {
    if (body.length < 5 || body[0] !== 0x2f) return 'is damaged (its lossless image has no signature)'
    const bits = body.readUInt32LE(1)
    if (bits >>> 29 !== 0) return 'is damaged (its lossless image has an unknown version)'
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 }
  }
  return `is damaged (its first chunk is "${clean(type)}", not an image)`
}

/** A chunk type as it may be shown: four printable characters, or their codes. */
function clean(type: string): string {
  return /^[\x20-\x7e]{4}$/.test(type) ? type : [...type].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join(' ')
}
