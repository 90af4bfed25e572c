import type { Deck, Slide } from '../../shared/types.ts'
import { formatDateIndonesian } from '../markdown.ts'
import { CONTENT_BOTTOM_GAP, CONTENT_TOP, type Drawn, MARGIN_X, NEUTRALS, type Palette, type Shape, Stack } from './shapes.ts'
import type { PptxFonts, Run, TextSpec } from './text-fit.ts'
import { drawAcronym, drawColumns, drawGrid } from './visual-layouts.ts'

// Each layout of the deck as PowerPoint shapes, after the look of the Marp theme
// (templates/theme/ortug.css): sizes are the theme's pixels × 0.75 in points.

/** The slide layouts of the master: a trainer's new slide in PowerPoint picks one of these names. */
export const MASTERS = { title: 'Judul', divider: 'Pembatas', content: 'Isi', discussion: 'Diskusi', closing: 'Penutup' } as const
export type MasterName = (typeof MASTERS)[keyof typeof MASTERS]

/** Images a deck shows, as data: URIs PowerPoint reads (PNG or JPEG). */
export interface PptxImages {
  logo?: string
  qr?: string
  /** Grid icons by name, white on transparent. */
  icons: ReadonlyMap<string, string>
}

export interface LayoutContext {
  deck: Deck
  slide: Slide
  size: { w: number; h: number }
  palette: Palette
  fonts: PptxFonts
  images: PptxImages
}

export type Draw = (context: LayoutContext, scale: number) => Drawn

/** The master layout each slide layout uses. */
export function masterOf(slide: Slide): MasterName {
  if (slide.layout === 'title') return MASTERS.title
  if (slide.layout === 'closing') return MASTERS.closing
  if (slide.layout === 'section') return MASTERS.divider
  if (slide.layout === 'question') return MASTERS.discussion
  return MASTERS.content
}

export function drawerOf(slide: Slide): Draw {
  switch (slide.layout) {
    case 'title':
      return drawTitle
    case 'closing':
      return drawClosing
    case 'section':
      return drawDivider
    case 'question':
      return drawQuestion
    case 'statement':
      return drawStatement
    case 'quote':
      return drawQuote
    case 'acronym':
      return drawAcronym
    case 'contrast':
    case 'pillars':
      return drawColumns
    case 'grid':
      return drawGrid
    case 'agenda':
    case 'points':
    case 'text':
      return drawBody
  }
}

/** A text spec of one paragraph per string. */
export function textSpec(paragraphs: readonly string[], spec: Omit<TextSpec, 'paragraphs'>): TextSpec {
  return { ...spec, paragraphs: paragraphs.map((text) => [{ text }]) }
}

/** The fields that hold one text (or null) in every layout. */
type TextField = 'title' | 'subtitle' | 'quote' | 'attribution' | 'question' | 'text'

export function field(slide: Slide, name: TextField): string | undefined {
  const value = slide.fields[name]
  return typeof value === 'string' && value.trim() !== '' ? value : undefined
}

/** Title and subtitle at the top of a content slide; the stack's `y` is where the body starts. */
export function drawHeading({ slide, size, palette, fonts }: LayoutContext, scale: number, title = field(slide, 'title')): Stack {
  const stack = new Stack(fonts, scale, MARGIN_X, size.w - 2 * MARGIN_X, CONTENT_TOP)
  const subtitle = field(slide, 'subtitle')
  if (title) stack.text('Judul', textSpec([title], { size: 36, min: 22, bold: true, color: palette.primary, lineSpacing: 0.95 }), subtitle ? 0.08 : 0.3)
  if (subtitle) stack.text('Subjudul', textSpec([subtitle], { size: 20, min: 14, bold: true, color: NEUTRALS.muted }), 0.25)
  return stack
}

/** The bottom of the content area of a content slide. */
export function contentBottom(size: { h: number }): number {
  return size.h - CONTENT_BOTTOM_GAP
}

// --- internal ---

const BODY: Omit<TextSpec, 'paragraphs'> = { size: 25.5, min: 13, color: NEUTRALS.ink, lineSpacing: 1.05, paragraphGap: 0.45 }

