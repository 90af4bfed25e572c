import { fileURLToPath } from 'node:url'
import { Marp } from '@marp-team/marp-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseEssay } from '../../src/content/essay.ts'
import { parseStoryboard } from '../../src/content/storyboard.ts'
import { deriveStoryboard } from '../../src/plan/derive.ts'
import { planDeck } from '../../src/plan/plan.ts'
import { compileDeckTemplates, deckTemplateCompiler, escapeComment, escapeMarkdown, formatDateIndonesian, unescapeMarkdown } from '../../src/render/markdown.ts'
import { MARP_OPTIONS } from '../../src/render/marp.ts'
import { OrtugError } from '../../src/shared/error.ts'
import type { Deck, DeckTemplates, Essay, Storyboard } from '../../src/shared/types.ts'
import { makeOffice, RE_ORTUG_CLASS, readRepoTemplates } from '../unit-helpers.ts'

// Handlebars → Marp Markdown: data is escaped, so it is shown literally and never becomes
// Markdown, HTML or a Marp directive. Marp (marp-core, in this process) renders the result; no browser.

let templates: DeckTemplates

beforeAll(async () => {
  templates = await readRepoTemplates()
})

const ESSAY = parseEssay(
  '---\ntitle: Judul Esai\nauthor: Penulis Uji\n---\n## Satu {#satu}\n\nPar satu. Kalimat dua.\n\nPar dua.\n\n## Dua {#dua}\n\nIsi dua.\n',
  'uji',
  'uji.md',
)

const render = (deck: Deck) => compileDeckTemplates(templates)(deck)
/** The notes of each slide (the HTML comment after its body). */
const notesOf = (markdown: string) => [...markdown.matchAll(/\n<!--\n([\s\S]*?)\n-->\n/g)].map((m) => m[1] as string)

describe('escapeMarkdown', () => {
  it('backslash-escapes every ASCII punctuation character and trims each line', () => {
    expect(escapeMarkdown('  <b>*x*</b> [a](b) `c` $$ --- #1 _y_ {z} ~ | ! @ % & = ; \' " ?  ')).toBe(
      '\\<b\\>\\*x\\*\\<\\/b\\> \\[a\\]\\(b\\) \\`c\\` \\$\\$ \\-\\-\\- \\#1 \\_y\\_ \\{z\\} \\~ \\| \\! \\@ \\% \\& \\= \\; \\\' \\" \\?',
    )
    expect(escapeMarkdown('satu  \n  dua')).toBe('satu\ndua')
    expect(escapeMarkdown('Huruf, angka 123 dan — “kutip” …')).toBe('Huruf\\, angka 123 dan — “kutip” …')
  })

  it('unescapeMarkdown undoes it', () => {
    const text = '<!-- _class: x --> `a` [b](c) \\ \\\\ $$'
    expect(unescapeMarkdown(escapeMarkdown(text))).toBe(text)
  })

  it('escapeComment breaks "-->" and "<!--" (and "--!>") so notes cannot end their comment early', () => {
    expect(escapeComment('a --> b <!-- c --!> d')).toBe('a -\u200b-> b <!-\u200b- c -\u200b-!> d')
    expect(escapeComment('tanpa komentar - > -')).toBe('tanpa komentar - > -')
  })

  it('formatDateIndonesian', () => {
    expect(formatDateIndonesian('2027-01-11')).toBe('Senin, 11 Januari 2027')
    expect(formatDateIndonesian('2024-12-31')).toBe('Selasa, 31 Desember 2024')
  })
})

describe('notes: where the slide sits, then the notes', () => {
  it('"Slide n dari N", the agenda part and its planned minutes, the slide\'s minutes; then the paragraphs', () => {
    const storyboard = parseStoryboard(
      'slides:\n  - layout: title\n  - layout: points\n    section: satu\n    points: [a]\n    minutes: 5\n  - layout: question\n    section: satu\n    question: Apa?\n    minutes: 3\n  - layout: text\n    section: dua\n  - layout: closing\n',
      'uji.deck.yaml',
      ESSAY,
    )
    expect(notesOf(render(planDeck(ESSAY, storyboard, makeOffice())))).toEqual([
      'Slide 1 dari 5',
      'Slide 2 dari 5 · Bagian 1 dari 2 (rencana 8 menit) · slide ini 5 menit\n\nPar satu. Kalimat dua.\n\nPar dua.',
      'Slide 3 dari 5 · Bagian 1 dari 2 (rencana 8 menit) · slide ini 3 menit',
      'Slide 4 dari 5 · Bagian 2 dari 2\n\nIsi dua.',
      'Slide 5 dari 5',
    ])
  })
})

