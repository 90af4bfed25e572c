import { beforeAll, describe, expect, it } from 'vitest'
import { parseEssay } from '../../src/content/essay.ts'
import { parseStoryboard } from '../../src/content/storyboard.ts'
import { serializeFitCache, verifyFitCache } from '../../src/output/fit-cache.ts'
import { emptyFitCache, type FitCache, type FitState, fitSlides, GROW_ZOOM, SPARSE_LAYOUTS, startFromHint } from '../../src/plan/fit.ts'
import { hintKey } from '../../src/plan/fit-hints.ts'
import { planDeck, type Tuning } from '../../src/plan/plan.ts'
import { compileDeckTemplates } from '../../src/render/markdown.ts'
import type { DeckTemplates, Measured, Office } from '../../src/shared/types.ts'
import { makeOffice, readRepoTemplates } from '../unit-helpers.ts'

// Where a deck's fit loop starts: another office's copy of the deck, fitted earlier in the build,
// hands on its tuning (src/plan/fit-hints.ts). The browser is a stand-in here: a measure computed
// from each slide's text and its step of larger type, blind to footers as the real one is.

let templates: DeckTemplates

beforeAll(async () => {
  templates = await readRepoTemplates()
})

const ESSAY_TEXT =
  '---\ntitle: Judul Esai\nauthor: Penulis Uji\n---\n## Satu {#satu}\n\nPar satu. Kalimat dua.\n\n## Dua {#dua}\n\nIsi dua yang lebih panjang dari yang lain, dengan beberapa kalimat. Kalimat kedua.\n\n## Tiga {#tiga}\n\nIsi tiga.\n'
const ESSAY = parseEssay(ESSAY_TEXT, 'uji', 'uji.md')
const STORYBOARD = parseStoryboard(
  `slides:
  - layout: title
  - layout: agenda
  - { layout: points, section: satu, title: Poin, points: [a, b] }
  - { layout: points, section: dua, title: Poin dua, points: [satu dua tiga empat lima enam tujuh delapan sembilan sepuluh, c, d, e] }
  - { layout: quote, section: dua, quote: Kutipan. }
  - { layout: text, section: tiga }
  - layout: closing
`,
  'uji.deck.yaml',
  ESSAY,
)
const THEME = 'tema-uji'
const BANDUNG = makeOffice({ id: 'kota-bandung', name: 'KPU Kota Bandung', colors: { primary: '#8f1d21', accent: '#e0a526' } })
const BOGOR = makeOffice({ id: 'kabupaten-bogor', name: 'KPU Kabupaten Bogor yang Namanya Panjang Sekali', colors: { primary: '#123456', accent: '#abcdef' } })

/**
 * A stand-in for the browser: each slide's fill is its visible text's length (comments, footers
 * and headers left out) times the zoom of its step of larger type; past 1 it overflows.
 */
function standIn(scale = 1): { measure: (markdown: string) => Measured; calls: () => number } {
  let calls = 0
  return {
    calls: () => calls,
    measure(markdown) {
      calls++
      const body = markdown.replace(/^---\n[\s\S]*?\n---\n/, '')
      const measures = body.split(/\n---\n/).map((chunk, index) => {
        const text = chunk.replace(/<!--[\s\S]*?-->/g, '').replace(/\s+/g, ' ')
        const grow = Number(/grow-(\d)/.exec(chunk)?.[1] ?? 0)
        const fill = Math.round(Math.min(1, text.length / 260) * (GROW_ZOOM[grow] ?? 1) * scale * 1000) / 1000
        return { index, fill }
      })
      return {
        fills: measures.map((m) => m.fill),
        overflows: measures.filter((m) => m.fill > 1).map((m) => ({ slide: m.index + 1, layout: '?', title: '', pixels: Math.ceil((m.fill - 1) * 100) })),
      }
    },
  }
}

function startDeck(office: Office): { state: FitState; replan: (tuning: ReadonlyMap<number, Tuning>) => Pick<FitState, 'deck' | 'markdown'> } {
  const render = compileDeckTemplates(templates)
  const replan = (tuning: ReadonlyMap<number, Tuning>) => {
    const deck = planDeck(ESSAY, STORYBOARD, office, tuning)
    return { deck, markdown: render(deck) }
  }
  return { state: { ...replan(new Map()), tuning: new Map(), repairs: 0 }, replan }
}

async function fitDeck(office: Office, cache: FitCache, measurer = standIn()) {
  const { state, replan } = startDeck(office)
  startFromHint(state, replan, cache, THEME)
  const overflows = await fitSlides(state, replan, cache, THEME, async () => measurer.measure(state.markdown))
  return { overflows, markdown: state.markdown, tuning: state.tuning, measured: measurer.calls() }
}

