import { fail, OrtugError, OrtugErrors } from '../shared/error.ts'
import { essayMetaSchema, RE_ID } from '../shared/schema.ts'
import type { Essay } from '../shared/types.ts'
import { parseEssayBody } from './essay-body.ts'
import { verifySchema } from './validate.ts'
import { parseYaml, splitFrontMatter } from './yaml.ts'

/**
 * An essay of 250 KB made a deck of 534 slides that built (md, html, pdf, handout) in 15 s on the
 * 2-core development machine (one-off): the byte limit keeps a build well inside --timeout's
 * default. Sections are counted too, since each one adds a divider slide whatever its length.
 */
export const MAX_ESSAY_BYTES = 256 * 1024
export const MAX_SECTIONS = 150
// C0 controls but tab and line feed (carriage returns are normalised away first), DEL, C1.
// Bidirectional overrides and isolates too (as in office fields): they show the text reversed on slides.
const RE_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g
const CONTROL_NAMES: Record<number, string> = {
  0: 'NUL',
  7: 'BEL',
  8: 'BS',
  11: 'VT',
  12: 'FF',
  27: 'ESC',
  127: 'DEL',
  8234: 'LEFT-TO-RIGHT EMBEDDING',
  8235: 'RIGHT-TO-LEFT EMBEDDING',
  8236: 'POP DIRECTIONAL FORMATTING',
  8237: 'LEFT-TO-RIGHT OVERRIDE',
  8238: 'RIGHT-TO-LEFT OVERRIDE',
  8294: 'LEFT-TO-RIGHT ISOLATE',
  8295: 'RIGHT-TO-LEFT ISOLATE',
  8296: 'FIRST STRONG ISOLATE',
  8297: 'POP DIRECTIONAL ISOLATE',
}
/** Enough to see a pattern without a thousand lines for a binary file. */
const MAX_REPORTED = 10

/** Parses an essay: front matter, then `##` sections of CommonMark blocks (essay-body.ts). Pure: text in, Essay out. */
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
  const sections = parseEssayBody(body, bodyLine, file)
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
