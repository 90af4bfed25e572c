import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseEssay } from '../../src/content/essay.ts'
import { parseStoryboard } from '../../src/content/storyboard.ts'
import { deriveStoryboard } from '../../src/plan/derive.ts'
import { GROW_ZOOM, growTuning, repairTuning } from '../../src/plan/fit.ts'
import { BUDGETS, formatClock, formatMinutes, planDeck, type Tuning } from '../../src/plan/plan.ts'
import { splitSentences } from '../../src/plan/text.ts'
import { LAYOUTS } from '../../src/shared/schema.ts'
import { pageStateSchema, slideContentSchema } from '../../src/shared/slide-schema.ts'
import type { Deck, Essay, ExtraSlide, Slide, Storyboard } from '../../src/shared/types.ts'
import { makeOffice } from '../unit-helpers.ts'

// Planning: Essay × Storyboard × Office → slides, notes, minutes and continuation slides. Pure.

const ESSAY = parseEssay(
  '---\ntitle: Judul Esai\nsubtitle: Sub Esai\nauthor: Penulis Uji\n---\nBuka.\n\n## Satu {#satu}\n\nPar satu. Kalimat dua.\n\nPar dua.\n\n## Dua {#dua}\n\nIsi dua.\n\n## Tiga {#tiga}\n\nIsi tiga.\n',
  'uji',
  'uji.md',
)

const STORYBOARD = parseStoryboard(
  `slides:
  - layout: title
  - layout: agenda
  - layout: points
    section: satu
    title: Poin
    points: [a, b]
    minutes: 5
  - layout: quote
    section: satu
    quote: Kutipan.
    minutes: 3
  - layout: question
    section: dua
    question: Apa?
    notes: Catatan sendiri.
  - layout: text
    section: dua
  - layout: section
    section: tiga
  - layout: closing
`,
  'uji.deck.yaml',
  ESSAY,
)

const summary = (deck: Deck) => deck.slides.map((s) => `${s.layout}:${s.title}`)
const notesOf = (deck: Deck) => deck.slides.flatMap((s) => s.notes)

