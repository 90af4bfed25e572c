import { cp, mkdir, utimes } from 'node:fs/promises'
import path from 'node:path'
import { PDFDict, PDFDocument, PDFHexString, PDFName, PDFString } from 'pdf-lib'
import { describe, expect, it } from 'vitest'
import { resolveBrowser } from '../../src/browser/launch.ts'
import { finalizePdf, type PdfInfo, resolveSourceDate } from '../../src/browser/pdf.ts'
import { FIT_CACHE } from '../../src/output/fit-cache.ts'
import { OrtugError } from '../../src/shared/error.ts'
import { makeProject, readPdf, removeProject, runExpecting } from '../helpers.ts'

// finalizePdf appends an incremental update to PDFs with cross-reference tables (what Chromium
// writes); the result must read back the same in two independent readers, pdf-lib and pdf.js
// (unpdf), the readers the tests and most viewers use.

const INFO: PdfInfo = {
  title: 'Ortug KPU Jabar: Titik Awal · “Integritas”',
  author: 'Ade Ayu Puspitasari',
  subject: 'KPU Kota Bandung (uji) \\ (kurung)',
  lang: 'id',
  outline: ['Pembuka', 'Integritas — Nilai', 'Penutup 🙂'],
  expectedPages: 3,
  date: new Date('2026-11-29T02:40:05Z'),
}

/** A three-page PDF as a browser would write it: a cross-reference table (or a stream, with pdf-lib's object streams). */
async function samplePdf({ objectStreams = false, date = new Date('2026-11-28T04:38:42Z') } = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false })
  for (let i = 0; i < 3; i++) doc.addPage([960, 540]).drawText(`Halaman ${i + 1}`, { x: 40, y: 400, size: 30 })
  doc.setTitle('Judul peramban')
  doc.setProducer('Skia/PDF m143')
  doc.setCreationDate(date)
  doc.setModificationDate(date)
  return doc.save({ useObjectStreams: objectStreams })
}

function text(value: unknown): string | undefined {
  return value instanceof PDFHexString || value instanceof PDFString ? value.decodeText() : undefined
}

/** What pdf-lib and pdf.js read back: metadata, language, outline titles and the pages they point to. */
async function readBack(bytes: Uint8Array) {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false })
  const { getDocumentProxy, getMeta } = await import('unpdf')
  const pdf = await getDocumentProxy(bytes.slice())
  const { info } = await getMeta(pdf)
  const outline = (await pdf.getOutline()) ?? []
  const targets = await Promise.all(outline.map(async (item) => pdf.getPageIndex((item.dest as [{ num: number; gen: number }])[0])))
  return {
    pdfLib: {
      title: doc.getTitle(),
      author: doc.getAuthor(),
      subject: doc.getSubject(),
      producer: doc.getProducer(),
      creator: doc.getCreator(),
      created: doc.getCreationDate()?.toISOString(),
      lang: text(doc.catalog.get(PDFName.of('Lang'))),
      pageMode: doc.catalog.get(PDFName.of('PageMode'))?.toString(),
      outlineCount: doc.catalog.lookupMaybe(PDFName.of('Outlines'), PDFDict)?.get(PDFName.of('Count'))?.toString(),
      pages: doc.getPageCount(),
    },
    pdfjs: {
      title: info.Title,
      author: info.Author,
      subject: info.Subject,
      language: info.Language,
      pages: pdf.numPages,
      outline: outline.map((o) => o.title),
      targets,
    },
  }
}

const EXPECTED = {
  pdfLib: {
    title: INFO.title,
    author: INFO.author,
    subject: INFO.subject,
    producer: 'ortug',
    creator: 'ortug',
    created: '2026-11-29T02:40:05.000Z',
    lang: 'id',
    pageMode: '/UseOutlines',
    outlineCount: '3',
    pages: 3,
  },
  pdfjs: { title: INFO.title, author: INFO.author, subject: INFO.subject, language: 'id', pages: 3, outline: INFO.outline, targets: [0, 1, 2] },
}

