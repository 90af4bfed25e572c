import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { unzipSync } from 'fflate'

// Reads a PowerPoint file back with parsers of its own (fflate's unzip, fast-xml-parser), not
// with the library that wrote it: what a trainer's PowerPoint or LibreOffice would find.

export interface PptxRun {
  text: string
  bold: boolean
  /** Points. */
  size: number
}

export interface PptxParagraph {
  runs: PptxRun[]
  text: string
  /** Line spacing as a multiple of single (1 when unset). */
  lineSpacing: number
  /** Space after, in points. */
  spaceAfter: number
  /** Left margin of a bulleted paragraph, in inches. */
  indent: number
  bullet: boolean
}

export interface PptxTextBox {
  name: string
  /** Inches. */
  x: number
  y: number
  w: number
  h: number
  /** Insets, inches: left, top, right, bottom. */
  insets: [number, number, number, number]
  autofit: boolean
  paragraphs: PptxParagraph[]
}

export interface PptxSlideFacts {
  file: string
  layoutName: string
  boxes: PptxTextBox[]
  /** Every text of the slide, box by box, paragraph by paragraph. */
  texts: string[]
  notes: string
}

export interface PptxFacts {
  files: Map<string, Uint8Array>
  slides: PptxSlideFacts[]
  layoutNames: string[]
  masters: number
  core: Record<string, string>
  /** Every sRGB colour in slides, layouts and the master (upper case, no #). */
  colors: Set<string>
  /** Slide size in inches. */
  size: { w: number; h: number }
}

const EMU = 914400
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', preserveOrder: true, trimValues: false, parseTagValue: false })

type Node = Record<string, unknown>

export function readPptx(bytes: Uint8Array): PptxFacts {
  const files = new Map(Object.entries(unzipSync(bytes)))
  const xml = (name: string) => {
    const data = files.get(name)
    if (!data) throw new Error(`no ${name} in the package`)
    const text = new TextDecoder().decode(data)
    const valid = XMLValidator.validate(text)
    if (valid !== true) throw new Error(`${name} is not well-formed XML: ${JSON.stringify(valid.err)}`)
    return parser.parse(text) as Node[]
  }
  const rels = (name: string) => {
    const file = name.replace(/([^/]+)$/, '_rels/$1.rels')
    return files.has(file) ? all(xml(file), 'Relationship').map((r) => attrs(r)) : []
  }
  const presentation = xml('ppt/presentation.xml')
  const presRels = rels('ppt/presentation.xml')
  const slideIds = all(presentation, 'p:sldId').map((node) => attrs(node)['@r:id'])
  const slideFiles = slideIds.map((id) => `ppt/${presRels.find((r) => r['@Id'] === id)?.['@Target']}`)
  const sizeNode = attrs(all(presentation, 'p:sldSz')[0] as Node)
  const layoutFiles = [...files.keys()].filter((f) => /^ppt\/slideLayouts\/slideLayout\d+\.xml$/.test(f))
  const layoutName = (file: string) => attrs(all(xml(file), 'p:cSld')[0] as Node)['@name'] ?? ''
  const slides = slideFiles.map((file) => {
    const doc = xml(file)
    const slideRels = rels(file)
    const layout = slideRels.find((r) => r['@Type']?.endsWith('/slideLayout'))?.['@Target'] ?? ''
    const notesTarget = slideRels.find((r) => r['@Type']?.endsWith('/notesSlide'))?.['@Target']
    const boxes = all(doc, 'p:sp')
      .map(readTextBox)
      .filter((box): box is PptxTextBox => box !== undefined)
    const notesDoc = notesTarget ? xml(`ppt/${notesTarget.replace('../', '')}`) : []
    const notesBody = all(notesDoc, 'p:sp').find((sp) => all([sp], 'p:ph').some((ph) => attrs(ph)['@type'] === 'body'))
    const notes = notesBody
      ? paragraphsOf(notesBody)
          .map((p) => p.text)
          .join('\n')
      : ''
    return {
      file,
      layoutName: layoutName(`ppt/${layout.replace('../', '')}`),
      boxes,
      texts: boxes.flatMap((box) => box.paragraphs.map((p) => p.text)),
      notes,
    }
  })
  const colors = new Set<string>()
  for (const [name, data] of files) {
    if (!/^ppt\/(slides|slideLayouts|slideMasters)\/[^/]+\.xml$/.test(name)) continue
    for (const match of new TextDecoder().decode(data).matchAll(/<a:srgbClr val="([0-9A-Fa-f]{6})"/g)) colors.add((match[1] as string).toUpperCase())
  }
  const core: Record<string, string> = {}
  for (const node of (first(xml('docProps/core.xml'), 'cp:coreProperties') ?? []) as Node[]) {
    const tag = Object.keys(node).find((k) => k !== ':@')
    if (tag) core[tag] = textOf(node[tag] as Node[])
  }
  return {
    files,
    slides,
    layoutNames: layoutFiles.map(layoutName),
    masters: [...files.keys()].filter((f) => /^ppt\/slideMasters\/slideMaster\d+\.xml$/.test(f)).length,
    core,
    colors,
    size: { w: Number(sizeNode['@cx']) / EMU, h: Number(sizeNode['@cy']) / EMU },
  }
}

