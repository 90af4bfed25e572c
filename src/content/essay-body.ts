import MarkdownIt from 'markdown-it'
import { OrtugError, OrtugErrors } from '../shared/error.ts'
import { RE_ID } from '../shared/schema.ts'
import type { EssayBlock, Section } from '../shared/types.ts'

// The body of an essay: CommonMark read by markdown-it (the parser marp-core uses) into sections
// of blocks. Pure: text in, sections out. What a slide cannot show as structure is an error at
// its line and column, never raw syntax on a slide.

export const OPENING_SECTION_ID = 'pembuka'

// Indented code is off: an essay's indented line is a paragraph an editor indented, not code.
// HTML is on so that it arrives as its own tokens, to be refused, instead of as text.
const markdown = new MarkdownIt('default', { html: true, linkify: false, typographer: false }).disable('code')

type Token = ReturnType<MarkdownIt['parse']>[number]

const RE_HEADING_ID = /^(.*?)[ \t]*\{#([^}]*)\}$/
const FOOTNOTES_REFUSED = 'footnotes are not supported: write the note as a sentence of the paragraph'
const RE_FOOTNOTE = /\[\^[^\]\s]+\]/
/** A link markdown-it left as text: its address is one it does not accept (javascript:, vbscript:, file:, data: but images). */
const RE_REFUSED_LINK = /\[[^\]]*\]\(([^)]*)\)/
const RE_REFUSED_SCHEME = /^\s*<?\s*(?:javascript|vbscript|file|data):/i

/** Block tokens ortug refuses, with what to write instead. */
const UNSUPPORTED_BLOCKS: Record<string, string> = {
  fence: 'a code block has no place on a slide: write it as a paragraph',
  code_block: 'a code block has no place on a slide: write it as a paragraph',
  html_block: 'HTML is not read in an essay (it would show as raw text): write the text without tags',
  hr: 'a horizontal rule ("---", "***") has no place in an essay: use a "## " heading to start a section, or delete it',
  table_open: 'tables are not supported: write each row as an item of a list ("- ...")',
}

/** Inline tokens ortug refuses, with the text to find for the column and what to write instead. */
const UNSUPPORTED_INLINE: Record<string, { find: (token: Token) => string; fix: string }> = {
  html_inline: { find: (t) => t.content, fix: 'HTML is not read in an essay (it would show as raw text): write the text without tags' },
  image: { find: () => '![', fix: 'images are not supported in an essay: delete the image' },
  s_open: { find: () => '~~', fix: 'strikethrough is not supported: delete the struck text or the "~~" marks' },
}

interface Reader {
  tokens: Token[]
  lines: string[]
  firstLine: number
  file: string
  problems: OrtugError[]
}

/** Splits the body at "## " headings; each section holds its blocks and their plain paragraphs. */
export function parseEssayBody(body: string, firstLine: number, file: string): Section[] {
  const env: { references?: Record<string, unknown> } = {}
  const reader: Reader = { tokens: markdown.parse(body, env), lines: body.split('\n'), firstLine, file, problems: [] }
  const sections: Section[] = []
  let current: Section = { id: OPENING_SECTION_ID, heading: 'Pembuka', blocks: [], paragraphs: [], line: firstLine }
  const keep = () => {
    if (current.id !== OPENING_SECTION_ID || current.blocks.length > 0) sections.push(current)
  }
  for (const { open, inner } of splitBlocks(reader.tokens)) {
    if (open.type === 'heading_open' && open.tag === 'h2' && open.markup === '##') {
      keep()
      current = readSection(reader, open, inlineText(reader, inner[0]), sections)
    } else {
      const block = readBlock(reader, open, inner)
      if (block) current.blocks.push(block)
    }
  }
  keep()
  reportReferences(reader, Object.keys(env.references ?? {}))
  for (const section of sections) section.paragraphs = section.blocks.flatMap(blockParagraphs)
  const at = (problem: OrtugError) => (problem.location?.line ?? 0) * 1e6 + (problem.location?.column ?? 0)
  if (reader.problems.length > 0) throw new OrtugErrors(reader.problems.sort((a, b) => at(a) - at(b)))
  return sections
}

/** The plain text of a block: a list gives one paragraph per item. */
export function blockParagraphs(block: EssayBlock): string[] {
  return block.kind === 'list' ? block.items : [block.text]
}