describe('finalizePdf', () => {
  it('adds metadata, language and outline to a PDF with a cross-reference table, keeping its bytes in front', async () => {
    const original = await samplePdf()
    expect(Buffer.from(original).toString('latin1')).toMatch(/\nxref\n/)
    const finished = await finalizePdf(original, INFO, 'uji')
    expect(await readBack(finished)).toEqual(EXPECTED)
    // An incremental update: the browser's objects are untouched (only its dates are fixed in place).
    expect(finished.byteLength).toBeGreaterThan(original.byteLength)
    const head = Buffer.from(finished.subarray(0, original.byteLength)).toString('latin1')
    expect(head.replace(/D:\d{14}/g, 'D:x')).toBe(
      Buffer.from(original)
        .toString('latin1')
        .replace(/D:\d{14}/g, 'D:x'),
    )
  })

  it('refuses a PDF with a cross-reference stream (no browser writes one), naming it and what to do', async () => {
    const original = await samplePdf({ objectStreams: true })
    expect(Buffer.from(original).toString('latin1')).not.toMatch(/\nxref\n/)
    const error = await finalizePdf(original, INFO, 'kota-uji / esai').catch((e: OrtugError) => e)
    expect(error).toBeInstanceOf(OrtugError)
    expect((error as OrtugError).kind).toBe('ENVIRONMENT')
    expect((error as OrtugError).message).toBe(
      'kota-uji / esai: the browser wrote a PDF without a cross-reference table, which ortug cannot finish; run "ortug doctor" and report the browser it names',
    )
  })

  it('is byte-identical for the same pages, whenever the browser printed them', async () => {
    const first = await finalizePdf(await samplePdf({ date: new Date('2026-11-28T04:38:42Z') }), INFO, 'uji')
    const second = await finalizePdf(await samplePdf({ date: new Date('2027-01-11T09:00:00Z') }), INFO, 'uji')
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true)
  })

  it('finishes an already finished PDF again (a chain of updates)', async () => {
    const once = await finalizePdf(await samplePdf(), INFO, 'uji')
    const twice = await finalizePdf(once, { ...INFO, title: 'Judul baru', outline: ['A', 'B', 'C'] }, 'uji')
    const read = await readBack(twice)
    expect(read.pdfLib.title).toBe('Judul baru')
    expect(read.pdfjs.outline).toEqual(['A', 'B', 'C'])
    expect(read.pdfjs.targets).toEqual([0, 1, 2])
  })

  it('without an outline: metadata only, no outline', async () => {
    const read = await readBack(await finalizePdf(await samplePdf(), { ...INFO, outline: undefined }, 'uji'))
    expect(read.pdfLib.title).toBe(INFO.title)
    expect(read.pdfLib.outlineCount).toBeUndefined()
    expect(read.pdfjs.outline).toEqual([])
  })

  it('a page count other than expected is the environment failing, named', async () => {
    const error = await finalizePdf(await samplePdf(), { ...INFO, expectedPages: 4 }, 'kota-bandung / esai').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OrtugError)
    expect((error as OrtugError).kind).toBe('ENVIRONMENT')
    expect((error as OrtugError).message).toBe('kota-bandung / esai: the browser produced 3 pages instead of 4; the render was cut short')
  })
})

