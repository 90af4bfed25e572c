import { PDFDocument, PDFHexString, PDFName, type PDFRef } from 'pdf-lib'
import { fail } from './error.ts'

export interface PdfInfo {
  title: string
  author: string
  subject?: string
  lang: string
  /** One entry per page, in order: the outline (bookmarks). */
  outline?: string[]
  /** The page count the PDF must have; anything else means the render went wrong. */
  expectedPages?: number
}

export const PRODUCER = 'ortug'

/** Sets metadata, language and a one-level outline; verifies the page count. */
export async function finalizePdf(bytes: Uint8Array, info: PdfInfo, what: string): Promise<Uint8Array> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false })
  const pages = doc.getPageCount()
  if (info.expectedPages !== undefined && pages !== info.expectedPages) {
    fail('ENVIRONMENT', `${what}: the browser produced ${pages} pages instead of ${info.expectedPages}; the render was cut short`)
  }
  const date = new Date(0)
  doc.setTitle(info.title, { showInWindowTitleBar: true })
  doc.setAuthor(info.author)
  if (info.subject) doc.setSubject(info.subject)
  doc.setLanguage(info.lang)
  doc.setCreator(PRODUCER)
  doc.setProducer(PRODUCER)
  // A fixed date keeps rebuilt PDFs byte-identical when nothing changed.
  doc.setCreationDate(date)
  doc.setModificationDate(date)
  if (info.outline) setOutline(doc, info.outline)
  return doc.save({ useObjectStreams: true })
}

/** Flat outline, one bookmark per page (after marp-cli's src/utils/pdf.ts). */
function setOutline(doc: PDFDocument, titles: readonly string[]): void {
  const pageRefs = doc.getPages().map((page) => page.ref)
  const count = Math.min(titles.length, pageRefs.length)
  if (count === 0) return
  const rootRef = doc.context.nextRef()
  const refs: PDFRef[] = Array.from({ length: count }, () => doc.context.nextRef())
  refs.forEach((ref, i) => {
    doc.context.assign(
      ref,
      doc.context.obj({
        Title: PDFHexString.fromText(titles[i] as string),
        Parent: rootRef,
        ...(i > 0 ? { Prev: refs[i - 1] } : {}),
        ...(i < count - 1 ? { Next: refs[i + 1] } : {}),
        Dest: [pageRefs[i], 'Fit'],
      }),
    )
  })
  doc.context.assign(rootRef, doc.context.obj({ Type: 'Outlines', First: refs[0], Last: refs[count - 1], Count: count }))
  doc.catalog.set(PDFName.of('Outlines'), rootRef)
  doc.catalog.set(PDFName.of('PageMode'), PDFName.of('UseOutlines'))
}
