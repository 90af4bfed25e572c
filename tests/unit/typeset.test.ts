import { describe, expect, it } from 'vitest'
import { parseEssay } from '../../src/content/essay.ts'
import { planDeck } from '../../src/plan/plan.ts'
import { bindShortWords, closeSubtitle, splitTitle, typesetFields } from '../../src/render/typeset.ts'
import { makeOffice } from '../unit-helpers.ts'

// Indonesian typesetting of slide text (issue 23, item 8).

describe('bindShortWords: di, ke, dari, yang stay with the name that follows', () => {
  it('binds before a capital, not before a lower-case word', () => {
    expect(bindShortWords('Tugas ASN di KPU')).toBe('Tugas ASN di\u00a0KPU')
    expect(bindShortWords('Dari Bandung ke Jawa Barat, yang Maha Esa')).toBe('Dari\u00a0Bandung ke\u00a0Jawa Barat, yang\u00a0Maha Esa')
    expect(bindShortWords('bekerja di lembaga dan dari rumah')).toBe('bekerja di lembaga dan dari rumah')
    // Only whole words: "Jadi Kuat" and "Kedi" are left alone.
    expect(bindShortWords('Jadi Kuat')).toBe('Jadi Kuat')
  })
})

describe('closeSubtitle: a subtitle never ends on a preposition without a colon', () => {
  it('adds a colon after a dangling word, and leaves other endings alone', () => {
    expect(closeSubtitle('Tanpa integritas, ASN rentan terhadap')).toBe('Tanpa integritas, ASN rentan terhadap:')
    expect(closeSubtitle('Yang diperlukan untuk')).toBe('Yang diperlukan untuk:')
    expect(closeSubtitle('Yang diperlukan')).toBe('Yang diperlukan')
    expect(closeSubtitle('Tiga hal meliputi:')).toBe('Tiga hal meliputi:')
  })
})

describe('splitTitle: a title breaks after its colon', () => {
  it('puts a short series name above the headline', () => {
    expect(splitTitle('Ortug KPU Jabar: Titik Awal Menumbuhkan Integritas dan Loyalitas')).toEqual({
      kicker: 'Ortug KPU Jabar',
      headline: 'Titik Awal Menumbuhkan Integritas dan Loyalitas',
    })
    expect(splitTitle('Integritas')).toEqual({ kicker: null, headline: 'Integritas' })
    expect(splitTitle('Catatan: ')).toEqual({ kicker: null, headline: 'Catatan: ' })
  })
})

describe('typesetFields', () => {
  it('reaches every text of a slide, nested ones too, and closes the subtitle', () => {
    expect(typesetFields({ title: 'Tugas di KPU', subtitle: 'ASN rentan terhadap', items: [{ text: 'Hadir di Aula' }], minutes: 3 })).toEqual({
      title: 'Tugas di\u00a0KPU',
      kicker: null,
      headline: 'Tugas di\u00a0KPU',
      subtitle: 'ASN rentan terhadap:',
      items: [{ text: 'Hadir di\u00a0Aula' }],
      minutes: 3,
    })
  })

  it('leaves the plan (and so the notes and the PDF outline) as the author wrote it', () => {
    const essay = parseEssay('---\ntitle: Uji\nauthor: Penulis\n---\n## Tugas di KPU {#tugas}\n\nBekerja di KPU adalah amanah.\n', 'uji', 'uji.md')
    const deck = planDeck(essay, { derived: false, slides: [{ layout: 'points', section: 'tugas', points: ['Hadir di KPU'] }] }, makeOffice())
    expect(deck.slides[0]?.title).toBe('Tugas di KPU')
    expect(deck.slides[0]?.notes.join(' ')).toBe('Bekerja di KPU adalah amanah.')
  })
})