function readSection(reader: Reader, token: Token, text: string, before: readonly Section[]): Section {
  const line = lineOf(reader, token)
  const [title, explicitId] = splitHeadingId(text)
  const id = explicitId ?? slugify(title)
  const report = (message: string) => reader.problems.push(new OrtugError('CONTENT', message, { location: { file: reader.file, line, column: 1 } }))
  // "## {#id}" alone would give an empty agenda entry, divider title and PDF bookmark.
  if (title.trim() === '') report(`the heading of section "${id}" has no text: write it as "## Heading {#${id}}"`)
  if (!RE_ID.test(id)) report(`section id "${id}" must use lowercase letters, digits and single hyphens: write the heading as "## ${title} {#my-id}"`)
  if (before.some((s) => s.id === id)) report(`section id "${id}" is used twice: give one of the headings its own id with "{#another-id}"`)
  return { id, heading: title, blocks: [], paragraphs: [], line }
}

/** One top-level block (its opening token and the tokens inside), or undefined after reporting why not. */
function readBlock(reader: Reader, token: Token, inner: readonly Token[]): EssayBlock | undefined {
  const line = lineOf(reader, token)
  const report = (message: string) => {
    reader.problems.push(new OrtugError('CONTENT', message, { location: { file: reader.file, line, column: 1 } }))
    return undefined
  }
  switch (token.type) {
    case 'paragraph_open':
      return { kind: 'paragraph', text: inlineText(reader, inner[0]), line }
    case 'heading_open':
      if (token.tag === 'h3' && token.markup === '###') return { kind: 'subheading', text: inlineText(reader, inner[0]), line }
      if (token.markup === '=' || token.markup === '-') {
        return report('a heading underlined with "===" or "---" is not read: write it as "## Heading" (a section) or "### Heading" (a subheading)')
      }
      return report('only "## " headings split an essay into sections and "### " headings mark a subheading; make this one of them or plain text')
    case 'blockquote_open':
      return readQuote(reader, inner, line)
    case 'bullet_list_open':
    case 'ordered_list_open':
      return readList(reader, token, inner, line)
  }
  return report(UNSUPPORTED_BLOCKS[token.type] ?? `"${token.type}" is not supported in an essay: write paragraphs, lists, quotes and "### " subheadings`)
}

/** A blockquote of paragraphs: its paragraphs joined with a space. */
function readQuote(reader: Reader, inner: readonly Token[], line: number): EssayBlock | undefined {
  const foreign = inner.find((t) => t.nesting !== -1 && !['paragraph_open', 'inline'].includes(t.type))
  if (foreign) {
    reader.problems.push(
      new OrtugError('CONTENT', 'a quote ("> ") may hold only paragraphs: move the list or heading out of it', {
        location: { file: reader.file, line: lineOf(reader, foreign, line), column: 1 },
      }),
    )
    return undefined
  }
  const text = inner
    .filter((t) => t.type === 'inline')
    .map((t) => inlineText(reader, t))
    .join(' ')
  return { kind: 'quote', text, line }
}

/** A list whose items are paragraphs (one or more each, joined with a space); a list inside a list is refused. */
function readList(reader: Reader, open: Token, inner: readonly Token[], line: number): EssayBlock | undefined {
  const items: string[] = []
  const itemLines: number[] = []
  // Items whose content was refused already (an image alone): not reported again as empty.
  const refused = new Set<number>()
  for (const token of inner) {
    if (token.type === 'list_item_open') {
      items.push('')
      itemLines.push(lineOf(reader, token, line))
    } else if (token.type === 'inline') {
      const problems = reader.problems.length
      const text = inlineText(reader, token)
      if (reader.problems.length > problems) refused.add(items.length - 1)
      items[items.length - 1] = items.at(-1) ? `${items.at(-1)} ${text}` : text
    } else if (token.nesting === 1 && !['paragraph_open', 'list_item_open'].includes(token.type)) {
      reader.problems.push(
        new OrtugError('CONTENT', 'a list item may hold only text: a list or quote inside a list is not supported; write it as items of its own', {
          location: { file: reader.file, line: lineOf(reader, token, line), column: 1 },
        }),
      )
      return undefined
    }
  }
  // An empty item ("- " alone) would be an empty point on a slide.
  const empty = items.findIndex((item, index) => item.trim() === '' && !refused.has(index))
  if (empty >= 0) {
    const location = { file: reader.file, line: itemLines[empty] ?? line, column: 1 }
    reader.problems.push(new OrtugError('CONTENT', 'a list item is empty: write its text, or delete the line', { location }))
    return undefined
  }
  const ordered = open.type === 'ordered_list_open'
  return { kind: 'list', ordered, start: ordered ? Number(open.attrGet('start') ?? 1) : 1, items, line }
}