describe('slides from a storyboard', () => {
  const deck = planDeck(ESSAY, STORYBOARD, makeOffice())

  it('one slide per storyboard slide, with titles from the slide, the section or the layout', () => {
    expect(summary(deck)).toEqual([
      'title:Judul Esai',
      'agenda:Agenda',
      'points:Poin',
      'quote:Kutipan: Kutipan.',
      'question:Diskusi 1: Apa?',
      'text:Dua',
      'section:Tiga',
      'closing:Terima kasih',
    ])
    expect(deck.slides.map((s) => s.source)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(deck.office.id).toBe('kota-uji')
    expect(deck.essay).toBe(ESSAY)
  })

  it('fills every field a template reads, absent ones as null', () => {
    expect(deck.slides[0]?.fields).toEqual({
      title: 'Judul Esai',
      subtitle: 'Sub Esai',
      points: null,
      items: null,
      quote: null,
      attribution: null,
      question: null,
      text: null,
      columns: null,
      minutes: null,
      part: null,
      band: false,
      continued: false,
      dense: false,
      grow: 0,
      balanced: false,
    })
    expect(deck.slides[3]?.fields).toMatchObject({ title: null, quote: '“Kutipan.”', attribution: 'Penulis Uji', minutes: '3' })
    expect(deck.slides[5]?.fields).toMatchObject({ title: 'Dua', text: 'Isi dua.' })
  })

  it('the agenda lists the sections in order of their first slide, with planned minutes, marking the parts with a discussion', () => {
    expect(deck.slides[1]?.fields.items).toEqual([
      { number: 1, term: 'Satu', text: '8 menit' },
      { number: 2, term: 'Dua', text: 'diskusi' },
      { number: 3, term: 'Tiga', text: '' },
    ])
  })

  it('minutes and the agenda part each slide belongs to', () => {
    expect(deck.slides.map((s) => s.minutes ?? null)).toEqual([null, null, 5, 3, null, null, null, null])
    expect(deck.slides.map((s) => s.part ?? null)).toEqual([
      null,
      null,
      { index: 1, total: 3, minutes: 8 },
      { index: 1, total: 3, minutes: 8 },
      { index: 2, total: 3, minutes: null },
      { index: 2, total: 3, minutes: null },
      { index: 3, total: 3, minutes: null },
      null,
    ])
  })
})

describe('speaker notes', () => {
  it("a section's sentences go to the slides bound to it, each exactly once; a divider alone takes them", () => {
    const deck = planDeck(ESSAY, STORYBOARD, makeOffice())
    expect([...notesOf(deck)].join(' ')).toBe('Par satu. Kalimat dua. Par dua. Catatan sendiri. Isi dua. Isi tiga.')
    expect(deck.slides[6]?.notes).toEqual(['Isi tiga.'])
  })

  it("a discussion slide's own notes stay on it; the section's sentences go to the slide that says them", () => {
    const deck = planDeck(ESSAY, STORYBOARD, makeOffice())
    expect(deck.slides[4]?.notes).toEqual(['Catatan sendiri.'])
    expect(deck.slides[5]?.notes).toEqual(['Isi dua.'])
  })

  it('each sentence goes to the slide that says it, in order, paragraphs kept', () => {
    const essay = parseEssay(
      '---\ntitle: T\nauthor: A\n---\n\n## Nilai {#nilai}\n\nNetralitas dijaga dalam setiap tahapan pemilu. Pelayanan publik diberikan dengan ramah.\n\nAkuntabilitas berarti laporan yang dapat diperiksa.\n',
      'n',
      'n.md',
    )
    const storyboard = parseStoryboard(
      `slides:
  - { layout: points, section: nilai, title: Netralitas, points: [Menjaga netralitas di setiap tahapan] }
  - { layout: question, section: nilai, question: "Apa contohnya?", notes: "Tanya dulu." }
  - { layout: pillars, section: nilai, title: Pelayanan dan akuntabilitas, columns: [{ title: Pelayanan, text: Ramah }, { title: Akuntabel, text: Laporan diperiksa }] }
`,
      'n.deck.yaml',
      essay,
    )
    const deck = planDeck(essay, storyboard, makeOffice())
    expect(deck.slides.map((s) => s.notes)).toEqual([
      ['Netralitas dijaga dalam setiap tahapan pemilu.'],
      ['Tanya dulu.'],
      ['Pelayanan publik diberikan dengan ramah.', 'Akuntabilitas berarti laporan yang dapat diperiksa.'],
    ])
  })

  it('in a derived deck, every sentence of the essay is in the notes once, in order, on the slide that shows it', () => {
    const deck = planDeck(ESSAY, deriveStoryboard(ESSAY), makeOffice())
    expect(notesOf(deck)).toEqual(ESSAY.sections.flatMap((s) => s.paragraphs))
    for (const divider of deck.slides.filter((s) => s.layout === 'section')) expect(divider.notes).toEqual([])
    for (const slide of deck.slides.filter((s) => s.layout === 'text' || s.layout === 'statement')) {
      for (const sentence of splitSentences(String(slide.fields.text))) expect(slide.notes.join(' ')).toContain(sentence)
    }
  })
})

describe('office changes', () => {
  const extra = (slide: Partial<ExtraSlide> & Pick<ExtraSlide, 'after'>): ExtraSlide => ({ layout: 'points', title: 'Tambahan', points: ['x'], ...slide })

  it('exclude drops the slides, agenda entry and notes of a section', () => {
    const deck = planDeck(ESSAY, STORYBOARD, makeOffice({ slides: { exclude: ['satu'], extra: [] } }))
    expect(summary(deck)).toEqual(['title:Judul Esai', 'agenda:Agenda', 'question:Diskusi 1: Apa?', 'text:Dua', 'section:Tiga', 'closing:Terima kasih'])
    expect(deck.slides[1]?.fields.items).toEqual([
      { number: 1, term: 'Dua', text: 'diskusi' },
      { number: 2, term: 'Tiga', text: '' },
    ])
    expect(notesOf(deck)).not.toContain('Par dua.')
    expect(deck.slides[2]?.part).toEqual({ index: 1, total: 2, minutes: null })
  })

  it('extra slides go after the last slide of their section, in the order listed', () => {
    const office = makeOffice({ slides: { exclude: [], extra: [extra({ after: 'satu', title: 'E1' }), extra({ after: 'satu', title: 'E2' })] } })
    expect(summary(planDeck(ESSAY, STORYBOARD, office))).toEqual([
      'title:Judul Esai',
      'agenda:Agenda',
      'points:Poin',
      'quote:Kutipan: Kutipan.',
      'points:E2',
      'points:E1',
      'question:Diskusi 1: Apa?',
      'text:Dua',
      'section:Tiga',
      'closing:Terima kasih',
    ])
  })

  it('after a section without slides: before the closing slide; after an excluded or unknown section: dropped', () => {
    const office = makeOffice({
      slides: {
        exclude: ['dua'],
        extra: [extra({ after: 'pembuka', title: 'Buka' }), extra({ after: 'dua', title: 'Hilang' }), extra({ after: 'lima', title: 'Asing' })],
      },
    })
    const titles = summary(planDeck(ESSAY, STORYBOARD, office))
    expect(titles.slice(-2)).toEqual(['points:Buka', 'closing:Terima kasih'])
    expect(titles.join()).not.toMatch(/Hilang|Asing/)
  })

  it('an extra slide bound to a section takes its notes when it comes first', () => {
    const office = makeOffice({ slides: { exclude: [], extra: [extra({ after: 'satu', section: 'tiga', title: 'E' })] } })
    const deck = planDeck(ESSAY, STORYBOARD, office)
    const e = deck.slides.find((s) => s.title === 'E') as Slide
    expect(e.notes).toEqual(['Isi tiga.'])
    expect(deck.slides.find((s) => s.title === 'Tiga')?.notes).toEqual([])
  })
})

// Thirty sentences of 71 or 72 characters: 2,150 characters of reading text for one section.
const LONG = Array.from({ length: 30 }, (_, i) => `Kalimat nomor ${i + 1} tentang integritas dan netralitas penyelenggara pemilu.`)
const LONG_ESSAY = parseEssay(`---\ntitle: Panjang\nauthor: A\n---\n## Paragraf Panjang {#panjang}\n\n${LONG.join(' ')}\n`, 'panjang', 'panjang.md')
const TEXT_SOURCE = 3 // title, agenda, divider, then the reading slide

/** A deck that reads each section as text (a storyboard may ask for it): what these splitting tests need. */
function readingStoryboard(essay: Essay): Storyboard {
  const parts = essay.sections.flatMap((s): Storyboard['slides'] => [
    { layout: 'section', section: s.id },
    { layout: 'text', section: s.id },
  ])
  return { slides: [{ layout: 'title' }, { layout: 'agenda' }, ...parts, { layout: 'closing' }], derived: false }
}

const pagesOf = (deck: Deck, source: number) => deck.slides.filter((s) => s.source === source)

describe('continuation slides', () => {
  it('long reading text is split at sentence boundaries into "(lanjutan)" slides, each sentence once, in order', () => {
    const deck = planDeck(LONG_ESSAY, readingStoryboard(LONG_ESSAY), makeOffice())
    const pages = pagesOf(deck, TEXT_SOURCE)
    expect(pages.length).toBe(4)
    expect(pages.map((p) => p.title)).toEqual(['Paragraf Panjang', ...Array(3).fill('Paragraf Panjang (lanjutan)')])
    expect(pages.map((p) => p.fields.continued)).toEqual([false, true, true, true])
    const texts = pages.map((p) => p.fields.text as string)
    expect(texts.flatMap((t) => splitSentences(t))).toEqual(LONG)
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(BUDGETS['16:9'].text)
    expect(pages.map((p) => p.units)).toEqual(texts.map((t) => splitSentences(t).length))
    // Each page's notes are the sentences it shows: every sentence once.
    expect(pages.map((p) => p.notes.join(' '))).toEqual(texts)
    expect(notesOf(deck).join(' ')).toEqual(LONG.join(' '))
  })

  it('4:3 slides hold less: more continuation slides', () => {
    const wide = pagesOf(planDeck(LONG_ESSAY, readingStoryboard(LONG_ESSAY), makeOffice()), TEXT_SOURCE)
    const narrow = pagesOf(planDeck(LONG_ESSAY, readingStoryboard(LONG_ESSAY), makeOffice({ aspect: '4:3' })), TEXT_SOURCE)
    expect(narrow.length).toBeGreaterThan(wide.length)
    for (const page of narrow) expect((page.fields.text as string).length).toBeLessThanOrEqual(BUDGETS['4:3'].text)
  })

  it('a tuning scales the budget of that storyboard slide only, and dense sets denser type', () => {
    const tuning = new Map<number, Tuning>([[TEXT_SOURCE, { scale: 0.4, dense: true }]])
    const deck = planDeck(LONG_ESSAY, readingStoryboard(LONG_ESSAY), makeOffice(), tuning)
    const pages = pagesOf(deck, TEXT_SOURCE)
    // 260 characters: three sentences of about 72 a slide.
    expect(pages.length).toBe(10)
    for (const page of pages) expect((page.fields.text as string).length).toBeLessThanOrEqual(Math.floor(BUDGETS['16:9'].text * 0.4))
    expect(pages.every((p) => p.fields.dense === true)).toBe(true)
    expect(deck.slides.filter((s) => s.source !== TEXT_SOURCE).every((s) => s.fields.dense === false)).toBe(true)
    expect(pages.flatMap((p) => splitSentences(p.fields.text as string))).toEqual(LONG)
  })

  it('a word is never split: a sentence longer than a slide keeps a slide of its own', () => {
    const word = 'Pertanggungjawabanketatausahaanpemilu'.repeat(25)
    const essay = parseEssay(`---\ntitle: T\nauthor: A\n---\n## Kata {#kata}\n\nAwal. ${word}. Akhir.\n`, 'kata', 'kata.md')
    const pages = pagesOf(planDeck(essay, readingStoryboard(essay), makeOffice()), TEXT_SOURCE)
    expect(pages.map((p) => p.fields.text)).toEqual(['Awal.', `${word}.`, 'Akhir.'])
    expect(pages.map((p) => p.units)).toEqual([1, 1, 1])
  })

  it('points, acronym items and agenda entries are split at item boundaries, each once', () => {
    const points = Array.from({ length: 15 }, (_, i) => `Butir ${i + 1}: ${'isi butir '.repeat(8).trim()}`)
    const items = Array.from({ length: 12 }, (_, i) => ({ term: String.fromCharCode(65 + i), text: `Nilai ${i + 1}` }))
    const sections = Array.from({ length: 9 }, (_, i) => `## Bagian ${i + 1}\n\nIsi ${i + 1}.\n`).join('\n')
    const essay = parseEssay(`---\ntitle: T\nauthor: A\n---\n${sections}`, 'daftar', 'daftar.md')
    const storyboard = {
      derived: false,
      slides: [
        { layout: 'agenda' as const },
        { layout: 'points' as const, section: 'bagian-1', title: 'Lima Belas Butir', points },
        { layout: 'acronym' as const, section: 'bagian-2', title: 'Akronim', items },
        ...Array.from({ length: 7 }, (_, i) => ({ layout: 'section' as const, section: `bagian-${i + 3}` })),
      ],
    }
    const deck = planDeck(essay, storyboard, makeOffice())
    const agenda = pagesOf(deck, 0)
    expect(agenda.map((p) => (p.fields.items as unknown[]).length)).toEqual([5, 4])
    // The continuation page numbers on from the first.
    expect(agenda.map((p) => p.fields.items?.map((item) => ('number' in item ? item.number : 0)))).toEqual([
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9],
    ])
    expect(agenda.map((p) => p.title)).toEqual(['Agenda', 'Agenda (lanjutan)'])
    const pointPages = pagesOf(deck, 1)
    expect(pointPages.length).toBeGreaterThan(1)
    expect(pointPages.flatMap((p) => p.fields.points)).toEqual(points)
    expect(pointPages.slice(1).every((p) => p.title === 'Lima Belas Butir (lanjutan)')).toBe(true)
    const itemPages = pagesOf(deck, 2)
    expect(itemPages.map((p) => (p.fields.items as unknown[]).length)).toEqual([6, 6])
    expect(itemPages.flatMap((p): unknown[] => p.fields.items ?? [])).toEqual(items)
    // Notes and minutes belong to the first page only.
    expect(pointPages.map((p) => p.notes)).toEqual([['Isi 1.'], ...Array(pointPages.length - 1).fill([])])
  })

  it('a long quote is split with "…" at the joins; minutes stay on the first page', () => {
    const quote = LONG.slice(0, 8).join(' ')
    const storyboard = { derived: false, slides: [{ layout: 'quote' as const, quote, minutes: 4 }] }
    const pages = planDeck(LONG_ESSAY, storyboard, makeOffice()).slides
    // 300 characters a quote slide: four sentences each.
    expect(pages.map((p) => p.fields.quote)).toEqual([`“${LONG.slice(0, 4).join(' ')} …”`, `“… ${LONG.slice(4, 8).join(' ')}”`])
    expect(pages.map((p) => p.minutes ?? null)).toEqual([4, null])
    // What the template prints: Indonesian writes a decimal comma ("2,5 menit").
    expect(pages.map((p) => p.fields.minutes)).toEqual(['4', null])
    expect(pages.map((p) => (p.fields.quote as string).replace(/^“(… )?|( …)?”$/g, '')).join(' ')).toBe(quote)
  })
})

