import { strFromU8, strToU8, unzipSync, type Zippable, zipSync } from 'fflate'
import PptxGenJSModule from 'pptxgenjs'
import { GROW_ZOOM } from '../../plan/fit.ts'
import { fail } from '../../shared/error.ts'
import type { Deck, Slide } from '../../shared/types.ts'
import { notesText } from '../markdown.ts'
import { drawerOf, type LayoutContext, MASTERS, type MasterName, masterOf, type PptxImages } from './layouts.ts'
import { centreVertically, type Drawn, fitSlide, MARGIN_X, NEUTRALS, type Palette, type Shape, slideSize } from './shapes.ts'
import { BULLET_INDENT_EM, countLines, measureHeight, type PptxFonts, type Run, type TextSpec } from './text-fit.ts'

// A planned, fitted deck as a native PowerPoint file: one slide master with named layouts in
// the office's colours, every slide's fields as editable text boxes sized by the font's widths,
// the notes of the HTML deck, and the deck's properties. Pure: deck, fonts and images in, bytes out.

/** Calibri: on every Windows and macOS Office install; measured with Carlito, its metric twin. */
export const PPTX_FONT = 'Calibri'
/** Footer and slide number, as the theme's 18 px footer. */
const FOOTER_SIZE = 13.5
/** The empty layout every deck also has. */
export const BLANK_LAYOUT = 'Kosong'

export interface PptxInput {
  deck: Deck
  fonts: PptxFonts
  images: PptxImages
  /** The file's creation date (the deck's sourceDate), so the same inputs make the same bytes. */
  date: Date
}

export async function renderPptx({ deck, fonts, images, date }: PptxInput): Promise<Uint8Array> {
  const { office, essay } = deck
  const pptx = new PptxGenJS()
  const size = slideSize(office.aspect)
  pptx.defineLayout({ name: `ortug ${office.aspect}`, width: size.w, height: size.h })
  pptx.layout = `ortug ${office.aspect}`
  pptx.title = essay.meta.title
  pptx.author = essay.meta.author
  pptx.subject = `${essay.meta.title} — ${office.name}`
  // pptxgenjs writes the company into docProps/app.xml as it is (its other properties are escaped, or ours: coreXml).
  pptx.company = escapeXml(office.name)
  pptx.theme = { headFontFace: PPTX_FONT, bodyFontFace: PPTX_FONT }
  const palette: Palette = { primary: hex(office.colors.primary), accent: hex(office.colors.accent) }
  const lang = languageTag(essay.meta.lang)
  defineMasters(pptx, size, palette, lang)
  deck.slides.forEach((slide, index) => {
    const context: LayoutContext = { deck, slide, size, palette, fonts, images }
    const drawn = drawSlide(context)
    if (!drawn)
      fail(
        'CONTENT',
        `${office.id} / ${essay.slug} / slide ${index + 1} (${slide.layout}, "${slide.title}"): does not fit the PowerPoint slide even at the smallest type`,
      )
    const master = masterOf(slide)
    const target = pptx.addSlide({ masterName: master })
    for (const shape of drawn.shapes) addShape(target, shape, lang)
    const footer = footerOf(deck, slide, master)
    if (footer) addShape(target, footerShape(footer, size, master === MASTERS.content ? NEUTRALS.muted : NEUTRALS.white, fonts), lang)
    target.addNotes(xmlSafe(notesText(slide, index, deck.slides.length)))
  })
  // Stored, not deflated: finishPackage compresses each part once.
  const written = await pptx.write({ outputType: 'uint8array', compression: false })
  if (!(written instanceof Uint8Array)) fail('ENVIRONMENT', 'pptxgenjs wrote no bytes for a "uint8array" output')
  return finishPackage(written, deck, date)
}

// --- internal ---

// pptxgenjs's types declare an ES default export on a package Node loads as CommonJS: under
// NodeNext the class is the default's `.default`; at run time (ESM build, or the bundle) it is the default.
const PptxGenJS = pptxClass(PptxGenJSModule.default ?? PptxGenJSModule)
type PptxClass = typeof PptxGenJSModule.default
type Pptx = InstanceType<PptxClass>
type PptxSlide = ReturnType<Pptx['addSlide']>

type Size = { w: number; h: number }

function pptxClass(loaded: unknown): PptxClass {
  if (!isClass(loaded)) throw new Error('pptxgenjs: the module exports no class')
  return loaded
}

function isClass(value: unknown): value is PptxClass {
  return typeof value === 'function'
}

/** Layouts that centre themselves (or are never balanced): the fit check's larger type only. */
const SELF_CENTRED = new Set(['quote', 'question', 'statement', 'title', 'section', 'closing'])

