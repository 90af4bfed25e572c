import type { AcronymItem, SlideContent } from '../../shared/types.ts'
import { contentBottom, drawHeading, type LayoutContext, textSpec } from './layouts.ts'
import { type Drawn, NEUTRALS, type Shape, Stack } from './shapes.ts'

// The visual layouts (acronym, contrast, pillars, grid): cells side by side, every cell's text
// at the slide's one scale, so the fitter shrinks them together.

const GAP = 0.3
const PAD = 0.2

export function drawAcronym(context: LayoutContext, scale: number): Drawn {
  const { slide, size, palette, fonts } = context
  const heading = drawHeading(context, scale)
  const items: readonly AcronymItem[] = slide.fields.items ?? []
  const bottom = contentBottom(size)
  const shapes: Shape[] = [...heading.shapes]
  let y = heading.y
  if (slide.fields.band) return drawBand(context, scale, heading, items)
  const letterBox = 0.75 * scale
  for (const item of items) {
    shapes.push({ kind: 'rect', color: palette.primary, x: heading.x, y, w: letterBox, h: letterBox })
    const letter = new Stack(fonts, scale, heading.x, letterBox, y + 0.05 * scale)
    letter.text('Huruf', textSpec([item.term ?? ''], { size: 30, min: 14, bold: true, color: NEUTRALS.white, align: 'center' }))
    const text = new Stack(fonts, scale, heading.x + letterBox + 0.25, heading.w - letterBox - 0.25, y + 0.1 * scale)
    text.text('Arti', textSpec([item.text], { size: 24, min: 12, color: NEUTRALS.ink }))
    shapes.push(...letter.shapes, ...text.shapes)
    y = Math.max(y + letterBox, text.y) + 0.18 * scale
  }
  return { shapes, overflow: y - 0.18 * scale - bottom }
}

/** An acronym's letters as tall as the space leaves, each word under its letter; two rows on a 4:3 slide, as the HTML wraps them. */
function drawBand({ size, palette, fonts }: LayoutContext, scale: number, heading: Stack, items: readonly AcronymItem[]): Drawn {
  const bottom = contentBottom(size)
  const perRow = size.w < 11 && items.length > 4 ? Math.ceil(items.length / 2) : Math.max(1, items.length)
  const rows = Math.ceil(items.length / perRow)
  const cell = (heading.w - GAP * (perRow - 1)) / perRow
  const words = items.map((item) => {
    const word = new Stack(fonts, scale, 0, cell, 0)
    word.text('Arti', textSpec([item.text], { size: 18, min: 11, bold: true, color: NEUTRALS.ink, align: 'center' }))
    return word
  })
  const wordsHeight = Math.max(...words.map((w) => w.y))
  const minLetter = 1.1 * scale
  const rowHeight = Math.max(minLetter + 0.15 + wordsHeight, (bottom - heading.y - (rows - 1) * GAP) / rows)
  const letterHeight = rowHeight - wordsHeight - 0.15
  const shapes: Shape[] = [...heading.shapes]
  items.forEach((item, i) => {
    const x = heading.x + (i % perRow) * (cell + GAP)
    const top = heading.y + Math.floor(i / perRow) * (rowHeight + GAP)
    shapes.push({ kind: 'rect', color: palette.primary, x, y: top, w: cell, h: letterHeight })
    const letter = new Stack(fonts, scale, x, cell, 0)
    letter.text('Huruf', textSpec([item.term ?? ''], { size: 54, min: 24, bold: true, color: NEUTRALS.white, align: 'center' }))
    letter.shift(top + (letterHeight - letter.y) / 2)
    shapes.push(...letter.shapes)
    for (const shape of words[i]?.shapes ?? []) shapes.push({ ...shape, x, y: top + letterHeight + 0.15 + shape.y })
  })
  return { shapes, overflow: heading.y + rows * (minLetter + 0.15 + wordsHeight) + (rows - 1) * GAP - bottom }
}