// One sentence of 1,900 characters, in clauses, as a circular writes them ("Sehubungan dengan …").
const CLAUSES = Array.from({ length: 40 }, (_, i) => `butir pertimbangan ke-${i + 1} yang dibaca`)
const ONE_SENTENCE = `Sehubungan dengan ${CLAUSES.join(', ')}.`
const ONE_SENTENCE_ESSAY = parseEssay(`---\ntitle: T\nauthor: A\n---\n## Satu Kalimat {#satu}\n\n${ONE_SENTENCE}\n`, 'satu', 'satu.md')

describe('a sentence longer than a slide', () => {
  it('is cut after its clauses into "(lanjutan)" slides within the budget, each cut marked "…", its words in order', () => {
    const pages = pagesOf(planDeck(ONE_SENTENCE_ESSAY, readingStoryboard(ONE_SENTENCE_ESSAY), makeOffice()), TEXT_SOURCE)
    expect(pages.length).toBe(Math.ceil(ONE_SENTENCE.length / BUDGETS['16:9'].text))
    const texts = pages.map((p) => p.fields.text as string)
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(BUDGETS['16:9'].text)
    expect(texts.slice(0, -1).every((text) => text.endsWith(', …'))).toBe(true)
    expect(texts.slice(1).every((text) => text.startsWith('… '))).toBe(true)
    expect(texts.map((text) => text.replace(/^… | …$/g, '')).join(' ')).toBe(ONE_SENTENCE)
    expect(pages.map((p) => p.title)).toEqual(['Satu Kalimat', ...Array(pages.length - 1).fill('Satu Kalimat (lanjutan)')])
  })

  it('up to one and a half slides keeps a slide of its own until denser type was tried', () => {
    const sentence = `${CLAUSES.slice(0, 22).join(', ')}.`
    expect(sentence.length).toBeGreaterThan(BUDGETS['16:9'].text)
    expect(sentence.length).toBeLessThan(BUDGETS['16:9'].text * 1.5)
    const essay = parseEssay(`---\ntitle: T\nauthor: A\n---\n## Satu {#satu}\n\n${sentence}\n`, 'satu', 'satu.md')
    const pagesWith = (tune: Tuning) => pagesOf(planDeck(essay, readingStoryboard(essay), makeOffice(), new Map([[TEXT_SOURCE, tune]])), TEXT_SOURCE).length
    expect([pagesWith({ scale: 1, dense: false }), pagesWith({ scale: 1, dense: true }), pagesWith({ scale: 1, dense: true, cut: true })]).toEqual([1, 1, 2])
  })

  it('that denser type does not fit is cut at the largest budget shorter than it, after denser type was tried', () => {
    const sentence = `${CLAUSES.slice(0, 8).join(', ')}.`
    const essay = parseEssay(`---\ntitle: T\nauthor: A\n---\n## Satu {#satu}\n\n${sentence}\n`, 'satu', 'satu.md')
    const storyboard = readingStoryboard(essay)
    let tuning: Map<number, Tuning> = new Map()
    const seen: string[] = []
    for (let round = 0; round < 12; round++) {
      const deck = planDeck(essay, storyboard, makeOffice(), tuning)
      const pages = pagesOf(deck, TEXT_SOURCE)
      const next = repairTuning(tuning, deck, [{ slide: deck.slides.indexOf(pages[0] as Slide) + 1, layout: 'text', title: 'x', pixels: 40 }])
      if (!next) break
      tuning = next
      const tune = tuning.get(TEXT_SOURCE) as Tuning
      seen.push(
        `${tune.scale}${tune.dense ? ' dense' : ''}${tune.cut ? ' cut' : ''}: ${pagesOf(planDeck(essay, storyboard, makeOffice(), tuning), TEXT_SOURCE).length}`,
      )
    }
    // 295 characters: one page until the budget (650 × scale) is smaller than the sentence.
    expect(sentence.length).toBe(295)
    // The cut takes the largest budget shorter than the sentence (no round that changes nothing), then stops: a smaller budget would not change the pages.
    expect(seen).toEqual(['1 dense: 1', '0.4 dense cut: 2'])
  })

  it('at a smaller budget too, denser type is tried with the sentence whole; only then is it cut', () => {
    // Over the budget at 0.4 (260 characters), within one and a half of it.
    const sentence = `${CLAUSES.slice(0, 8).join(', ')}.`
    expect(sentence.length).toBeGreaterThan(BUDGETS['16:9'].text * 0.4)
    expect(sentence.length).toBeLessThan(BUDGETS['16:9'].text * 0.4 * 1.5)
    const essay = parseEssay(`---\ntitle: T\nauthor: A\n---\n## Satu {#satu}\n\n${sentence}\n`, 'satu', 'satu.md')
    const deckWith = (tune: Tuning) => planDeck(essay, readingStoryboard(essay), makeOffice(), new Map([[TEXT_SOURCE, tune]]))
    const textsWith = (tune: Tuning) => pagesOf(deckWith(tune), TEXT_SOURCE).map((page) => page.fields.text)
    expect(textsWith({ scale: 0.4, dense: true })).toEqual([sentence])
    expect(textsWith({ scale: 0.4, dense: true, cut: true })).toHaveLength(2)
    const repairOf = (tune: Tuning) => {
      const deck = deckWith(tune)
      const slide = deck.slides.findIndex((s) => s.source === TEXT_SOURCE) + 1
      return repairTuning(new Map([[TEXT_SOURCE, tune]]), deck, [{ slide, layout: 'text', title: 'x', pixels: 40 }])?.get(TEXT_SOURCE)
    }
    expect(repairOf({ scale: 0.4, dense: false })).toEqual({ scale: 0.4, dense: true })
    // The sentence is longer than this budget: cut at it, the type as large as it was.
    expect(repairOf({ scale: 0.4, dense: true })).toEqual({ scale: 0.4, dense: true, cut: true })
  })
})

