import { describe, expect, it } from 'vitest'
import { parseEssay } from '../../src/content/essay.ts'
import { parseStoryboard } from '../../src/content/storyboard.ts'
import { OrtugError, OrtugErrors } from '../../src/shared/error.ts'

// Storyboards, authored (`<slug>.deck.yaml`) or derived from the sections: text in, data out.

const FIX = 'See content/essays/storyboard.schema.json and "Layouts" in README.md for the fields each layout takes.'
const ESSAY = parseEssay('---\ntitle: T\nauthor: A\n---\nBuka.\n\n## Satu {#satu}\n\nPar satu.\n\n## Dua\n', 'uji', 'uji.md')

/** Every problem a parse throws, as `file:line:col: message`. */
function problemsOf(text: string): string[] {
  try {
    parseStoryboard(text, 'uji.deck.yaml', ESSAY)
  } catch (error) {
    if (!(error instanceof OrtugError)) throw error
    expect(error.kind).toBe('CONTENT')
    return error instanceof OrtugErrors ? error.errors.map((e) => e.format()) : [error.format()]
  }
  throw new Error('expected the parse to fail')
}

describe('parseStoryboard', () => {
  it('reads the slides as written, in order, with their fields', () => {
    const text = [
      'slides:',
      '  - layout: title',
      '  - layout: points',
      '    section: satu',
      '    title: Poin',
      '    points: [Satu, "Dua: dengan titik dua"]',
      '    minutes: 5',
      '  - layout: acronym',
      '    items: [{ term: B, text: Berorientasi pelayanan }]',
      '    notes: Catatan.',
      '  - layout: closing',
      '',
    ].join('\n')
    expect(parseStoryboard(text, 'uji.deck.yaml', ESSAY)).toEqual({
      derived: false,
      slides: [
        { layout: 'title' },
        { layout: 'points', section: 'satu', title: 'Poin', points: ['Satu', 'Dua: dengan titik dua'], minutes: 5 },
        { layout: 'acronym', items: [{ term: 'B', text: 'Berorientasi pelayanan' }], notes: 'Catatan.' },
        { layout: 'closing' },
      ],
    })
  })

  it('accepts a byte order mark', () => {
    expect(parseStoryboard('\uFEFFslides:\n  - layout: closing\n', 'uji.deck.yaml', ESSAY).slides).toEqual([{ layout: 'closing' }])
  })

  it('an unknown layout, an unknown field and missing layout fields: each at its line, with what is allowed', () => {
    const text = 'slides:\n  - layout: title\n  - layout: bullet\n  - layout: points\n    points: [a]\n    colour: red\n  - layout: quote\n  - layout: text\n'
    expect(problemsOf(text)).toEqual([
      `uji.deck.yaml:3:5: slides[1].layout: is "bullet"; allowed values: "title", "agenda", "section", "points", "acronym", "quote", "text", "question", "closing", "contrast", "pillars", "grid", "statement". ${FIX}`,
      `uji.deck.yaml:6:5: slides[2].colour: unknown key "colour"; allowed keys: layout, section, title, subtitle, points, items, columns, quote, question, text, notes, minutes. ${FIX}`,
      `uji.deck.yaml:7:5: slides[3].quote: is required for layout "quote". ${FIX}`,
      `uji.deck.yaml:8:5: slides[4].section: layout "text" needs a section, a title or a text. ${FIX}`,
    ])
  })

  it('a misspelt key gets a suggestion, down to the items of an acronym', () => {
    expect(problemsOf('slides:\n  - layout: acronym\n    items: [{ term: B, txt: x }]\n')).toEqual([
      `uji.deck.yaml:3:13: slides[0].items[0].text: is required: add "text:" with text. ${FIX}`,
      `uji.deck.yaml:3:24: slides[0].items[0].txt: unknown key "txt" (did you mean "text"?); allowed keys: term, icon, text. ${FIX}`,
    ])
    expect(problemsOf('slide:\n  - layout: title\n')).toEqual([
      `uji.deck.yaml:1:1: slides: is required: add "slides:" with a list. ${FIX}`,
      `uji.deck.yaml:1:1: slide: unknown key "slide" (did you mean "slides"?); allowed keys: dividers, slides. ${FIX}`,
    ])
  })

  it('an empty file or an empty list of slides is an error', () => {
    expect(problemsOf('')).toEqual([`uji.deck.yaml: slides: is required: add "slides:" with a list. ${FIX}`])
    expect(problemsOf('slides: []\n')).toEqual([`uji.deck.yaml:1:1: slides: must list at least one slide (it has 0). ${FIX}`])
  })

  it('minutes must be more than 0', () => {
    expect(problemsOf('slides:\n  - layout: question\n    question: Apa?\n    minutes: 0\n')).toEqual([
      `uji.deck.yaml:4:5: slides[0].minutes: must be more than 0 (it is 0). ${FIX}`,
    ])
  })

  it('every unknown section id is an error at its value, listing the sections of the essay', () => {
    const text = 'slides:\n  - layout: section\n    section: tiga\n  - layout: text\n    section: satu\n  - layout: text\n    section: empat\n'
    expect(problemsOf(text)).toEqual([
      'uji.deck.yaml:3:5: unknown section "tiga" in essay "uji"; sections are: pembuka, satu, dua',
      'uji.deck.yaml:7:5: unknown section "empat" in essay "uji"; sections are: pembuka, satu, dua',
    ])
  })

  it('the visual layouts: what each needs, at its line', () => {
    const text = [
      'slides:',
      '  - layout: contrast',
      '    columns: [{ title: Bukan, text: a }, { title: Melainkan, text: b }, { title: Ketiga, text: c }]',
      '  - layout: pillars',
      '    columns: [{ title: Satu }, { title: Dua, text: b }]',
      '  - layout: grid',
      '  - layout: statement',
      '  - layout: acronym',
      '    items: [{ text: Tanpa huruf }]',
      '',
    ].join('\n')
    expect(problemsOf(text)).toEqual([
      `uji.deck.yaml:3:5: slides[0].columns: must list exactly two columns for layout "contrast" (found 3). ${FIX}`,
      `uji.deck.yaml:5:15: slides[1].columns[0].text: a column needs a text or points. ${FIX}`,
      `uji.deck.yaml:6:5: slides[2].items: is required for layout "grid". ${FIX}`,
      `uji.deck.yaml:7:5: slides[3].text: is required for layout "statement". ${FIX}`,
      `uji.deck.yaml:9:13: slides[4].items[0].term: is required for layout "acronym". ${FIX}`,
    ])
  })

  it('an unknown icon is an error at its value, saying where to find the names', () => {
    const text = 'slides:\n  - layout: grid\n    items:\n      - { icon: users, text: Ada }\n      - { icon: unicorn-rainbow, text: Tidak ada }\n'
    expect(problemsOf(text)).toEqual([
      'uji.deck.yaml:5:11: unknown icon "unicorn-rainbow"; icon names are the file names (without .svg) in node_modules/lucide-static/icons/, or see https://lucide.dev/icons',
    ])
  })

  it('reads `dividers: true`', () => {
    expect(parseStoryboard('dividers: true\nslides:\n  - layout: closing\n', 'uji.deck.yaml', ESSAY)).toEqual({
      derived: false,
      dividers: true,
      slides: [{ layout: 'closing' }],
    })
  })

  it('a YAML syntax error is reported at its line', () => {
    expect(problemsOf('slides:\n  - layout: title\n   - layout: closing\n')).toEqual([expect.stringMatching(/^uji\.deck\.yaml:3:\d+: invalid YAML: /)])
  })
})
