import { fail, OrtugError, OrtugErrors } from '../shared/error.ts'
import { essayMetaSchema, RE_ID } from '../shared/schema.ts'
import type { Essay, Section } from '../shared/types.ts'
import { verifySchema } from './validate.ts'
import { parseYaml, splitFrontMatter } from './yaml.ts'

const RE_HEADING = /^##[ \t]+(.+?)[ \t]*$/
const RE_HEADING_ID = /^(.*?)[ \t]*\{#([^}]*)\}$/
const RE_OTHER_HEADING = /^(#|#{3,6})[ \t]/
export const OPENING_SECTION_ID = 'pembuka'
/**
 * An essay of 250 KB made a deck of 534 slides that built (md, html, pdf, handout) in 15 s on the
 * 2-core development machine (one-off): the byte limit keeps a build well inside --timeout's
 * default. Sections are counted too, since each one adds a divider slide whatever its length.
 */
export const MAX_ESSAY_BYTES = 256 * 1024
export const MAX_SECTIONS = 150
// C0 controls but tab and line feed (carriage returns are normalised away first), DEL, C1.
const RE_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g
const CONTROL_NAMES: Record<number, string> = { 0: 'NUL', 7: 'BEL', 8: 'BS', 11: 'VT', 12: 'FF', 27: 'ESC', 127: 'DEL' }
/** Enough to see a pattern without a thousand lines for a binary file. */
const MAX_REPORTED = 10

/** Parses an essay: front matter, then `##` sections of verbatim paragraphs. Pure: text in, Essay out. */
export function parseEssay(text: string, slug: string, file: string): Essay {
  if (!RE_ID.test(slug)) {
    fail('CONTENT', `essay file name "${slug}" is not a valid slug: use lowercase letters, digits and single hyphens (e.g. "ortug-kpu-jabar.md")`, {
      location: { file },
    })
  }
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
  verifyNoControls(normalized, file)
  const { frontMatter, body, bodyLine } = splitFrontMatter(normalized)
  if (frontMatter === undefined) {
    fail('CONTENT', 'the essay has no front matter: start the file with a "---" block holding at least "title:" and "author:"', {
      location: { file, line: 1, column: 1 },
    })
  }
  // Front matter starts on line 2 of the file.
  const yaml = parseYaml(frontMatter, file, 2)
  const fix = 'Front matter fields: title and author (required), subtitle, date (YYYY-MM-DD), source, lang.'
  const meta = verifySchema(essayMetaSchema, yaml.value ?? {}, yaml.locate, fix)
  const sections = parseSections(body, bodyLine, file)
  if (sections.length > MAX_SECTIONS) {
    fail('CONTENT', `the essay has ${sections.length} sections; the limit is ${MAX_SECTIONS} ("## " headings): split it into several essays`, {
      location: { file, line: sections[MAX_SECTIONS]?.line ?? bodyLine, column: 1 },
    })
  }
  if (sections.every((section) => section.paragraphs.length === 0)) {
    fail('CONTENT', 'the essay has no text: write its paragraphs below the front matter, under "## Heading" lines', {
      location: { file, line: bodyLine },
    })
  }
  return { slug, file, meta, sections }
}

function parseSections(body: string, firstLine: number, file: string): Section[] {
  const sections: Section[] = []
  const problems: OrtugError[] = []
  let current: Section = { id: OPENING_SECTION_ID, heading: 'Pembuka', paragraphs: [], line: firstLine }
  let lines: string[] = []
  const flush = () => {
    if (lines.length > 0) current.paragraphs.push(lines.join(' '))
    lines = []
  }
  body.split('\n').forEach((raw, index) => {
    const lineNumber = firstLine + index
    const heading = RE_HEADING.exec(raw)
    if (heading) {
      flush()
      if (current.id !== OPENING_SECTION_ID || current.paragraphs.length > 0) sections.push(current)
      const [title, explicitId] = splitHeadingId(heading[1] ?? '')
      const id = explicitId ?? slugify(title)
      // "## {#id}" alone would give an empty agenda entry, divider title and PDF bookmark.
      if (title.trim() === '') {
        problems.push(
          new OrtugError('CONTENT', `the heading of section "${id}" has no text: write it as "## Heading {#${id}}"`, {
            location: { file, line: lineNumber, column: 1 },
          }),
        )
      }
      if (!RE_ID.test(id)) {
        problems.push(
          new OrtugError('CONTENT', `section id "${id}" must use lowercase letters, digits and single hyphens: write the heading as "## ${title} {#my-id}"`, {
            location: { file, line: lineNumber, column: 1 },
          }),
        )
      }
      if (sections.some((s) => s.id === id)) {
        problems.push(
          new OrtugError('CONTENT', `section id "${id}" is used twice: give one of the headings its own id with "{#another-id}"`, {
            location: { file, line: lineNumber, column: 1 },
          }),
        )
      }
      current = { id, heading: title, paragraphs: [], line: lineNumber }
      return
    }
    if (RE_OTHER_HEADING.test(raw)) {
      problems.push(
        new OrtugError('CONTENT', 'only "## " headings split an essay into sections; make this a "## " heading or plain text', {
          location: { file, line: lineNumber, column: 1 },
        }),
      )
      return
    }
    const trimmed = raw.trim()
    if (trimmed === '') flush()
    else lines.push(trimmed)
  })
  flush()
  if (current.id !== OPENING_SECTION_ID || current.paragraphs.length > 0) sections.push(current)
  if (problems.length > 0) throw new OrtugErrors(problems)
  return sections
}

/** Control characters are invisible in editors, yet reach the PDF: each is reported at its line and column. */
function verifyNoControls(text: string, file: string): void {
  const found = [...text.matchAll(RE_CONTROL)]
  if (found.length === 0) return
  const lineStarts = [0]
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lineStarts.push(at + 1)
  const problems = found.slice(0, MAX_REPORTED).map((match) => {
    const index = match.index ?? 0
    const line = lineStarts.findLastIndex((start) => start <= index)
    const code = match[0].charCodeAt(0)
    const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}${CONTROL_NAMES[code] ? ` (${CONTROL_NAMES[code]})` : ''}`
    const more = found.length > MAX_REPORTED && match === found[MAX_REPORTED - 1] ? ` (${found.length - MAX_REPORTED} more not listed)` : ''
    return new OrtugError(
      'CONTENT',
      `control character ${name} in the essay; only tabs and line breaks are allowed: delete it (most editors do not show it)${more}`,
      { location: { file, line: line + 1, column: index - (lineStarts[line] ?? 0) + 1 } },
    )
  })
  throw new OrtugErrors(problems)
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