describe('repairTuning: what the fit check changes after an overflow', () => {
  it('shrinks the budget step by step down to a quarter, then uses denser type, then gives up', () => {
    const storyboard = readingStoryboard(LONG_ESSAY)
    let tuning: Map<number, Tuning> = new Map()
    const seen: string[] = []
    for (let round = 0; round < 12; round++) {
      const deck = planDeck(LONG_ESSAY, storyboard, makeOffice(), tuning)
      // Pretend the first reading slide always overflows.
      const slide = deck.slides.findIndex((s) => s.source === TEXT_SOURCE) + 1
      const next = repairTuning(tuning, deck, [{ slide, layout: 'text', title: 'x', pixels: 40 }])
      if (!next) break
      tuning = next
      const tune = tuning.get(TEXT_SOURCE) as Tuning
      seen.push(`${tune.scale}${tune.dense ? ' dense' : ''}`)
    }
    expect(seen).toEqual(['0.85', '0.7', '0.55', '0.4', '0.25', '0.25 dense'])
    const pages = pagesOf(planDeck(LONG_ESSAY, storyboard, makeOffice(), tuning), TEXT_SOURCE)
    // A quarter of 650 characters: two sentences a slide.
    expect(pages.map((p) => p.units)).toEqual(Array(15).fill(2))
    expect(pages.every((p) => p.fields.dense === true)).toBe(true)
  })

  it('a slide that cannot be split (title, one sentence) goes straight to denser type', () => {
    const deck = planDeck(ESSAY, STORYBOARD, makeOffice())
    expect(repairTuning(new Map(), deck, [{ slide: 1, layout: 'title', title: 'Judul Esai', pixels: 10 }])).toEqual(new Map([[0, { scale: 1, dense: true }]]))
    expect(repairTuning(new Map([[0, { scale: 1, dense: true }]]), deck, [{ slide: 1, layout: 'title', title: 'Judul Esai', pixels: 10 }])).toBeUndefined()
  })
})

