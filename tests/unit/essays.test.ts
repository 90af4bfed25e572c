import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { formatStoryboard } from '../../src/commands/storyboard.ts'
import { parseEssay } from '../../src/content/essay.ts'
import { parseStoryboard } from '../../src/content/storyboard.ts'
import { deriveDeck, MAX_SLIDE_WORDS } from '../../src/plan/derive.ts'
import { sectionSentences } from '../../src/plan/notes.ts'
import { planDeck } from '../../src/plan/plan.ts'
import { countWords } from '../../src/plan/words.ts'
import { compileDeckTemplates } from '../../src/render/markdown.ts'
import type { Deck, DeckTemplates, Essay, Slide } from '../../src/shared/types.ts'
import { expectWordsFromSections, makeOffice, readRepoTemplates } from '../unit-helpers.ts'

// The fixture essays (tests/fixtures/essays/: lists, quotes, long and one-sentence sections,
// loanwords, numbers) as derived decks: the word targets, the notes, and the storyboard round trip.

const ESSAYS_DIR = fileURLToPath(new URL('../fixtures/essays/content/essays/', import.meta.url))
const ESSAYS: Essay[] = readdirSync(ESSAYS_DIR)
  .filter((f) => f.endsWith('.md'))
  .map((f) => parseEssay(readFileSync(`${ESSAYS_DIR}${f}`, 'utf8'), f.replace(/\.md$/, ''), `${ESSAYS_DIR}${f}`))
const OFFICES = [makeOffice(), makeOffice({ id: 'kabupaten-sempit', aspect: '4:3' })]
/** Slides whose text is ortug's, not the essay's: their words are not the essay's to count. */
const FRAME = new Set(['title', 'agenda', 'closing'])

let templates: DeckTemplates
beforeAll(async () => {
  templates = await readRepoTemplates()
})

/** Words a slide shows: its title, subtitle, text, quote, points, items and columns. */
function shownWords(slide: Slide): number {
  const f = slide.fields as Record<string, unknown>
  const flat = (v: unknown): string[] =>
    typeof v === 'string' ? [v] : Array.isArray(v) ? v.flatMap(flat) : v && typeof v === 'object' ? Object.values(v).flatMap(flat) : []
  return ['title', 'subtitle', 'text', 'quote', 'question', 'points', 'items', 'columns'].flatMap((k) => flat(f[k])).reduce((n, t) => n + countWords(t), 0)
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

describe.each(ESSAYS.map((essay) => ({ slug: essay.slug, essay })))('fixture essay $slug', ({ essay }) => {
  const { storyboard, weakSpots } = deriveDeck(essay)

  it('has no weak spot, and every derived slide shows words of its own section', () => {
    expect(weakSpots).toEqual([])
    expectWordsFromSections(essay)
  })

  it.each(OFFICES.map((office) => ({ aspect: office.aspect, office })))(
    "$aspect: no slide over the word target but the essay's own lists, median under 20, every sentence once in the notes",
    ({ office }) => {
      const deck = planDeck(essay, storyboard, office)
      const ownLists = new Set(essay.sections.flatMap((s) => s.blocks.flatMap((b) => (b.kind === 'list' ? b.items : []))))
      for (const slide of deck.slides) {
        const points = (slide.fields.points ?? []) as string[]
        const isOwnList = points.length > 0 && points.every((p) => [...ownLists].some((item) => item.toLowerCase().includes(p.toLowerCase())))
        if (!FRAME.has(slide.layout) && !isOwnList) expect(shownWords(slide), `${slide.layout} "${slide.title}"`).toBeLessThanOrEqual(MAX_SLIDE_WORDS)
      }
      expect(median(deck.slides.map(shownWords))).toBeLessThan(20)
      const expected = essay.sections.flatMap((s) => sectionSentences(s.blocks).map((x) => (x.marker ?? '') + x.text))
      expect(deck.slides.flatMap((s) => s.notes).join(' ')).toBe(expected.join(' '))
    },
  )

  it('no Markdown syntax reaches a slide: no "> ", "*", "#" or "1. " in what the slides show', () => {
    for (const slide of storyboard.slides) {
      for (const text of [slide.title, slide.text, slide.quote, ...(slide.points ?? []), ...(slide.items ?? []).map((i) => i.text)]) {
        expect(text ?? '').not.toMatch(/^\s*(?:>|#|\d+\.\s)|\*/)
      }
    }
  })

  it('ortug storyboard round-trips: the written file builds the same Markdown, byte for byte', () => {
    const text = formatStoryboard(storyboard, essay)
    const written = parseStoryboard(text, `${essay.slug}.deck.yaml`, essay)
    for (const office of OFFICES) {
      const render = (deck: Deck) => compileDeckTemplates(templates)(deck)
      expect(render(planDeck(essay, written, office))).toBe(render(planDeck(essay, storyboard, office)))
    }
    expect(text).toMatch(/^# yaml-language-server: \$schema=\.\/storyboard\.schema\.json\n/)
  })
})

it('there are at least four fixture essays', () => {
  expect(ESSAYS.length).toBeGreaterThanOrEqual(4)
})
