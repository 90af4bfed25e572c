import { readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeProject, removeProject, runExpecting } from '../helpers.ts'

// `ortug storyboard <slug>`: the derived deck written as a storyboard, then built from that file:
// the same Markdown as the derived deck, byte for byte, for every fixture essay and both offices.

let dir: string
let slugs: string[]
beforeAll(async () => {
  dir = await makeProject({ from: 'essays' })
  slugs = (await readdir(path.join(dir, 'content', 'essays'))).filter((f) => f.endsWith('.md')).map((f) => f.replace(/\.md$/, ''))
})
afterAll(async () => removeProject(dir))

const markdownOf = async (out: string) => {
  const files: Record<string, string> = {}
  for (const office of ['kota-lebar', 'kabupaten-sempit']) {
    for (const slug of slugs) files[`${office}/${slug}.md`] = await readFile(path.join(dir, out, office, `${slug}.md`), 'utf8')
  }
  return files
}

describe('ortug storyboard', () => {
  it("writes every fixture essay's storyboard; building from them gives the derived decks' Markdown byte for byte", async () => {
    await runExpecting(0, ['build', '--format', 'md', '--out', 'derived'], dir)
    const derived = await markdownOf('derived')
    for (const slug of slugs) {
      const { stderr } = await runExpecting(0, ['storyboard', slug], dir)
      expect(stderr).toContain(`wrote content/essays/${slug}.deck.yaml`)
    }
    await runExpecting(0, ['build', '--format', 'md', '--out', 'authored'], dir)
    expect(await markdownOf('authored')).toEqual(derived)
    await runExpecting(0, ['list'], dir).then(({ stdout }) => expect(stdout).not.toContain('derived storyboard'))
  })

  it('refuses to replace a storyboard without --force (exit 2, saying how), and replaces it with --force', async () => {
    const slug = slugs[0] as string
    const file = path.join(dir, 'content', 'essays', `${slug}.deck.yaml`)
    await writeFile(file, 'slides: [not valid')
    const { stderr } = await runExpecting(2, ['storyboard', slug], dir)
    expect(stderr).toContain(`error: content/essays/${slug}.deck.yaml already exists: edit it, or run "ortug storyboard ${slug} --force"`)
    expect(await readFile(file, 'utf8')).toBe('slides: [not valid')
    await runExpecting(0, ['storyboard', slug, '--force'], dir)
    expect(await readFile(file, 'utf8')).toMatch(/^# yaml-language-server/)
  })

  it('an unknown essay or a missing slug is wrong usage (exit 2)', async () => {
    await runExpecting(2, ['storyboard'], dir)
    const { stderr } = await runExpecting(2, ['storyboard', 'tidak-ada'], dir)
    expect(stderr).toContain('tidak-ada')
  })
})

describe('ortug check on a derived deck', () => {
  it('warns of weak spots: a section without a key sentence, a slide over the word target', async () => {
    const project = await makeProject({
      from: 'essays',
      files: { 'content/essays/panjang.md': `---\ntitle: Panjang\nauthor: A\n---\n\n## Satu Kalimat Panjang\n\n${'kata '.repeat(44).trim()}.\n` },
    })
    try {
      const { stderr } = await runExpecting(0, ['check', '--no-fit', '--essay', 'panjang'], project)
      expect(stderr).toContain('warning: content/essays/panjang.md: section "satu-kalimat-panjang" (derived deck): no key sentence found')
      expect(stderr).toContain('a text slide shows 47 words (target: at most 40)')
    } finally {
      await removeProject(project)
    }
  })
})