describe('the date of a PDF', () => {
  it('is SOURCE_DATE_EPOCH when set, whatever the files say', () => {
    expect(resolveSourceDate('1767225600', [Date.parse('2030-01-01T00:00:00Z')]).toISOString()).toBe('2026-01-01T00:00:00.000Z')
    expect(resolveSourceDate(' 1767225600\n', []).toISOString()).toBe('2026-01-01T00:00:00.000Z')
  })

  it('is otherwise the newest input, to the second, never 1970', () => {
    const mtimes = [Date.parse('2026-11-28T04:38:42.250Z'), Date.parse('2026-11-29T01:02:03.999Z'), 0, Number.NaN]
    expect(resolveSourceDate(undefined, mtimes).toISOString()).toBe('2026-11-29T01:02:03.000Z')
    expect(resolveSourceDate('', mtimes).toISOString()).toBe('2026-11-29T01:02:03.000Z')
    const error = (() => {
      try {
        return resolveSourceDate(undefined, [0])
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(OrtugError)
    expect((error as OrtugError).message).toMatch(/set SOURCE_DATE_EPOCH/)
  })

  it('refuses a SOURCE_DATE_EPOCH that is not whole seconds, saying what is allowed', () => {
    for (const value of ['yesterday', '-5', '1.5', '99999999999999']) {
      const error = (() => {
        try {
          return resolveSourceDate(value, [])
        } catch (e) {
          return e
        }
      })() as OrtugError
      expect(error).toBeInstanceOf(OrtugError)
      expect(error.kind).toBe('USAGE')
      expect(error.message).toContain(`SOURCE_DATE_EPOCH is "${value}"; it must be a whole number of seconds since 1970-01-01 UTC`)
    }
  })

  it("replaces the browser's own dates too, in place", async () => {
    const finished = await finalizePdf(await samplePdf({ date: new Date('2026-11-28T04:38:42Z') }), INFO, 'uji')
    const text = Buffer.from(finished).toString('latin1')
    expect(text).not.toContain('D:20261128')
    expect(text.match(/D:20261129024005/g)?.length).toBeGreaterThanOrEqual(4)
  })
})

const inUse = await resolveBrowser().catch(() => undefined)

describe.skipIf(!inUse)(`PDF dates from a real build (${inUse ? inUse.executablePath : 'no browser: skipped'})`, () => {
  it('date the PDF and the handout by the newest input, or by SOURCE_DATE_EPOCH; the same inputs give the same bytes', async () => {
    const dir = await makeProject({ offices: ['kota-bogor'] })
    try {
      const essay = path.join(dir, 'content', 'essays', 'ortug-kpu-jabar.md')
      const newest = new Date('2030-05-06T07:08:09Z')
      await utimes(essay, newest, newest)
      const args = ['build', '--office', 'kota-bogor', '--format', 'pdf,handout', '--quiet', '--timeout', '120']
      const env = { ...process.env, SOURCE_DATE_EPOCH: '' }
      await runExpecting(0, [...args, '--out', 'a'], dir, env)
      await runExpecting(0, [...args, '--out', 'b'], dir, env)
      const files = ['ortug-kpu-jabar.pdf', 'ortug-kpu-jabar-handout.pdf']
      for (const file of files) {
        const pdf = await readPdf(path.join(dir, 'a', 'kota-bogor', file))
        expect(pdf.info.CreationDate, file).toBe('D:20300506070809Z')
        expect(pdf.info.ModDate, file).toBe('D:20300506070809Z')
        const again = await readPdf(path.join(dir, 'b', 'kota-bogor', file))
        expect(again.info.CreationDate).toBe(pdf.info.CreationDate)
      }
      const { readFile } = await import('node:fs/promises')
      for (const file of files) {
        expect(Buffer.compare(await readFile(path.join(dir, 'a', 'kota-bogor', file)), await readFile(path.join(dir, 'b', 'kota-bogor', file))), file).toBe(0)
      }
      // Only the date changes from here on: c starts with a's fit cache, so its build measures nothing again.
      await mkdir(path.join(dir, 'c', '.ortug-cache'), { recursive: true })
      await cp(path.join(dir, 'a', FIT_CACHE), path.join(dir, 'c', FIT_CACHE))
      await runExpecting(0, [...args, '--out', 'c'], dir, { ...process.env, SOURCE_DATE_EPOCH: '1767225600' })
      for (const file of files) expect((await readPdf(path.join(dir, 'c', 'kota-bogor', file))).info.CreationDate, file).toBe('D:20260101000000Z')
      const refused = await runExpecting(2, [...args, '--out', 'd'], dir, { ...process.env, SOURCE_DATE_EPOCH: 'kemarin' })
      expect(refused.stderr).toContain('SOURCE_DATE_EPOCH is "kemarin"')
    } finally {
      await removeProject(dir)
    }
  })
})
