import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { PDFDocument, PDFHexString, PDFName } from 'pdf-lib'
import { finalizePdf, type PdfInfo } from '../src/browser/pdf.ts'
import { median, round } from './report.ts'

// Why ortug finishes PDFs with an incremental update rather than pdf-lib: both ways, on the PDFs
// of a cold build, in this process (pdf-lib already loaded, so its start-up is not counted).

const INFO: PdfInfo = { title: 'Judul', author: 'Penulis', subject: 'KPU', lang: 'id', date: new Date('2026-11-29T02:40:00Z') }

export interface PdfFinishing {
  pdfs: number
  /** Median milliseconds per PDF. */
  incrementalMs: number
  pdfLibMs: number
  ratio: number
}

export async function measurePdfFinishing(outDir: string, offices: readonly string[]): Promise<PdfFinishing> {
  const files: string[] = []
  for (const office of offices) {
    for (const name of await readdir(path.join(outDir, office))) if (name.endsWith('.pdf')) files.push(path.join(outDir, office, name))
  }
  const incremental: number[] = []
  const rewritten: number[] = []
  for (const file of files) {
    const bytes = new Uint8Array(await readFile(file))
    const pages = (await PDFDocument.load(bytes, { updateMetadata: false })).getPageCount()
    const outline = Array.from({ length: pages }, (_, i) => `Slide ${i + 1}`)
    let started = performance.now()
    await finalizePdf(bytes, { ...INFO, outline, expectedPages: pages }, file)
    incremental.push(performance.now() - started)
    started = performance.now()
    await rewriteWithPdfLib(bytes, outline)
    rewritten.push(performance.now() - started)
  }
  const incrementalMs = median(incremental)
  const pdfLibMs = median(rewritten)
  return { pdfs: files.length, incrementalMs: round(incrementalMs, 2), pdfLibMs: round(pdfLibMs, 2), ratio: round(pdfLibMs / incrementalMs, 1) }
}

/** What ortug did before: load the whole file, set the same fields and outline, save it again. */
async function rewriteWithPdfLib(bytes: Uint8Array, outline: readonly string[]): Promise<Uint8Array> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false })
  doc.setTitle(INFO.title, { showInWindowTitleBar: true })
  doc.setAuthor(INFO.author)
  doc.setLanguage(INFO.lang)
  doc.setProducer('ortug')
  const pageRefs = doc.getPages().map((page) => page.ref)
  const rootRef = doc.context.nextRef()
  const refs = outline.map(() => doc.context.nextRef())
  refs.forEach((ref, i) => {
    const links = { ...(i > 0 ? { Prev: refs[i - 1] } : {}), ...(i < refs.length - 1 ? { Next: refs[i + 1] } : {}) }
    doc.context.assign(ref, doc.context.obj({ Title: PDFHexString.fromText(outline[i] as string), Parent: rootRef, ...links, Dest: [pageRefs[i], 'Fit'] }))
  })
  doc.context.assign(rootRef, doc.context.obj({ Type: 'Outlines', First: refs[0], Last: refs.at(-1), Count: refs.length }))
  doc.catalog.set(PDFName.of('Outlines'), rootRef)
  return doc.save({ useObjectStreams: true })
}
