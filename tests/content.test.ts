import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseEssay } from '../src/essay.ts'
import { parseStoryboard } from '../src/storyboard.ts'
import { REPO, SEED, seedParagraphs } from './helpers.ts'

const essayFile = path.join(REPO, 'content', 'essays', 'ortug-kpu-jabar.md')

describe('the shipped essay', () => {
  it('holds the seed essay verbatim: title, author and every paragraph, once, in order', async () => {
    const essay = parseEssay(await readFile(essayFile, 'utf8'), 'ortug-kpu-jabar', essayFile)
    const seed = await readFile(SEED, 'utf8')
    expect(seed).toContain(essay.meta.title.replace(':', ' :'))
    expect(seed).toContain(`Oleh: ${essay.meta.author}`)
    expect(essay.sections.flatMap((s) => s.paragraphs)).toEqual(await seedParagraphs())
  })

  it('has a storyboard covering every section, the seven BerAKHLAK values and two questions', async () => {
    const essay = parseEssay(await readFile(essayFile, 'utf8'), 'ortug-kpu-jabar', essayFile)
    const file = essayFile.replace(/\.md$/, '.deck.yaml')
    const { slides } = parseStoryboard(await readFile(file, 'utf8'), file, essay)
    for (const section of essay.sections)
      expect(
        slides.some((s) => s.section === section.id),
        section.id,
      ).toBe(true)
    const acronym = slides.find((s) => s.layout === 'acronym')
    expect(acronym?.items?.map((i) => i.term).join('')).toBe('BAKHLAK')
    expect(slides.filter((s) => s.layout === 'question').length).toBeGreaterThanOrEqual(2)
    expect(slides[0]?.layout).toBe('title')
    expect(slides.at(-1)?.layout).toBe('closing')
    const quote = slides.find((s) => s.layout === 'quote')?.quote ?? ''
    expect(await readFile(SEED, 'utf8')).toContain(quote)
  })
})