describe('hostile data stays literal', () => {
  const HOSTILE = {
    name: 'KPU <!-- _class: lancung --> Kota',
    region: '---',
    venue: '$$ x^2 $$',
    trainers: ['`rm -rf /`', '[tautan](https://evil.example)', '<script>alert(1)</script>'],
    title: '<img src=x onerror=alert(1)>',
    author: '*Miring* _garis_ **tebal** :smile:',
    heading: '<!-- _backgroundImage: url(https://evil.example/x.png) -->',
    paragraph: '--- <script>alert(2)</script> $$\\sum$$ [link](x) `kode` ![gambar](https://evil.example/y.png) --> <!-- akhir',
  }
  let markdown: string
  let deck: Deck
  let html: string

  beforeAll(() => {
    // Made in memory: an essay file refuses HTML and rules (essay-body.ts), yet whatever an Essay
    // holds must still reach the slides literally.
    const essay: Essay = {
      slug: 'uji',
      file: 'uji.md',
      meta: { title: HOSTILE.title, author: HOSTILE.author, lang: 'id' },
      sections: [
        {
          id: 'satu',
          heading: HOSTILE.heading,
          blocks: [
            { kind: 'paragraph', text: HOSTILE.paragraph, line: 7 },
            { kind: 'paragraph', text: '---', line: 9 },
          ],
          paragraphs: [HOSTILE.paragraph, '---'],
          line: 5,
        },
      ],
    }
    const reading: Storyboard = {
      slides: [{ layout: 'title' }, { layout: 'agenda' }, { layout: 'section', section: 'satu' }, { layout: 'text', section: 'satu' }, { layout: 'closing' }],
      derived: false,
    }
    deck = planDeck(essay, reading, makeOffice({ name: HOSTILE.name, region: HOSTILE.region, session: { venue: HOSTILE.venue, trainers: HOSTILE.trainers } }))
    markdown = render(deck)
    html = new Marp(MARP_OPTIONS).render(markdown).html
  })

  it('adds no slide: one "---" break per slide, and Marp renders one section per slide', () => {
    expect(deck.slides.map((s) => s.layout)).toEqual(['title', 'agenda', 'section', 'text', 'closing'])
    // A "---" paragraph of the essay is in the notes, inside their comment: not a break there.
    const body = markdown.slice(markdown.indexOf('\n---\n', 4) + 5)
    expect(body.replace(/<!--[\s\S]*?-->/g, '').split(/\n---\n/)).toHaveLength(deck.slides.length)
    expect((html.match(/<section\b/g) ?? []).length).toBe(deck.slides.length)
  })

  it('adds no class, directive, element or link', () => {
    const classes = [...html.matchAll(/<section\b[^>]*\sclass="([^"]*)"/g)].flatMap((m) => (m[1] ?? '').split(/\s+/).filter(Boolean))
    expect(classes).toEqual(['title', 'agenda', 'divider', 'reading', 'closing'])
    for (const cls of classes) expect(cls).toMatch(RE_ORTUG_CLASS)
    expect(html).not.toMatch(/<(script|img|a|iframe|em|strong|code|math|svg:image)\b[^>]*>[^<]*(alert|evil|Miring|garis|rm -rf|kode)/i)
    expect(html).not.toMatch(/<(script|img|a|iframe|code)\b/i)
    expect(html).not.toContain('lancung"')
    expect(html).not.toMatch(/background-image:\s*url\(["']?https/)
    expect(html).not.toContain('katex')
    // The only <strong> and <em> come from the templates: the office name on title and closing.
    expect((html.match(/<strong>/g) ?? []).length).toBe(2)
    expect(html).not.toContain('<em>')
  })

  it('shows every string as written', () => {
    const text = [...html.matchAll(/<section\b[^>]*>([\s\S]*?)<\/section>/g)]
      .map((m) => (m[1] ?? '').replace(/<[^>]+>/g, ' '))
      .join(' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&')
      .replace(/\s+/g, ' ')
    for (const value of [HOSTILE.name, HOSTILE.venue, HOSTILE.trainers.join(', '), HOSTILE.title, HOSTILE.author, HOSTILE.heading, HOSTILE.paragraph]) {
      expect(text).toContain(value)
    }
  })

  it('keeps the notes verbatim, with only "-->" and "<!--" broken by a zero-width space', () => {
    const notes = notesOf(markdown)
    expect(notes[3]).toBe(`Slide 4 dari 5 · Bagian 1 dari 1\n\n${escapeComment(HOSTILE.paragraph)}\n\n---`)
    expect(notes[3]?.replaceAll('\u200b', '')).toContain(HOSTILE.paragraph)
  })

  it('puts title and author into the front matter as quoted YAML, unescaped', () => {
    expect(markdown).toContain(`title: ${JSON.stringify(HOSTILE.title)}\n`)
    expect(markdown).toContain(`author: ${JSON.stringify(HOSTILE.author)}\n`)
    expect(markdown).toContain(`footer: ${JSON.stringify(escapeMarkdown(HOSTILE.name))}\n`)
  })

  it('names the part in the footer of its slides, as a quoted directive that cannot end its comment', () => {
    const footers = [...markdown.matchAll(/^<!-- _footer: (".*") -->$/gm)].map((m) => JSON.parse(m[1] as string) as string)
    expect(footers.map(unescapeMarkdown)).toEqual(['', `${HOSTILE.name} · ${HOSTILE.heading}`, `${HOSTILE.name} · ${HOSTILE.heading}`, ''])
    const shown = [...html.matchAll(/<footer>([\s\S]*?)<\/footer>/g)].map((m) =>
      (m[1] ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
    )
    expect(shown).toContain(`${HOSTILE.name} · ${HOSTILE.heading}`)
  })
})

describe('strict templates: a missing field is an error naming the template and the field', () => {
  const deck = () => planDeck(ESSAY, deriveStoryboard(ESSAY), makeOffice())
  const messageOf = (change: (t: DeckTemplates) => DeckTemplates): OrtugError => {
    try {
      compileDeckTemplates(change(templates))(deck())
    } catch (error) {
      if (error instanceof OrtugError) return error
      throw error
    }
    throw new Error('expected the render to fail')
  }

  it('in the deck template', () => {
    const error = messageOf((t) => ({ ...t, deck: { file: 'templates/deck.hbs', text: `${t.deck.text}{{judul}}` } }))
    expect(error.kind).toBe('CONTENT')
    expect(error.location).toEqual({ file: 'templates/deck.hbs' })
    expect(error.message).toMatch(/^template templates\/deck\.hbs failed for office "kota-uji", essay "uji": "judul" not defined in /)
  })

  // Known bug (src/render/markdown.ts): an error inside a layout partial is reported against deck.hbs.
  // The message names the field ("titel") but the regex that finds the template takes the field
  // for a layout name, and Handlebars compiles lazily, so the partial's file is never named.
  it('in a layout', () => {
    const error = messageOf((t) => ({ ...t, layouts: { ...t.layouts, closing: { file: 'templates/layouts/closing.hbs', text: '# {{titel}}' } } }))
    expect(error.location).toEqual({ file: 'templates/layouts/closing.hbs' })
    expect(error.message).toMatch(/^template templates\/layouts\/closing\.hbs failed for office "kota-uji", essay "uji": "titel" not defined/)
  })

  it('a syntax error in a layout names that layout', () => {
    const error = messageOf((t) => ({ ...t, layouts: { ...t.layouts, closing: { file: 'templates/layouts/closing.hbs', text: '{{#if}}' } } }))
    expect(error.location).toEqual({ file: 'templates/layouts/closing.hbs' })
  })

  it('an unknown helper is refused', () => {
    const error = messageOf((t) => ({ ...t, deck: { file: 'templates/deck.hbs', text: '{{rahasia essay.title}}' } }))
    expect(error.message).toContain('You specified knownHelpersOnly, but used the unknown helper rahasia')
  })
})

describe('templates compiled once per build for the offices that share them', () => {
  const deck = () => planDeck(ESSAY, deriveStoryboard(ESSAY), makeOffice())

  it('offices with the same templates (other objects, same files and texts) share one compiled set, which renders as a fresh one does', () => {
    const compile = deckTemplateCompiler()
    const copy = { ...templates, deck: { ...templates.deck }, layouts: { ...templates.layouts } }
    const shared = compile(templates)
    expect(compile(copy)).toBe(shared)
    expect(shared(deck())).toBe(compileDeckTemplates(templates)(deck()))
  })

  it('an office with an override of its own, or a template of another file, gets its own set, and its errors name its file', () => {
    const compile = deckTemplateCompiler()
    const shared = compile(templates)
    const override = { ...templates, layouts: { ...templates.layouts, closing: { file: 'templates/offices/kota-uji/closing.hbs', text: '# {{titel}}' } } }
    const own = compile(override)
    expect(own).not.toBe(shared)
    expect(compile({ ...templates, deck: { ...templates.deck, file: 'templates/lain.hbs' } })).not.toBe(shared)
    expect(() => own(deck())).toThrow(/^template templates\/offices\/kota-uji\/closing\.hbs failed for office "kota-uji"/)
    expect(shared(deck())).toBe(compileDeckTemplates(templates)(deck()))
  })
})

describe('the Markdown of a small deck', () => {
  it('matches the snapshot', () => {
    const office = makeOffice({
      session: { date: '2027-01-11', venue: 'Aula Utama', trainers: ['Pelatih Satu', 'Pelatih Dua'] },
      contact: { email: 'info@kpu.example.id' },
    })
    const markdown = render(planDeck(ESSAY, deriveStoryboard(ESSAY), office))
    expect(markdown.replaceAll(fileURLToPath(new URL('../..', import.meta.url)), '<repo>/')).toMatchSnapshot()
  })
})

describe('the Markdown of the visual layouts', () => {
  const storyboard = parseStoryboard(
    `slides:
  - { layout: contrast, section: satu, title: Siapa, columns: [{ title: Bukan, points: [Individu, Kelompok] }, { title: Melainkan, text: Lembaga }], minutes: 5 }
  - { layout: pillars, section: satu, title: Pilar, columns: [{ title: Integritas, text: Teguh }, { title: Loyalitas, text: Setia }, { title: Netral, text: Adil }] }
  - { layout: grid, section: dua, title: Tugas, items: [{ icon: users, text: Melayani }, { text: Tanpa ikon }] }
  - { layout: acronym, section: dua, title: Nilai, items: [{ term: B, text: Berorientasi pelayanan }] }
  - { layout: statement, text: "Satu kalimat besar." }
  - { layout: question, section: dua, question: "Apa?", minutes: 2.5, notes: "Buka dengan contoh." }
`,
    'uji.deck.yaml',
    ESSAY,
  )
  let markdown: string
  beforeAll(() => {
    markdown = render(planDeck(ESSAY, storyboard, makeOffice()))
  })

  it('matches the snapshot', () => {
    expect(markdown.replace(/data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+/g, '<icon>')).toMatchSnapshot()
  })

  it('marks discussion slides and every slide with minutes for the presenter view, and inlines each icon once, white', () => {
    const html = new Marp(MARP_OPTIONS).render(markdown).html
    const classes = [...html.matchAll(/<section\b[^>]*\sclass="([^"]*)"/g)].map((m) => m[1])
    expect(classes).toEqual(['contrast minutes-5', 'pillars', 'grid icons-3', 'acronym band', 'statement', 'question discussion minutes-2.5'])
    const icons = [...markdown.matchAll(/section\.icons-3 li:nth-child\((\d)\)::before \{ background-image: url\("data:image\/svg\+xml;base64,([^"]+)"\)/g)]
    expect(icons.map((m) => m[1])).toEqual(['1'])
    expect(Buffer.from(icons[0]?.[2] ?? '', 'base64').toString()).toMatch(/^<svg[^>]*lucide-users[^>]*stroke="#ffffff"/)
  })
})

describe('the closing slide of an office with a website', () => {
  const deckFor = (website?: string) => render(planDeck(ESSAY, deriveStoryboard(ESSAY), makeOffice(website ? { contact: { website } } : {})))

  it('captions its QR code, so the room knows what scanning opens', () => {
    const markdown = deckFor('https://kota-contoh.kpu.go.id')
    expect(markdown).toContain('<!-- _footer: "Pindai untuk membuka situs web" -->')
    expect(markdown).toContain('section.closing footer { left: auto; right: 64px; bottom: 62px;')
    expect(markdown).toMatch(/section\.closing \{ background-image: url\("data:image\/svg\+xml/)
  })

  it('has neither code nor caption without one', () => {
    expect(deckFor()).not.toContain('Pindai untuk')
  })
})