describe('visual layouts, parts and small things', () => {
  const essay = parseEssay('---\ntitle: T\nauthor: Penulis\n---\n\n## Satu {#satu}\n\nKalimat satu.\n\n## Dua {#dua}\n\nKalimat dua.\n', 'v', 'v.md')
  const storyboard = parseStoryboard(
    `dividers: true
slides:
  - { layout: title }
  - { layout: agenda, minutes: 2 }
  - { layout: contrast, section: satu, title: Siapa, columns: [{ title: Bukan, points: [Individu] }, { title: Melainkan, text: Lembaga }], minutes: 5 }
  - { layout: grid, section: satu, title: Tugas, items: [{ icon: users, text: Melayani }, { icon: scale, text: Netral }], minutes: 3 }
  - { layout: question, section: satu, title: Diskusi, question: "Apa?", minutes: 10 }
  - { layout: statement, section: dua, text: "Satu kalimat besar.", minutes: 1 }
  - { layout: question, section: dua, question: "Lalu?", minutes: 10 }
  - { layout: quote, section: dua, quote: "nilai tumbuh dari dalam" }
  - { layout: closing }
`,
    'v.deck.yaml',
    essay,
  )

  it('a divider before each part when the storyboard asks, with "Bagian n dari N · m menit"', () => {
    const deck = planDeck(essay, storyboard, makeOffice())
    const dividers = deck.slides.filter((s) => s.layout === 'section')
    expect(dividers.map((s) => [s.fields.title, s.fields.subtitle])).toEqual([
      ['Satu', 'Bagian 1 dari 2 · 18 menit'],
      ['Dua', 'Bagian 2 dari 2 · 11 menit'],
    ])
    expect(deck.slides.map((s) => s.layout)).toEqual([
      'title',
      'agenda',
      'section',
      'contrast',
      'grid',
      'question',
      'section',
      'statement',
      'question',
      'quote',
      'closing',
    ])
    expect(planDeck(essay, { ...storyboard, dividers: false }, makeOffice()).slides.some((s) => s.layout === 'section')).toBe(false)
  })

  it('the agenda shows clock times from the session start, through every slide before, written as EYD writes time', () => {
    const deck = planDeck(essay, storyboard, makeOffice({ session: { start: '08:30' } }))
    expect(deck.slides[1]?.fields.items).toEqual([
      { number: 1, term: 'Satu', text: '08.32–08.50 · 18 menit · diskusi' },
      { number: 2, term: 'Dua', text: '08.50–09.01 · 11 menit · diskusi' },
    ])
    // The whole session, its opening included, as the agenda's subtitle.
    expect(deck.slides[1]?.fields.subtitle).toMatch(/^08\.30–\d\d\.\d\d · \d+ menit$/)
    // Each slide's planned time, for the trainer's handout.
    expect(deck.slides.slice(0, 3).map((slide) => slide.clock)).toEqual(['08.30', '08.30–08.32', expect.stringMatching(/^08\.32/)])
    expect(planDeck(essay, storyboard, makeOffice()).slides[1]?.fields.items).toEqual([
      { number: 1, term: 'Satu', text: '18 menit · diskusi' },
      { number: 2, term: 'Dua', text: '11 menit · diskusi' },
    ])
  })

  it('discussion slides are numbered, and every outline entry is distinct', () => {
    const deck = planDeck(essay, storyboard, makeOffice())
    const questions = deck.slides.filter((s) => s.layout === 'question')
    expect(questions.map((s) => [s.fields.title, s.title])).toEqual([
      ['Diskusi 1', 'Diskusi 1: Apa?'],
      ['Diskusi 2', 'Diskusi 2: Lalu?'],
    ])
    const titles = deck.slides.map((s) => s.title)
    expect(new Set(titles).size).toBe(titles.length)
  })

  it("a quotation keeps the author's marks inside it; marks around the whole of it are the slide's own", () => {
    const quoteOf = (quote: string) => planDeck(essay, { derived: false, slides: [{ layout: 'quote', quote }] }, makeOffice()).slides[0]?.fields.quote
    expect(quoteOf('UU Nomor 7 Tahun 2017, Pasal 3: "Penyelenggara Pemilu harus mandiri."')).toBe(
      '“UU Nomor 7 Tahun 2017, Pasal 3: "Penyelenggara Pemilu harus mandiri."”',
    )
    expect(quoteOf('"Penyelenggara Pemilu harus mandiri."')).toBe('“Penyelenggara Pemilu harus mandiri.”')
    expect(quoteOf('“Penyelenggara Pemilu harus mandiri.”')).toBe('“Penyelenggara Pemilu harus mandiri.”')
    expect(quoteOf('"Jujur" dan "adil" kata kuncinya.')).toBe('“"Jujur" dan "adil" kata kuncinya.”')
  })

  it('a quote that starts mid-sentence gets "…" and quotation marks; its outline entry is short', () => {
    const quote = planDeck(essay, storyboard, makeOffice()).slides.find((s) => s.layout === 'quote')
    expect(quote?.fields.quote).toBe('“… nilai tumbuh dari dalam”')
    expect(quote?.title).toBe('Kutipan: nilai tumbuh dari dalam')
  })

  it('columns, grid items and statements reach the templates as written', () => {
    const deck = planDeck(essay, storyboard, makeOffice())
    expect(deck.slides[3]?.fields.columns).toEqual([
      { title: 'Bukan', text: null, points: ['Individu'] },
      { title: 'Melainkan', text: 'Lembaga', points: null },
    ])
    expect(deck.slides[4]?.fields.items).toEqual([
      { icon: 'users', text: 'Melayani' },
      { icon: 'scale', text: 'Netral' },
    ])
    expect(deck.slides[7]?.fields).toMatchObject({ title: null, text: 'Satu kalimat besar.' })
  })

  it('an acronym with short words is a band of letters; one with longer texts, rows', () => {
    const short = [{ term: 'B', text: 'Berorientasi pelayanan' }]
    const long = [{ term: 'N', text: 'Netralitas kerahasiaan profesionalisme netralitas' }]
    const plan = (items: typeof short) =>
      planDeck(essay, { derived: false, slides: [{ layout: 'acronym', title: 'A', items }] }, makeOffice()).slides[0]?.fields.band
    expect([plan(short), plan(long)]).toEqual([true, false])
  })

  it('a grid longer than a slide holds is split at item boundaries', () => {
    const items = Array.from({ length: 11 }, (_, i) => ({ icon: 'users', text: `Butir ${i + 1}` }))
    const pages = planDeck(essay, { derived: false, slides: [{ layout: 'grid', title: 'Banyak', items }] }, makeOffice({ aspect: '4:3' })).slides
    expect(pages.map((p) => (p.fields.items as unknown[]).length)).toEqual([6, 5])
    expect(pages[1]?.title).toBe('Banyak (lanjutan)')
  })

  it('the fit check grows a sparse page: its step reaches the template', () => {
    const tuning = new Map<number, Tuning>([[7, { scale: 1, dense: false, grow: [2] }]])
    const deck = planDeck(essay, storyboard, makeOffice(), tuning)
    expect(deck.slides[7]?.fields.grow).toBe(2)
    expect(deck.slides.filter((s) => s.fields.grow !== 0)).toHaveLength(1)
  })
})

