import { crc32, deflateSync } from 'node:zlib'

// Small real images made in memory, for the logo checks (src/content/raster.ts reads a file
// through to its end, so a header alone is no longer an image).

function pngChunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(body.length, 0)
  head.write(type, 4, 'latin1')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0)
  return Buffer.concat([head, body, crc])
}

/** A grey 8-bit PNG of that size; `pixels` overrides the rows (filter byte + one byte a pixel) that get compressed. */
export function makePng(width: number, height: number, options: { pixels?: Buffer; after?: Buffer } = {}): Buffer {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8
  header[9] = 0
  const rows = options.pixels ?? Buffer.alloc(height * (1 + width))
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
    options.after ?? Buffer.alloc(0),
  ])
}

/** SOI, APP0, a baseline frame header, a scan of a few data bytes (with a stuffed FF00), EOI. */
export function makeJpeg(width: number, height: number, options: { after?: Buffer } = {}): Buffer {
  const sof = Buffer.from([0xff, 0xc0, 0, 11, 8, 0, 0, 0, 0, 1, 1, 0x11, 0])
  sof.writeUInt16BE(height, 5)
  sof.writeUInt16BE(width, 7)
  const sos = Buffer.from([0xff, 0xda, 0, 8, 1, 1, 0, 0, 0x3f, 0])
  return Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0]),
    sof,
    sos,
    Buffer.from([0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56]),
    Buffer.from([0xff, 0xd9]),
    options.after ?? Buffer.alloc(0),
  ])
}

/** An extended WebP (VP8X) holding a lossless image (VP8L header) of the same size. */
export function makeWebp(width: number, height: number): Buffer {
  const vp8x = Buffer.alloc(18)
  vp8x.write('VP8X', 0, 'latin1')
  vp8x.writeUInt32LE(10, 4)
  vp8x.writeUIntLE(width - 1, 12, 3)
  vp8x.writeUIntLE(height - 1, 15, 3)
  const vp8l = Buffer.alloc(14)
  vp8l.write('VP8L', 0, 'latin1')
  vp8l.writeUInt32LE(6, 4)
  vp8l[8] = 0x2f
  vp8l.writeUInt32LE(((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14), 9)
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), vp8x, vp8l])
  const riff = Buffer.alloc(8)
  riff.write('RIFF', 0, 'latin1')
  riff.writeUInt32LE(body.length, 4)
  return Buffer.concat([riff, body])
}