/** The words of an inline token with Markdown's marks removed; unsupported marks are reported. */
function inlineText(reader: Reader, token: Token | undefined): string {
  if (!token) return ''
  const line = lineOf(reader, token)
  let text = ''
  // Outside code spans: what a code span holds is shown as it is written, brackets and all.
  let prose = ''
  for (const child of token.children ?? []) {
    const unsupported = UNSUPPORTED_INLINE[child.type]
    if (unsupported) reportInline(reader, token, unsupported.find(child), unsupported.fix, line)
    else if (child.type === 'text' || child.type === 'code_inline') text += child.content
    else if (child.type === 'softbreak' || child.type === 'hardbreak') text += ' '
    if (child.type === 'text') prose += child.content
  }
  const footnote = RE_FOOTNOTE.exec(prose)
  if (footnote) reportInline(reader, token, footnote[0], FOOTNOTES_REFUSED, line)
  const link = RE_REFUSED_LINK.exec(prose)
  if (link) reportInline(reader, token, link[0], refusedLinkFix(link[1] ?? ''), line)
  return text.trim()
}

function refusedLinkFix(address: string): string {
  if (RE_REFUSED_SCHEME.test(address)) {
    return 'this link would show as raw text: a deck may not link to a javascript:, vbscript:, file: or data: address; write the text without the link'
  }
  return 'this link would show as raw text: its address cannot be read (a space or an unmatched bracket in it); write the address as <https://…>, or the text without the link'
}

/**
 * Reference definitions ("[1]: https://…", and the notes of footnotes, "[^1]: …") are taken out of
 * the text by the parser: their words would vanish from the notes and handouts without a word.
 */
function reportReferences(reader: Reader, labels: readonly string[]): void {
  const found = labels.map((label) => ({
    label,
    index: Math.max(
      0,
      reader.lines.findIndex((text) => /^ {0,3}\[/.test(text) && text.toUpperCase().includes(`[${label}]:`)),
    ),
  }))
  for (const { label, index } of found.sort((a, b) => a.index - b.index)) {
    const message = label.startsWith('^')
      ? FOOTNOTES_REFUSED
      : 'a link reference definition ("[label]: address") is not read in an essay: write the link where it is used, as [text](address), or delete the line'
    reader.problems.push(new OrtugError('CONTENT', message, { location: { file: reader.file, line: reader.firstLine + index, column: 1 } }))
  }
}

function reportInline(reader: Reader, token: Token, needle: string, message: string, line: number): void {
  const [from, to] = token.map ?? [line - reader.firstLine, line - reader.firstLine + 1]
  for (let i = from; i < to; i++) {
    const column = (reader.lines[i] ?? '').indexOf(needle)
    if (column >= 0 && needle !== '') {
      reader.problems.push(new OrtugError('CONTENT', message, { location: { file: reader.file, line: reader.firstLine + i, column: column + 1 } }))
      return
    }
  }
  reader.problems.push(new OrtugError('CONTENT', message, { location: { file: reader.file, line, column: 1 } }))
}

/** The top-level blocks: each opening token with the tokens up to (not including) its closing one; a token that opens nothing is a block alone. */
function splitBlocks(tokens: readonly Token[]): { open: Token; inner: Token[] }[] {
  const blocks: { open: Token; inner: Token[] }[] = []
  let depth = 0
  for (const token of tokens) {
    const block = blocks.at(-1)
    if (depth <= 0 || !block) {
      blocks.push({ open: token, inner: [] })
      depth = token.nesting
      continue
    }
    depth += token.nesting
    if (depth > 0) block.inner.push(token)
  }
  return blocks
}

function lineOf(reader: Reader, token: Token, fallback = reader.firstLine): number {
  return token.map ? reader.firstLine + token.map[0] : fallback
}

function splitHeadingId(text: string): [string, string | undefined] {
  const match = RE_HEADING_ID.exec(text)
  return match ? [match[1] ?? '', match[2]] : [text, undefined]
}

/** Lowercase ASCII slug of a heading: "Tugas ASN di KPU" becomes "tugas-asn-di-kpu". */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
}