function drawBody(context: LayoutContext, scale: number): Drawn {
  const { slide, size } = context
  const stack = drawHeading(context, scale)
  if (slide.layout === 'agenda') {
    const items = slide.fields.items
    const paragraphs: Run[][] = items.map((item) => [{ text: item.term }, ...(item.text ? [{ text: `   ${item.text}`, color: NEUTRALS.muted }] : [])])
    stack.text('Agenda', { ...BODY, paragraphs, list: 'number', start: items[0]?.number, color: NEUTRALS.ink, paragraphGap: 0.35 })
  } else if (slide.layout === 'points') {
    stack.text('Poin', textSpec(slide.fields.points, { ...BODY, list: 'bullet' }))
  } else {
    stack.text('Teks', textSpec([field(slide, 'text') ?? ''], { ...BODY, size: 24, paragraphGap: 0.3, lineSpacing: 1.1 }))
  }
  return { shapes: stack.shapes, overflow: stack.y - contentBottom(size) }
}

function drawFilled(context: LayoutContext, scale: number, textWidth: number, build: (stack: Stack) => void): Drawn {
  const { size, fonts } = context
  const stack = new Stack(fonts, scale, MARGIN_X, textWidth, 0)
  build(stack)
  const space = size.h - 1.0
  stack.shift(0.5 + Math.max(0, (space - stack.y) / 2))
  return { shapes: stack.shapes, overflow: stack.y - (size.h - 0.5) }
}

function bigTitle(stack: Stack, text: string, palette: Palette): void {
  stack.text('Judul', textSpec([text], { size: 44, min: 24, bold: true, color: NEUTRALS.white, lineSpacing: 0.95 }), 0.25)
  stack.rect(palette.accent, 1.45, 0.08, 0.3)
}

function logoShape({ images, size }: LayoutContext): Shape[] {
  return images.logo ? [{ kind: 'image', name: 'Logo', data: images.logo, x: size.w - MARGIN_X - 1.25, y: 0.58, w: 1.25, h: 1.25 }] : []
}

function drawTitle(context: LayoutContext, scale: number): Drawn {
  const { deck, slide, size, palette } = context
  const { office, essay } = deck
  const session = office.session
  const sessionLine = [session?.date && formatDateIndonesian(session.date), session?.venue].filter(Boolean).join(' · ')
  const drawn = drawFilled(context, scale, size.w - 2 * MARGIN_X - 1.8, (stack) => {
    bigTitle(stack, field(slide, 'title') ?? essay.meta.title, palette)
    const subtitle = field(slide, 'subtitle')
    if (subtitle) stack.text('Subjudul', textSpec([subtitle], { size: 25.5, min: 16, bold: true, color: palette.accent }), 0.2)
    stack.text('Penulis', textSpec([essay.meta.author], { size: 21, min: 14, color: NEUTRALS.white }), 0.1)
    stack.text('Kantor', textSpec([office.name], { size: 24, min: 15, bold: true, color: palette.accent }), 0.08)
    if (sessionLine) stack.text('Sesi', textSpec([sessionLine], { size: 19, min: 13, color: NEUTRALS.white }), 0.05)
    if (session?.trainers?.length) stack.text('Pemateri', textSpec([`Pemateri: ${session.trainers.join(', ')}`], { size: 19, min: 13, color: NEUTRALS.white }))
  })
  return { ...drawn, shapes: [...logoShape(context), ...drawn.shapes] }
}

function drawClosing(context: LayoutContext, scale: number): Drawn {
  const { deck, slide, size, palette, images } = context
  const contact = deck.office.contact
  const qrSize = 2.08
  const textWidth = size.w - 2 * MARGIN_X - (images.qr ? qrSize + 0.4 : 1.8)
  const drawn = drawFilled(context, scale, textWidth, (stack) => {
    bigTitle(stack, field(slide, 'title') ?? 'Terima kasih', palette)
    const subtitle = field(slide, 'subtitle')
    if (subtitle) stack.text('Subjudul', textSpec([subtitle], { size: 25.5, min: 16, bold: true, color: palette.accent }), 0.2)
    stack.text('Kantor', textSpec([deck.office.name], { size: 24, min: 15, bold: true, color: palette.accent }), 0.1)
    const lines = [contact?.email, contact?.phone, contact?.website].filter((v): v is string => Boolean(v))
    if (lines.length > 0) stack.text('Kontak', textSpec(lines, { size: 21, min: 13, color: NEUTRALS.white, paragraphGap: 0.2 }))
  })
  const qr: Shape[] = images.qr
    ? [{ kind: 'image', name: 'Kode QR', data: images.qr, x: size.w - MARGIN_X - qrSize, y: size.h - 1.0 - qrSize, w: qrSize, h: qrSize }]
    : []
  return { ...drawn, shapes: [...logoShape(context), ...qr, ...drawn.shapes] }
}

