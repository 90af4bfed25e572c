import { rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeProject, readPdf, removeProject, runExpecting } from '../helpers.ts'

// Issue 21, item 4: "check says OK where build fails". An essay of 100 one-word sections passed
// `check` and failed `build` ("content does not fit on handout page 1 of 59"): the agenda was a
// fixed block of the first page. It now continues on the next page, between list items, like
// the reading text; every essay inside the limits (150 sections) makes a handout.

const essay = (sections: number, heading: (n: number) => string) =>
  `---\ntitle: Uji agenda panjang\nauthor: Penulis Uji\n---\n\n${Array.from({ length: sections }, (_, i) => `## ${heading(i + 1)}\n\nKata${i + 1}.\n`).join('\n')}`

let project: string
beforeAll(async () => {
  project = await makeProject({ offices: ['kota-bandung'] })
  await rm(path.join(project, 'content', 'essays'), { recursive: true })
})
afterAll(() => removeProject(project))

async function useEssay(text: string): Promise<void> {
  const { mkdir } = await import('node:fs/promises')
  await rm(path.join(project, 'content', 'essays'), { recursive: true, force: true })
  await mkdir(path.join(project, 'content', 'essays'), { recursive: true })
  await writeFile(path.join(project, 'content', 'essays', 'uji.md'), text)
}

describe('an essay with a long agenda', () => {
  it.each([
    { label: '100 one-word sections (the issue)', sections: 100, heading: (n: number) => `Bagian ${n}`, layout: 'three-up' },
    {
      label: '150 sections (the limit), two-line headings',
      sections: 150,
      heading: (n: number) => `Bagian ${n} tentang integritas dan netralitas penyelenggara pemilu`,
      layout: 'notes',
    },
  ])('$label: check and build agree, and the $layout handout holds every agenda entry and every word', async ({ sections, heading, layout }) => {
    await useEssay(essay(sections, heading))
    await runExpecting(0, ['check'], project)
    await runExpecting(0, ['build', '--format', 'handout', '--handout', layout, '--force'], project)
    const pdf = await readPdf(path.join(project, 'dist', 'kota-bandung', 'uji-handout.pdf'))
    const text = pdf.text.join(' ')
    for (let n = 1; n <= sections; n++) {
      expect(text).toContain(`${heading(n)} `)
      expect(text).toContain(`Kata${n}.`)
    }
    // The agenda starts on the cover and goes on to the next page.
    expect(pdf.text[0]).toContain(heading(1))
    expect(pdf.text[0]).not.toContain(`${heading(sections)} `)
  })
})