describe('fit hints: a deck starts where another office’s copy of it ended', () => {
  it('the second office’s deck is measured once and ends as it would measured from scratch', async () => {
    const cache = emptyFitCache()
    const first = await fitDeck(BANDUNG, cache)
    expect(first.overflows).toEqual([])
    // The stand-in makes the first points slide sparse: one round of larger type, so two measurements.
    expect(first.measured).toBe(2)
    expect([...first.tuning.values()].some((t) => (t.grow ?? []).some((step) => step > 0))).toBe(true)

    const hinted = await fitDeck(BOGOR, cache)
    const fromScratch = await fitDeck(BOGOR, emptyFitCache())
    expect(hinted.measured).toBe(1)
    expect(fromScratch.measured).toBe(2)
    expect(hinted.markdown).toBe(fromScratch.markdown)
    expect(hinted.markdown).toContain('KPU Kabupaten Bogor yang Namanya Panjang Sekali')
  })

  it('a hint that measures otherwise is dropped: the deck starts over from its plain plan, ends as from scratch, and its own fit replaces the hint', async () => {
    const cache = emptyFitCache()
    const first = await fitDeck(BANDUNG, cache)
    // Another office whose slides lay out otherwise (say, a template of its own): fuller slides,
    // so that its points slides keep the normal size where the first office's grew.
    const hinted = await fitDeck(BOGOR, cache, standIn(2.5))
    const fromScratch = await fitDeck(BOGOR, emptyFitCache(), standIn(2.5))
    expect(first.markdown).toContain('_class: points balanced grow-')
    expect(fromScratch.markdown).not.toContain('_class: points balanced grow-')
    expect(hinted.markdown).toBe(fromScratch.markdown)
    // The hint's own measurement, then the plain plan's.
    expect(hinted.measured).toBe(fromScratch.measured + 1)
    // The hint found wrong is replaced by the deck's own: the next office like it is measured once.
    const next = await fitDeck(makeOffice({ ...BOGOR, id: 'kota-depok', name: 'KPU Kota Depok' }), cache, standIn(2.5))
    expect(next.measured).toBe(1)
    expect(next.markdown).toBe(fromScratch.markdown.replaceAll('KPU Kabupaten Bogor yang Namanya Panjang Sekali', 'KPU Kota Depok'))
  })

  it('a deck whose loop did not end with every slide fitting hands on nothing', async () => {
    const cache = emptyFitCache()
    const overflowing = await fitDeck(BANDUNG, cache, standIn(8))
    expect(overflowing.overflows?.length).toBeGreaterThan(0)
    expect(cache.hints?.size ?? 0).toBe(0)
  })

  it('the key: the same for offices that differ in name, colours and session; another for other slide text, theme or slides', () => {
    const key = (office: Office, essay = ESSAY, theme = THEME) => {
      const deck = planDeck(essay, STORYBOARD, office)
      return hintKey(deck, compileDeckTemplates(templates)(deck), theme, SPARSE_LAYOUTS)
    }
    const withSession = makeOffice({ ...BOGOR, session: { date: '2027-01-11', venue: 'Aula', trainers: ['Ibu A', 'Bapak B'] } as Office['session'] })
    expect(key(BOGOR)).toBe(key(BANDUNG))
    expect(key(withSession)).toBe(key(BANDUNG))
    const otherText = parseEssay(ESSAY_TEXT.replace('Isi tiga.', 'Isi tiga berbeda.'), 'uji', 'uji.md')
    expect(key(BANDUNG, otherText)).not.toBe(key(BANDUNG))
    expect(key(BANDUNG, ESSAY, 'tema-lain')).not.toBe(key(BANDUNG))
    expect(key(makeOffice({ ...BANDUNG, slides: { exclude: ['satu'], extra: [] } }))).not.toBe(key(BANDUNG))
    expect(key(makeOffice({ ...BANDUNG, aspect: '4:3' }))).not.toBe(key(BANDUNG))
  })
})

describe('a hint in the stored fit cache', () => {
  const hint = (cut?: boolean) => ({
    tuning: new Map([[3, { scale: 0.25, dense: true, ...(cut !== undefined && { cut }) }]]),
    caps: new Map(),
    slides: [{ index: 4, fill: 0.5, overflow: 0 }],
  })
  const stored = (cut?: boolean): string => serializeFitCache({ version: 1, slides: {}, hints: new Map([['d'.repeat(64), hint(cut)]]) }).toString()

  it('keeps a cut sentence; the checksum covers it, and a hint written before cuts keeps its checksum', () => {
    expect(verifyFitCache(stored(true))?.hints?.get('d'.repeat(64))?.tuning.get(3)).toEqual({ scale: 0.25, dense: true, cut: true })
    expect(verifyFitCache(stored(true).replace('"cut":true', '"cut":false'))).toBeUndefined()
    // Written before cuts existed (no "cut"): read as it was, with the same checksum.
    expect(stored(undefined)).toBe(stored(false).replace(',"cut":false', ''))
    expect(verifyFitCache(stored(undefined))?.hints?.get('d'.repeat(64))?.tuning.get(3)).toEqual({ scale: 0.25, dense: true })
  })
})