/** The slide at the largest type that fits, from the HTML's: a slide the fit check balanced (grow-N) is larger and centred. */
function drawSlide(context: LayoutContext): Drawn | undefined {
  const { slide } = context
  const grow = slide.fields.grow
  const drawn = fitSlide((scale) => drawerOf(slide)(context, scale), GROW_ZOOM[grow] ?? 1)
  return drawn && grow > 0 && !SELF_CENTRED.has(slide.layout) ? centreVertically(drawn) : drawn
}

/** The text's language for spelling and hyphenation: `id` → `id-ID`, as Office names it. */
function languageTag(lang: string): string {
  // Checked when the essay is read; written into an attribute, so checked again here.
  if (!RE_LANGUAGE_TAG.test(lang)) return 'id-ID'
  return lang === 'id' ? 'id-ID' : lang
}

const RE_LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/
/** Characters XML 1.0 cannot hold: PowerPoint would offer to repair the file. Content checks refuse them; this keeps the package valid whatever comes. */
const RE_NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g

function xmlSafe(text: string): string {
  return text.replace(RE_NOT_XML, '')
}

function hex(color: string): string {
  return color.replace('#', '').toUpperCase()
}

/** "Office · part" on the slides of a part, the office alone elsewhere; none on title and closing slides. */
function footerOf({ office }: Deck, slide: Slide, master: MasterName): string | undefined {
  if (master === MASTERS.title || master === MASTERS.closing) return undefined
  const part = slide.fields.part
  return part?.heading ? `${office.name} · ${part.heading}` : office.name
}

/** The footer on one line: smaller type for a long office name and part, down to 9 pt; below that it wraps upwards. */
function footerShape(text: string, size: Size, color: string, fonts: PptxFonts): Shape {
  const w = size.w - 2 * MARGIN_X - 1.2
  const line: Run[] = [{ text }]
  const spec: TextSpec = { paragraphs: [line], size: FOOTER_SIZE, min: 9, color }
  const fitting = [FOOTER_SIZE, 12, 10.5, 9].find((points) => countLines(line, w, points, fonts) === 1) ?? 9
  const h = Math.max(0.34, measureHeight(spec, w, fitting, fonts))
  return { kind: 'text', name: 'Kaki', spec, size: fitting, x: MARGIN_X, y: size.h - 0.28 - h, w, h }
}

function addShape(slide: PptxSlide, shape: Shape, lang: string): void {
  const place = { x: shape.x, y: shape.y, w: shape.w, h: shape.h }
  if (shape.kind === 'image') {
    slide.addImage({ ...place, data: shape.data, altText: shape.name })
  } else if (shape.kind !== 'text') {
    slide.addShape(shape.kind === 'rect' ? 'rect' : 'ellipse', { ...place, fill: { color: shape.color }, line: { type: 'none' } })
  } else {
    const { spec, size } = shape
    const bullet =
      spec.list === 'number'
        ? { type: 'number' as const, numberStartAt: spec.start ?? 1, indent: BULLET_INDENT_EM * size }
        : spec.list
          ? { indent: BULLET_INDENT_EM * size }
          : false
    const runs = spec.paragraphs.flatMap((paragraph) =>
      paragraph.map((run, i) => ({
        text: xmlSafe(run.text),
        options: {
          bold: run.bold ?? spec.bold,
          italic: run.italic ?? spec.italic,
          color: run.color ?? spec.color,
          breakLine: i === paragraph.length - 1,
          bullet,
          lang,
          paraSpaceAfter: (spec.paragraphGap ?? 0) * size,
        },
      })),
    )
    slide.addText(runs, {
      ...place,
      // A little more than the text needs: the measured height already holds every line.
      h: shape.h + 0.04,
      objectName: shape.name,
      margin: 0,
      valign: 'top',
      fontFace: PPTX_FONT,
      fontSize: size,
      color: spec.color,
      align: spec.align ?? 'left',
      lineSpacingMultiple: spec.lineSpacing ?? 1,
      fit: 'none',
    })
  }
}