function drawDivider(context: LayoutContext, scale: number): Drawn {
  const { slide, size, palette } = context
  return drawFilled(context, scale, size.w - 2 * MARGIN_X, (stack) => {
    bigTitle(stack, field(slide, 'title') ?? '', palette)
    const subtitle = field(slide, 'subtitle')
    if (subtitle) stack.text('Subjudul', textSpec([subtitle], { size: 25.5, min: 16, bold: true, color: palette.accent }), 0.2)
    const text = field(slide, 'text')
    if (text) stack.text('Teks', textSpec([text], { size: 22.5, min: 13, color: NEUTRALS.white, lineSpacing: 1.05 }))
  })
}

function drawQuestion(context: LayoutContext, scale: number): Drawn {
  const { slide, size, palette } = context
  return drawFilled(context, scale, size.w - 2 * MARGIN_X, (stack) => {
    const centred = { align: 'center' as const, bold: true }
    stack.text('Judul', textSpec([field(slide, 'title') ?? 'Diskusi'], { ...centred, size: 24, min: 16, color: palette.accent }), 0.35)
    stack.text('Pertanyaan', textSpec([field(slide, 'question') ?? ''], { ...centred, size: 36, min: 18, color: NEUTRALS.white, lineSpacing: 1.0 }), 0.4)
    if (slide.minutes) stack.text('Waktu', textSpec([`${slide.minutes} menit`], { ...centred, size: 21, min: 14, color: palette.accent }))
  })
}

function drawStatement(context: LayoutContext, scale: number): Drawn {
  const { slide, palette } = context
  return drawBesideRule(context, scale, 0.3, (stack) => {
    const title = field(slide, 'title')
    if (title) stack.text('Judul', textSpec([title], { size: 22.5, min: 14, bold: true, color: NEUTRALS.muted }), 0.25)
    const top = stack.y
    stack.text('Pernyataan', textSpec([field(slide, 'text') ?? ''], { size: 39, min: 18, bold: true, color: palette.primary, lineSpacing: 1.0 }))
    stack.shapes.push({ kind: 'rect', color: palette.accent, x: MARGIN_X, y: top, w: 0.08, h: stack.y - top })
  })
}

function drawQuote(context: LayoutContext, scale: number): Drawn {
  const { slide, palette } = context
  return drawBesideRule(context, scale, 0.35, (stack) => {
    const title = field(slide, 'title')
    if (title) stack.text('Judul', textSpec([title], { size: 30, min: 18, bold: true, color: palette.primary }), 0.3)
    const quoteTop = stack.y
    stack.text('Kutipan', textSpec([field(slide, 'quote') ?? ''], { size: 30, min: 15, italic: true, color: NEUTRALS.ink, lineSpacing: 1.1 }), 0.25)
    const quoteBottom = stack.y
    stack.text('Sumber', textSpec([`— ${field(slide, 'attribution') ?? ''}`], { size: 21, min: 13, color: NEUTRALS.muted }))
    // The accent rule beside the quotation, as the theme's blockquote border.
    stack.shapes.push({ kind: 'rect', color: palette.accent, x: MARGIN_X, y: quoteTop, w: 0.08, h: quoteBottom - quoteTop - 0.25 * scale })
  })
}

/** A content slide's text indented beside an accent rule (which `build` draws), centred in the content area. */
function drawBesideRule(context: LayoutContext, scale: number, indent: number, build: (stack: Stack) => void): Drawn {
  const { size, fonts } = context
  const stack = new Stack(fonts, scale, MARGIN_X + indent, size.w - 2 * MARGIN_X - indent, 0)
  build(stack)
  const bottom = contentBottom(size)
  stack.shift(CONTENT_TOP + Math.max(0, (bottom - CONTENT_TOP - stack.y) / 2))
  return { shapes: stack.shapes, overflow: stack.y - bottom }
}
