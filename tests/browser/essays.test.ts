import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseEssay } from '../../src/content/essay.ts'
import { sectionSentences } from '../../src/plan/notes.ts'
import { makeProject, readPdf, removeProject, runExpecting } from '../helpers.ts'

// The fixture essays (tests/fixtures/essays/) as derived decks, built for a 16:9 and a 4:3 office
// with the real browser: nothing overflows, no Markdown syntax reaches a slide, every sentence is
// in the notes once. (The word targets and the storyboard round trip: tests/unit/essays.test.ts.)

const OFFICES = ['kota-lebar', 'kabupaten-sempit']
let dir: string
let slugs: string[]
beforeAll(async () => {
  dir = await makeProject({ from: 'essays' })
  slugs = (await readdir(path.join(dir, 'content', 'essays'))).filter((f) => f.endsWith('.md')).map((f) => f.replace(/\.md$/, ''))
  await runExpecting(0, ['build', '--format', 'md,pdf'], dir)
})
afterAll(() => removeProject(dir))

describe('derived decks of the fixture essays, both offices', () => {
  it('the build fitted every slide (exit 0 above) and made every deck', async () => {
    expect(slugs.length).toBeGreaterThanOrEqual(4)
    for (const office of OFFICES)
      expect((await readdir(path.join(dir, 'dist', office))).filter((f) => f.endsWith('.pdf')).sort()).toEqual(slugs.map((s) => `${s}.pdf`).sort())
  })

  it('no Markdown syntax on any slide of the PDFs: no ">", "*", "#", "_" or list numbers such as "1."', async () => {
    for (const office of OFFICES) {
      for (const slug of slugs) {
        const pdf = await readPdf(path.join(dir, 'dist', office, `${slug}.pdf`))
        pdf.text.forEach((text, i) => {
          expect(text, `${office}/${slug} page ${i + 1}`).not.toMatch(/[>*#_`]|(?:^|\s)\d+[.)]\s|\[|\]\(/)
        })
      }
    }
  })

  it('every sentence and list item of each essay is in the notes exactly once', async () => {
    for (const office of OFFICES) {
      for (const slug of slugs) {
        const file = path.join(dir, 'content', 'essays', `${slug}.md`)
        const essay = parseEssay(await readFile(file, 'utf8'), slug, file)
        const markdown = await readFile(path.join(dir, 'dist', office, `${slug}.md`), 'utf8')
        const notes = [...markdown.matchAll(/<!--\n([\s\S]*?)\n-->/g)].map((m) => (m[1] ?? '').replace(/\\(.)/g, '$1')).join('\n')
        for (const section of essay.sections) {
          for (const sentence of sectionSentences(section.blocks)) {
            expect(notes.split(sentence.text).length - 1, `${office}/${slug}: ${sentence.text}`).toBe(1)
          }
        }
      }
    }
  })
})
