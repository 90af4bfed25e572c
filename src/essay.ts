import { fail, OrtugError, OrtugErrors } from './error.ts'
import { essayMetaSchema, RE_ID } from './schema.ts'
import type { Essay, Section } from './types.ts'
import { verifySchema } from './validate.ts'
import { parseYaml, splitFrontMatter } from './yaml.ts'

const RE_HEADING = /^##[ \t]+(.+?)[ \t]*$/
const RE_HEADING_ID = /^(.*?)[ \t]*\{#([^}]*)\}$/
const RE_OTHER_HEADING = /^(#|#{3,6})[ \t]/
export const OPENING_SECTION_ID = 'pembuka'

/** Parses an essay: front matter, then `##` sections of verbatim paragraphs. Pure: text in, Essay out. */
export function parseEssay(text: string, slug: string, file: string): Essay {
  if (!RE_ID.test(slug)) {
    fail('CONTENT', `essay file name "${slug}" is not a valid slug: use lowercase letters, digits and single hyphens (e.g. "ortug-kpu-jabar.md")`, {
      location: { file },
    })
  }
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
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
