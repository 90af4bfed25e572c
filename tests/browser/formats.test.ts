import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { inflateRawSync } from 'node:zlib'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeProject, removeProject, runExpecting, seedParagraphs } from '../helpers.ts'

/** The files of a zip archive (enough of the format for PPTX: stored or deflated entries). */
function unzip(bytes: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  const end = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  let offset = bytes.readUInt32LE(end + 16)
  const count = bytes.readUInt16LE(end + 10)
  for (let i = 0; i < count; i++) {
    const method = bytes.readUInt16LE(offset + 10)
    const size = bytes.readUInt32LE(offset + 20)
    const nameLength = bytes.readUInt16LE(offset + 28)
    const extra = bytes.readUInt16LE(offset + 30) + bytes.readUInt16LE(offset + 32)
    const local = bytes.readUInt32LE(offset + 42)
    const name = bytes.toString('utf8', offset + 46, offset + 46 + nameLength)
    const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28)
    const data = bytes.subarray(start, start + size)
    files.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data))
    offset += 46 + nameLength + extra
  }
  return files
}

describe('image and PowerPoint formats', () => {
  let dir: string
  let out: string
  let slides: number

  beforeAll(async () => {
    dir = await makeProject({ offices: ['kota-bandung'] })
    out = path.join(dir, 'dist', 'kota-bandung')
    const result = await runExpecting(0, ['build', '--format', 'md,png,overview,pptx'], dir)
    expect(result.stderr).not.toContain('error')
    slides = (await readFile(path.join(out, 'ortug-kpu-jabar.md'), 'utf8')).split(/\n---\n/).length - 1
  })
  afterAll(() => removeProject(dir))

  it('--format png writes every slide as a 1280 x 720 PNG', async () => {
    const pngs = (await readdir(out)).filter((f) => /^ortug-kpu-jabar\.\d{3}\.png$/.test(f)).sort()
    expect(pngs).toHaveLength(slides)
    for (const file of [pngs[0], pngs.at(-1)] as string[]) {
      const png = PNG.sync.read(await readFile(path.join(out, file)))
      expect([png.width, png.height]).toEqual([1280, 720])
    }
  })

  it('--format overview writes one contact sheet with every slide in a grid', async () => {
    const png = PNG.sync.read(await readFile(path.join(out, 'ortug-kpu-jabar-overview.png')))
    const rows = Math.ceil(slides / 4)
    expect(png.width).toBe(16 + 4 * (360 + 16))
    expect(png.height).toBeGreaterThanOrEqual(rows * (202 + 16))
  })

  it('--format pptx is a valid PowerPoint file with one slide per slide and the notes', async () => {
    const files = unzip(await readFile(path.join(out, 'ortug-kpu-jabar.pptx')))
    expect(files.get('[Content_Types].xml')?.toString()).toContain('presentationml')
    const slideFiles = [...files.keys()].filter((name) => /^ppt\/slides\/slide\d+\.xml$/.test(name))
    expect(slideFiles).toHaveLength(slides)
    const notes = [...files.entries()]
      .filter(([name]) => /^ppt\/notesSlides\/notesSlide\d+\.xml$/.test(name))
      .map(([, xml]) => xml.toString('utf8'))
      .join('\n')
    for (const paragraph of (await seedParagraphs()).slice(0, 2)) expect(notes).toContain(paragraph.slice(0, 60))
  })
})

type QrDecoder = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null

describe('closing slide QR code', () => {
  it('links to the office website, decoded from the rendered slide; the address stays plain text', async () => {
    const dir = await makeProject({ from: 'customized' })
    try {
      await runExpecting(0, ['build', '--format', 'html,png'], dir)
      const out = path.join(dir, 'dist', 'kota-contoh')
      const images = (await readdir(out)).filter((f) => f.endsWith('.png')).sort()
      const png = PNG.sync.read(await readFile(path.join(out, images.at(-1) as string)))
      // jsqr is CommonJS: its function is module.exports (or .default, depending on the loader).
      const jsqr = (await import('jsqr')) as unknown as { default: QrDecoder & { default?: QrDecoder } }
      const jsQR = jsqr.default.default ?? jsqr.default
      const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)
      expect(code?.data).toBe('https://example.org')
      const html = await readFile(path.join(out, 'esai-contoh.html'), 'utf8')
      expect(html).toContain('https://example.org')
      expect(html).not.toMatch(/href="(https:\/\/example\.org|mailto:)/)
    } finally {
      await removeProject(dir)
    }
  })
})