/** contrast (two columns, the second one filled) and pillars (two to four, an accent rule on top): cards as tall as the space, their text centred in them. */
export function drawColumns(context: LayoutContext, scale: number): Drawn {
  const { slide, size, palette, fonts } = context
  const heading = drawHeading(context, scale)
  const columns: SlideContent<'contrast'>['columns'] = slide.fields.columns ?? []
  const bottom = contentBottom(size)
  const width = (heading.w - GAP * (columns.length - 1)) / Math.max(1, columns.length)
  const cells = columns.map((column, i) => {
    const filled = slide.layout === 'contrast' && i === columns.length - 1
    const ink = filled ? NEUTRALS.white : slide.layout === 'contrast' ? NEUTRALS.muted : NEUTRALS.ink
    const stack = new Stack(fonts, scale, heading.x + i * (width + GAP) + PAD, width - 2 * PAD, heading.y + PAD + 0.1)
    stack.text('Judul kolom', textSpec([column.title], { size: 28.5, min: 14, bold: true, color: filled ? palette.accent : palette.primary }), 0.2)
    if (column.text) stack.text('Teks kolom', textSpec([column.text], { size: 22.5, min: 12, color: ink, lineSpacing: 1.05 }), 0.1)
    if (column.points?.length) stack.text('Poin kolom', textSpec(column.points, { size: 22.5, min: 12, color: ink, list: 'bullet', paragraphGap: 0.3 }))
    return { stack, filled }
  })
  const needed = Math.max(...cells.map((c) => c.stack.y + PAD))
  const cellBottom = Math.max(needed, bottom)
  const shapes: Shape[] = [...heading.shapes]
  cells.forEach(({ stack, filled }, i) => {
    const x = heading.x + i * (width + GAP)
    shapes.push({ kind: 'rect', color: filled ? palette.primary : NEUTRALS.white, x, y: heading.y, w: width, h: cellBottom - heading.y })
    if (!filled) shapes.push({ kind: 'rect', color: palette.accent, x, y: heading.y, w: width, h: 0.08 })
    if (slide.layout === 'pillars') shapes.push({ kind: 'rect', color: palette.primary, x, y: cellBottom - 0.04, w: width, h: 0.04 })
    stack.shift((cellBottom - needed) / 2)
    shapes.push(...stack.shapes)
  })
  return { shapes, overflow: needed - bottom }
}

/** Items with an icon on the office colour's disc above their text, in cards of up to three a row that share the space. */
export function drawGrid(context: LayoutContext, scale: number): Drawn {
  const { slide, size, palette, fonts, images } = context
  const heading = drawHeading(context, scale)
  const items: readonly AcronymItem[] = slide.fields.items ?? []
  const bottom = contentBottom(size)
  const perRow = items.length <= 3 ? Math.max(1, items.length) : items.length === 4 || (items.length > 6 && size.w < 11) ? 2 : 3
  const rows = Math.ceil(items.length / perRow)
  const width = (heading.w - GAP * (perRow - 1)) / perRow
  const disc = 0.75 * scale
  const cells = items.map((item, i) => {
    const stack = new Stack(fonts, scale, 0, width - 2 * PAD, 0)
    stack.text('Teks', textSpec([item.text], { size: 21, min: 12, bold: true, color: NEUTRALS.ink, align: 'center', lineSpacing: 1.0 }))
    return { item, stack, row: Math.floor(i / perRow), column: i % perRow }
  })
  const contentHeight = (cell: (typeof cells)[number]) => disc + 0.2 + cell.stack.y
  const rowHeight = Math.max(...cells.map((c) => contentHeight(c) + 2 * PAD))
  const needed = heading.y + rows * rowHeight + (rows - 1) * GAP
  const cardHeight = Math.max(rowHeight, (bottom - heading.y - (rows - 1) * GAP) / rows)
  const shapes: Shape[] = [...heading.shapes]
  for (const { item, stack, row, column } of cells) {
    const x = heading.x + column * (width + GAP)
    const y = heading.y + row * (cardHeight + GAP)
    const top = y + (cardHeight - contentHeight({ item, stack, row, column })) / 2
    shapes.push({ kind: 'rect', color: NEUTRALS.white, x, y, w: width, h: cardHeight })
    shapes.push({ kind: 'rect', color: palette.accent, x, y: y + cardHeight - 0.06, w: width, h: 0.06 })
    const discX = x + (width - disc) / 2
    shapes.push({ kind: 'ellipse', color: palette.primary, x: discX, y: top, w: disc, h: disc })
    const icon = item.icon ? images.icons.get(item.icon) : undefined
    if (icon)
      shapes.push({ kind: 'image', name: `Ikon ${item.icon}`, data: icon, x: discX + disc * 0.22, y: top + disc * 0.22, w: disc * 0.56, h: disc * 0.56 })
    for (const shape of stack.shapes) shapes.push({ ...shape, x: x + PAD, y: top + disc + 0.2 + shape.y })
  }
  return { shapes, overflow: needed - bottom }
}