/** One master, five named layouts: what a trainer's new slide picks up (background, bars, title and body in the office's look). */
function defineMasters(pptx: Pptx, size: Size, palette: Palette, lang: string): void {
  const { slideNumber, title, body, topBar } = masterParts(size, lang)
  const accentMark = { rect: { x: MARGIN_X, y: 0, w: 1.25, h: 0.0625, fill: { color: palette.accent }, line: { type: 'none' as const } } }
  pptx.defineSlideMaster({ title: MASTERS.title, background: { color: palette.primary }, objects: [title(NEUTRALS.white, 44, 2.4), body(NEUTRALS.white, 3.8)] })
  pptx.defineSlideMaster({
    title: MASTERS.content,
    background: { color: NEUTRALS.paper },
    objects: [topBar(palette.primary), accentMark, title(palette.primary, 36, 0.7), body(NEUTRALS.ink, 2.0)],
    slideNumber: slideNumber(NEUTRALS.muted),
  })
  pptx.defineSlideMaster({
    title: MASTERS.divider,
    background: { color: palette.primary },
    objects: [title(NEUTRALS.white, 44, 2.6)],
    slideNumber: slideNumber(NEUTRALS.white),
  })
  pptx.defineSlideMaster({
    title: MASTERS.discussion,
    background: { color: NEUTRALS.ink },
    objects: [topBar(palette.accent), title(palette.accent, 27, 2.0), body(NEUTRALS.white, 3.2)],
    slideNumber: slideNumber(NEUTRALS.white),
  })
  pptx.defineSlideMaster({
    title: MASTERS.closing,
    background: { color: palette.primary },
    objects: [title(NEUTRALS.white, 44, 2.4), body(NEUTRALS.white, 3.8)],
  })
}

/** The pieces the masters are made of: slide number, title and body placeholders, the bar along the top. */
function masterParts(size: Size, lang: string) {
  const width = size.w - 2 * MARGIN_X
  const text = { x: MARGIN_X, w: width, fontFace: PPTX_FONT, valign: 'top' as const, margin: 0, lang }
  return {
    slideNumber: (color: string) => ({
      x: size.w - MARGIN_X - 1,
      y: size.h - 0.62,
      w: 1,
      h: 0.34,
      color,
      fontFace: PPTX_FONT,
      fontSize: FOOTER_SIZE,
      align: 'right' as const,
    }),
    title: (color: string, fontSize: number, y: number) => ({
      placeholder: { options: { name: 'title', type: 'title' as const, ...text, y, h: 1.2, fontSize, bold: true, color }, text: 'Klik untuk menambah judul' },
    }),
    body: (color: string, y: number) => ({
      placeholder: { options: { name: 'body', type: 'body' as const, ...text, y, h: size.h - y - 1.0, fontSize: 24, color }, text: 'Klik untuk menambah teks' },
    }),
    topBar: (color: string) => ({ rect: { x: 0, y: 0, w: size.w, h: 0.125, fill: { color }, line: { type: 'none' as const } } }),
  }
}

/** The package with ortug's core properties (language, a fixed date) and every entry dated alike: equal inputs, equal bytes. */
function finishPackage(bytes: Uint8Array, { office, essay }: Deck, date: Date): Uint8Array {
  const files = unzipSync(bytes)
  // pptxgenjs's own blank layout: named in the deck's language, beside the office's layouts.
  const blank = 'ppt/slideLayouts/slideLayout1.xml'
  if (files[blank]) files[blank] = strToU8(strFromU8(files[blank]).replace('<p:cSld name="DEFAULT">', `<p:cSld name="${BLANK_LAYOUT}">`))
  files['docProps/core.xml'] = strToU8(coreXml(essay.meta.title, `${essay.meta.title} — ${office.name}`, essay.meta.author, essay.meta.lang, date))
  const mtime = new Date(Math.max(date.getTime(), Date.UTC(1980, 0, 2)))
  const entries: Zippable = {}
  // [Content_Types].xml first, as Office writes it.
  const names = Object.keys(files).sort((a, b) => Number(b === '[Content_Types].xml') - Number(a === '[Content_Types].xml') || a.localeCompare(b))
  // Folder entries are not parts of the package: PowerPoint never writes them.
  for (const name of names) {
    const file = files[name]
    if (file && !name.endsWith('/')) entries[name] = [file, { mtime, level: name.startsWith('ppt/media/') ? 0 : 6 }]
  }
  return zipSync(entries)
}

function escapeXml(text: string): string {
  const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }
  return xmlSafe(text).replace(/[&<>"']/g, (c) => entities[c] ?? c)
}

function coreXml(title: string, subject: string, author: string, lang: string, date: Date): string {
  const when = date.toISOString().replace(/\.\d{3}Z$/, 'Z')
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<dc:title>${escapeXml(title)}</dc:title><dc:subject>${escapeXml(subject)}</dc:subject><dc:creator>${escapeXml(author)}</dc:creator>` +
    `<dc:language>${escapeXml(lang)}</dc:language><cp:lastModifiedBy>ortug</cp:lastModifiedBy><cp:revision>1</cp:revision>` +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${when}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${when}</dcterms:modified>` +
    '</cp:coreProperties>'
  )
}