// --- internal ---

function attrs(node: Node): Record<string, string> {
  return (node[':@'] ?? {}) as Record<string, string>
}

/** Every element named `tag` below `nodes`, in document order. */
function all(nodes: Node[], tag: string): Node[] {
  const found: Node[] = []
  const walk = (list: Node[]) => {
    for (const node of list) {
      for (const [key, value] of Object.entries(node)) {
        if (key === ':@' || !Array.isArray(value)) continue
        if (key === tag) found.push(node)
        walk(value as Node[])
      }
    }
  }
  walk(nodes)
  return found
}

function first(nodes: Node[], tag: string): unknown {
  return all(nodes, tag)[0]?.[tag]
}

function textOf(children: Node[]): string {
  return children.map((child) => (typeof child['#text'] === 'string' ? child['#text'] : '')).join('')
}

function readTextBox(sp: Node): PptxTextBox | undefined {
  if (all([sp], 'p:txBody').length === 0) return undefined
  const name = attrs(all([sp], 'p:cNvPr')[0] as Node)['@name'] ?? ''
  const off = all([sp], 'a:off')[0]
  const ext = all([sp], 'a:ext')[0]
  const body = attrs(all([sp], 'a:bodyPr')[0] as Node)
  const inch = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value) / EMU)
  return {
    name,
    x: inch(off && attrs(off)['@x'], 0),
    y: inch(off && attrs(off)['@y'], 0),
    w: inch(ext && attrs(ext)['@cx'], 0),
    h: inch(ext && attrs(ext)['@cy'], 0),
    insets: [inch(body['@lIns'], 0.1), inch(body['@tIns'], 0.05), inch(body['@rIns'], 0.1), inch(body['@bIns'], 0.05)],
    autofit: all([sp], 'a:normAutofit').length + all([sp], 'a:spAutoFit').length > 0,
    paragraphs: paragraphsOf(sp),
  }
}

function paragraphsOf(container: Node): PptxParagraph[] {
  return all([container], 'a:p').map((p) => {
    const pPr = all([p], 'a:pPr')[0]
    const spacing = all([p], 'a:spcPct')[0]
    const after = all([p], 'a:spcAft')
    const afterPts = after.length > 0 ? all(after, 'a:spcPts')[0] : undefined
    const runs = all([p], 'a:r').map((r) => {
      const rPr = attrs(all([r], 'a:rPr')[0] ?? {})
      return { text: textOf((first([r], 'a:t') ?? []) as Node[]), bold: rPr['@b'] === '1', size: Number(rPr['@sz'] ?? 1800) / 100 }
    })
    return {
      runs,
      text: runs.map((r) => r.text).join(''),
      lineSpacing: spacing ? Number(attrs(spacing)['@val']) / 100000 : 1,
      spaceAfter: afterPts ? Number(attrs(afterPts)['@val']) / 100 : 0,
      indent: pPr ? Number(attrs(pPr)['@marL'] ?? 0) / EMU : 0,
      bullet: all([p], 'a:buChar').length + all([p], 'a:buAutoNum').length > 0,
    }
  })
}