describe('growTuning: what the fit check changes for a sparse slide', () => {
  const deck = planDeck(ESSAY, STORYBOARD, makeOffice())
  const fills = (sparse: Record<number, number>) => deck.slides.map((_, i) => sparse[i] ?? 0.9)

  it('a sparse content slide gets the step of larger type that should fill it past the target; title, divider and closing never', () => {
    // Slide 3 (points, source 2) spans half its box: 1.4 × 0.5 = 0.7. Slide 6 (text) spans 0.2: the largest step.
    const next = growTuning(new Map(), deck, fills({ 0: 0.2, 2: 0.5, 5: 0.2, 6: 0.1, 7: 0.1 }), new Map())
    expect(next).toEqual(
      new Map([
        [2, { scale: 1, dense: false, grow: [2], balanced: [true] }],
        [5, { scale: 1, dense: false, grow: [GROW_ZOOM.length - 1], balanced: [true] }],
      ]),
    )
    expect(growTuning(new Map(), deck, fills({}), new Map())).toBeUndefined()
  })

  it('every slide of a layout takes the same step: the smallest any of them wants, so type sizes match across the deck', () => {
    const twoPoints = parseStoryboard(
      'slides:\n  - { layout: points, section: satu, title: Satu, points: [a] }\n  - { layout: points, section: dua, title: Dua, points: [b, c, d] }\n',
      'dua.deck.yaml',
      ESSAY,
    )
    const pointsDeck = planDeck(ESSAY, twoPoints, makeOffice())
    // The first is nearly empty (it alone would take the largest step), the second half full (two steps).
    const next = growTuning(new Map(), pointsDeck, [0.1, 0.5], new Map())
    expect(next).toEqual(
      new Map([
        [0, { scale: 1, dense: false, grow: [2], balanced: [true] }],
        [1, { scale: 1, dense: false, grow: [2], balanced: [true] }],
      ]),
    )
    // A full slide of the layout keeps every one of them at the normal size; the sparse one is centred.
    expect(growTuning(new Map(), pointsDeck, [0.1, 0.8], new Map())).toEqual(new Map([[0, { scale: 1, dense: false, grow: [0], balanced: [true] }]]))
  })

  it('a grown slide that overflows takes one step back, and never grows past it again', () => {
    const caps = new Map<string, number>()
    const grown = new Map<number, Tuning>([[2, { scale: 1, dense: false, grow: [3] }]])
    const back = repairTuning(grown, planDeck(ESSAY, STORYBOARD, makeOffice(), grown), [{ slide: 3, layout: 'points', title: 'Poin', pixels: 12 }], caps)
    expect(back?.get(2)).toEqual({ scale: 1, dense: false, grow: [2], balanced: [true] })
    expect(caps).toEqual(new Map([['2:0', 2]]))
    expect(growTuning(back ?? new Map(), deck, fills({ 2: 0.3 }), caps)).toBeUndefined()
  })
})

