import { PDFDict, PDFDocument, PDFHexString, PDFName, PDFString } from 'pdf-lib'
import { describe, expect, it } from 'vitest'
import { OrtugError } from '../src/error.ts'
import { finalizePdf, type PdfInfo } from '../src/pdf.ts'

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
    created: '1970-01-01T00:00:00.000Z',
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
