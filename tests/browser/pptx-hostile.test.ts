import { cp, readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIXTURES, makeProject, removeProject, runExpecting } from '../helpers.ts'
import { type PptxFacts, readPptx } from '../pptx-helpers.ts'

// Issue 25 with the hostile corpus of issue 6 (tests/fixtures/hostile/, see hostile.test.ts): in
// the PowerPoint deck, office and essay text is text too. Every XML part stays well-formed (the
// reader validates each), the text reads back as written, and no case adds a slide, a
// relationship, a link, a macro or anything outside the package.

const HOSTILE = path.join(FIXTURES, 'hostile')
const CLEAN = { office: 'kota-uji', essay: 'uji' }

interface Expectation {
  kind: string
  office?: string
  essay?: string
  text?: string[]
  notes?: string[]
}

const CASES = (await readdir(HOSTILE, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('_')).map((e) => e.name)
const EXPECTED = new Map<string, Expectation>()
for (const name of CASES) EXPECTED.set(name, JSON.parse(await readFile(path.join(HOSTILE, name, 'expect.json'), 'utf8')))
const LITERAL = CASES.filter((name) => EXPECTED.get(name)?.kind === 'literal').sort()
const normalize = (text: string) => text.replace(/\s+/g, '')

describe('hostile text stays text in the PowerPoint deck', () => {
  let dir: string
  const read = async (office: string, essay: string): Promise<PptxFacts> =>
    readPptx(new Uint8Array(await readFile(path.join(dir, 'dist', office, `${essay}.pptx`))))

  beforeAll(async () => {
    dir = await makeProject({ from: 'hostile/_base' })
    for (const name of LITERAL) await cp(path.join(HOSTILE, name, 'content'), path.join(dir, 'content'), { recursive: true, force: false, errorOnExist: true })
    const offices = [CLEAN.office, ...new Set(LITERAL.flatMap((name) => EXPECTED.get(name)?.office ?? []))]
    const essays = [CLEAN.essay, ...LITERAL.flatMap((name) => EXPECTED.get(name)?.essay ?? [])]
    await runExpecting(0, ['build', '--format', 'html,pptx', '--office', offices.join(','), '--essay', CLEAN.essay], dir)
    await runExpecting(0, ['build', '--format', 'html,pptx', '--office', CLEAN.office, '--essay', essays.join(',')], dir)
  })
  afterAll(() => removeProject(dir))

  it.each(LITERAL)('%s', async (name) => {
    const expected = EXPECTED.get(name) as Expectation
    const office = expected.office ?? CLEAN.office
    const essay = expected.essay ?? CLEAN.essay
    const pptx = await read(office, essay)
    const html = await readFile(path.join(dir, 'dist', office, `${essay}.html`), 'utf8')
    expect(pptx.slides).toHaveLength((html.match(/<section\b/g) ?? []).length)
    const slideText = normalize(pptx.slides.flatMap((s) => s.texts).join(''))
    for (const text of expected.text ?? []) expect(slideText).toContain(normalize(text))
    const notes = normalize(pptx.slides.map((s) => s.notes).join(''))
    for (const paragraph of expected.notes ?? []) expect(notes).toContain(normalize(paragraph))
    const clean = await read(CLEAN.office, CLEAN.essay)
    expect(partsOf(pptx)).toEqual(partsOf(clean))
    for (const [file, data] of pptx.files) {
      if (!file.endsWith('.rels')) continue
      const rels = new TextDecoder().decode(data)
      expect(rels, file).not.toMatch(/TargetMode="External"|hyperlink|vbaProject|oleObject|https?:\/\/(?!schemas\.)/)
    }
  })
})

/** The package's parts without their numbers: what a data string could add to. Images (a logo, a QR code) are checked to be pictures. */
function partsOf(pptx: PptxFacts): string[] {
  const media = [...pptx.files.keys()].filter((name) => name.startsWith('ppt/media/'))
  for (const name of media) expect(name).toMatch(/\.(png|jpe?g)$/)
  return [...new Set([...pptx.files.keys()].filter((name) => !media.includes(name)).map((name) => name.replace(/\d+/g, 'N')))].sort()
}