describe('Indonesian numbers (EYD)', () => {
  it('writes a time with a full stop and a decimal with a comma', () => {
    expect(formatClock(8 * 60 + 5)).toBe('08.05')
    expect(formatClock(14 * 60 + 32)).toBe('14.32')
    expect(formatMinutes(2.5)).toBe('2,5')
    expect(formatMinutes(10)).toBe('10')
  })
})

describe('the shipped deck, planned', () => {
  const essayFile = fileURLToPath(new URL('../../content/essays/ortug-kpu-jabar.md', import.meta.url))
  const essay = parseEssay(readFileSync(essayFile, 'utf8'), 'ortug-kpu-jabar', essayFile)
  const storyboard = parseStoryboard(readFileSync(essayFile.replace(/\.md$/, '.deck.yaml'), 'utf8'), 'ortug-kpu-jabar.deck.yaml', essay)

  it.each(['16:9', '4:3'] as const)('%s: every slide has exactly the fields its layout type names (slide-schema.ts)', (aspect) => {
    // The shipped storyboard has no reading-text slide: one more, with a section's whole text.
    const slides = [...storyboard.slides, { layout: 'text' as const, section: essay.sections[1]?.id }]
    const deck = planDeck(essay, { ...storyboard, slides, dividers: true }, makeOffice({ aspect }))
    expect(new Set(deck.slides.map((s) => s.layout))).toEqual(new Set(LAYOUTS))
    for (const slide of deck.slides) {
      const { continued, dense, grow, balanced, minutes, part, ...content } = slide.fields
      expect(slideContentSchema.safeParse({ layout: slide.layout, content }).error).toBeUndefined()
      expect(pageStateSchema.safeParse({ continued, dense, grow, balanced, minutes, part }).error).toBeUndefined()
    }
  })

  it('a field a layout does not use is refused by its type', () => {
    const content = { ...planDeck(essay, storyboard, makeOffice()).slides[0]?.fields, continued: undefined }
    expect(slideContentSchema.safeParse({ layout: 'title', content }).success).toBe(false)
    expect(slideContentSchema.safeParse({ layout: 'title', content: { ...content, points: ['x'] } }).success).toBe(false)
  })
})
