import { describe, expect, it } from 'vitest'
import { parseEssay } from '../../src/content/essay.ts'
import { deriveDeck, deriveStoryboard, MAX_SLIDE_WORDS, visibleWords } from '../../src/plan/derive.ts'
import { joinNote, readingParagraphs, sectionSentences } from '../../src/plan/notes.ts'
import { splitSentences } from '../../src/plan/text.ts'
import type { Essay, StoryboardSlide } from '../../src/shared/types.ts'
import { expectWordsFromSections } from '../unit-helpers.ts'

// Derived decks, text in, storyboard out: the slides must say what the author says, never the opposite.

const essayOf = (body: string): Essay => parseEssay(`---\ntitle: Uji\nauthor: Penulis Uji\n---\n\n${body}\n`, 'uji', 'uji.md')
/** The slides derived from one section holding `text`. */
const slidesOf = (text: string): StoryboardSlide[] => deriveStoryboard(essayOf(`## Bagian Uji {#uji}\n\n${text}`)).slides.filter((s) => s.section === 'uji')
const layouts = (slides: StoryboardSlide[]) => slides.map((s) => s.layout)
/** Everything a slide shows, as one string. */
const shown = (slide: StoryboardSlide): string =>
  [
    slide.title,
    slide.text,
    slide.quote,
    ...(slide.points ?? []),
    ...(slide.items ?? []).map((i) => i.text),
    ...(slide.columns ?? []).map((c) => `${c.title}: ${c.text}`),
  ]
    .filter(Boolean)
    .join(' | ')

interface MeaningCase {
  name: string
  text: string
  /** What the section's slides must show. */
  expect: (slides: StoryboardSlide[]) => void
}

const notContrast = (slides: StoryboardSlide[]) => expect(layouts(slides)).not.toContain('contrast')
/** The sentence is shown whole on one slide: nothing of it is dropped or set against the rest. */
const shownWhole = (sentence: string) => (slides: StoryboardSlide[]) => {
  notContrast(slides)
  expect(slides.map(shown)).toContain(sentence)
}

const MEANING: MeaningCase[] = [
  {
    name: '"bukan X, melainkan Y": a contrast, X denied and Y affirmed',
    text: 'Loyalitas ASN bukan kepada individu, melainkan kepada konstitusi.',
    expect: (slides) =>
      expect(slides).toEqual([
        {
          layout: 'contrast',
          section: 'uji',
          title: 'Loyalitas ASN',
          columns: [
            { title: 'Bukan', text: 'Kepada individu' },
            { title: 'Melainkan', text: 'Kepada konstitusi' },
          ],
        },
      ]),
  },
  {
    name: '"bukan X, tetapi Y": a contrast, with the author\'s conjunction',
    text: 'Netralitas bukan sikap diam, tetapi ketaatan pada aturan.',
    expect: (slides) =>
      expect(slides[0]?.columns).toEqual([
        { title: 'Bukan', text: 'Sikap diam' },
        { title: 'Tetapi', text: 'Ketaatan pada aturan' },
      ]),
  },
  {
    name: '"bukan hanya X, tetapi juga Y": an addition (both hold), never a contrast',
    text: 'Keterlambatan laporan bukan hanya menyita waktu, tetapi juga menurunkan kepercayaan publik.',
    expect: shownWhole('Keterlambatan laporan bukan hanya menyita waktu, tetapi juga menurunkan kepercayaan publik.'),
  },
  {
    name: '"tidak hanya X, tetapi juga Y": an addition',
    text: 'Petugas tidak hanya mencatat suara, tetapi juga menjaga kerahasiaannya.',
    expect: shownWhole('Petugas tidak hanya mencatat suara, tetapi juga menjaga kerahasiaannya.'),
  },
  {
    name: '"bukan sekadar X, melainkan Y": X still holds, never a contrast',
    text: 'Integritas bukan sekadar slogan, melainkan kebiasaan sehari-hari.',
    expect: shownWhole('Integritas bukan sekadar slogan, melainkan kebiasaan sehari-hari.'),
  },
  {
    name: '"bukan sekadar X, tetapi juga Y": an addition',
    text: 'Sosialisasi bukan sekadar menyebar brosur, tetapi juga mendengar warga.',
    expect: shownWhole('Sosialisasi bukan sekadar menyebar brosur, tetapi juga mendengar warga.'),
  },
  {
    name: '"baik X maupun Y": both, never a contrast',
    text: 'Netralitas berlaku baik di kantor maupun di media sosial.',
    expect: shownWhole('Netralitas berlaku baik di kantor maupun di media sosial.'),
  },
  {
    name: '"tidak X tetapi Y": a concession, never a contrast',
    text: 'Tugas ini tidak mudah, tetapi dapat kita selesaikan bersama.',
    expect: shownWhole('Tugas ini tidak mudah, tetapi dapat kita selesaikan bersama.'),
  },
  {
    name: 'negations inside a list stay on their items',
    text: 'Kewajiban petugas meliputi tidak memihak, tidak menerima imbalan, dan tidak membocorkan data.',
    expect: (slides) => expect(slides[0]?.items?.map((i) => i.text)).toEqual(['Tidak memihak', 'Tidak menerima imbalan', 'Tidak membocorkan data']),
  },
  {
    name: '"meliputi a, b, dan c": the items, the words before them as the title',
    text: 'Tahapan pencalonan meliputi pendaftaran, verifikasi, dan penetapan.',
    expect: (slides) =>
      expect(slides).toEqual([
        { layout: 'grid', section: 'uji', title: 'Tahapan pencalonan', items: [{ text: 'Pendaftaran' }, { text: 'Verifikasi' }, { text: 'Penetapan' }] },
      ]),
  },
  {
    name: '"antara lain a, b, dan c"',
    text: 'Dokumen yang diperiksa antara lain KTP-el, ijazah terakhir, dan surat keterangan sehat.',
    expect: (slides) => expect(slides[0]?.items?.map((i) => i.text)).toEqual(['KTP-el', 'Ijazah terakhir', 'Surat keterangan sehat']),
  },
  {
    name: '"yaitu a dan b": two items',
    text: 'Ada dua prinsip kerja, yaitu kemandirian dan keterbukaan.',
    expect: (slides) => expect(slides[0]).toMatchObject({ layout: 'points', title: 'Ada dua prinsip kerja', points: ['Kemandirian', 'Keterbukaan'] }),
  },
  {
    name: 'a numbered inline list "(1) … (2) … (3) …"',
    text: 'Proses ini terdiri atas tiga langkah: (1) menerima berkas, (2) memeriksa kelengkapan, dan (3) menerbitkan tanda terima.',
    expect: (slides) =>
      expect(slides[0]).toMatchObject({
        title: 'Proses ini terdiri atas tiga langkah',
        items: [{ text: 'Menerima berkas' }, { text: 'Memeriksa kelengkapan' }, { text: 'Menerbitkan tanda terima' }],
      }),
  },
  {
    name: 'a lettered inline list "a) … b) … c) …"',
    text: 'Petugas wajib a) hadir tepat waktu, b) memakai tanda pengenal, dan c) mengisi daftar hadir.',
    expect: (slides) =>
      expect(slides[0]).toMatchObject({
        title: 'Petugas wajib',
        items: [{ text: 'Hadir tepat waktu' }, { text: 'Memakai tanda pengenal' }, { text: 'Mengisi daftar hadir' }],
      }),
  },
  {
    name: '"No.", "Dr.", "M.Si." do not end a sentence',
    text: 'Rapat dipimpin oleh Dr. Siti Aminah, M.Si. di ruang No. 3 kantor kami.',
    expect: shownWhole('Rapat dipimpin oleh Dr. Siti Aminah, M.Si. di ruang No. 3 kantor kami.'),
  },
  {
    name: '"dll." stays with the last item: the list is not complete',
    text: 'Perlengkapan TPS meliputi kotak suara, bilik suara, tinta, dll.',
    expect: (slides) => expect(slides[0]?.items?.map((i) => i.text)).toEqual(['Kotak suara', 'Bilik suara', 'Tinta, dll.']),
  },
  {
    name: '"dsb." likewise',
    text: 'Pelanggaran yang dicatat antara lain politik uang, intimidasi, perusakan alat peraga, dsb.',
    expect: (slides) => expect(slides[0]?.items?.map((i) => i.text)).toEqual(['Politik uang', 'Intimidasi', 'Perusakan alat peraga, dsb.']),
  },
  {
    name: 'decimal commas and percentages are one number, not a list',
    text: 'Partisipasi pemilih naik 2,5 persen, dari 75,3% menjadi 77,8% pada pemilu terakhir.',
    expect: shownWhole('Partisipasi pemilih naik 2,5 persen, dari 75,3% menjadi 77,8% pada pemilu terakhir.'),
  },
  {
    name: 'an ellipsis before a lowercase word does not end the sentence',
    text: 'Demokrasi dimulai dari hal kecil… dari kejujuran kita sendiri setiap hari.',
    expect: shownWhole('Demokrasi dimulai dari hal kecil… dari kejujuran kita sendiri setiap hari.'),
  },
  {
    name: 'a quotation with a quote inside it: the quotation, its inner marks kept',
    text: 'Ketua KPU berpesan, “Jagalah kepercayaan publik, karena ‘suara rakyat’ adalah amanah yang harus kita jaga.”',
    expect: (slides) =>
      expect(slides.find((s) => s.layout === 'quote')?.quote).toBe('Jagalah kepercayaan publik, karena ‘suara rakyat’ adalah amanah yang harus kita jaga.'),
  },
  {
    name: 'a comma series whose first item carries the subject is not a list: shown whole',
    text: 'Atasan langsung menilai apakah pegawai berorientasi pelayanan, akuntabel, kompeten, harmonis, loyal, adaptif, dan kolaboratif.',
    expect: shownWhole('Atasan langsung menilai apakah pegawai berorientasi pelayanan, akuntabel, kompeten, harmonis, loyal, adaptif, dan kolaboratif.'),
  },
  {
    name: 'an announced list whose words before it are too long for a title keeps them: shown whole',
    text: 'DKPP memeriksa pengaduan atas dugaan pelanggaran kode etik oleh penyelenggara pemilu, yakni anggota KPU, anggota Bawaslu, serta jajarannya.',
    expect: shownWhole(
      'DKPP memeriksa pengaduan atas dugaan pelanggaran kode etik oleh penyelenggara pemilu, yakni anggota KPU, anggota Bawaslu, serta jajarannya.',
    ),
  },
  {
    name: 'a quotation cited with its source: the source is the title, the quotation the quote',
    text: 'UU Nomor 7 Tahun 2017, Pasal 3: "Penyelenggara pemilu harus melaksanakan pemilu berdasarkan asas mandiri dan jujur."',
    expect: (slides) =>
      expect(slides.find((s) => s.layout === 'quote')).toMatchObject({
        title: 'UU Nomor 7 Tahun 2017, Pasal 3',
        quote: 'Penyelenggara pemilu harus melaksanakan pemilu berdasarkan asas mandiri dan jujur.',
      }),
  },
]

describe('never change the meaning: Indonesian constructions and their derived slides', () => {
  it.each(MEANING)('$name', ({ text, expect: check }) => check(slidesOf(text)))

  it('every derived slide shows the words of its own section: verbatim spans, items or clauses', () => {
    const essay = essayOf(MEANING.map((c, i) => `## Kasus ${i + 1}\n\n${c.text}`).join('\n\n'))
    expectWordsFromSections(essay)
  })
})

describe('no redundant structure', () => {
  it('a one-sentence section is one statement slide, without a divider', () => {
    expect(slidesOf('Pemilu yang jujur dimulai dari petugas yang jujur.')).toEqual([
      { layout: 'statement', section: 'uji', text: 'Pemilu yang jujur dimulai dari petugas yang jujur.' },
    ])
  })

  it('a divider comes before a section of two slides or more, and no slide after it repeats the heading', () => {
    const essay = essayOf(
      '## Penutup\n\nPemilu yang jujur dimulai dari petugas yang jujur. Tugas kita meliputi melayani, mencatat, dan melapor.\n\n## Satu Slide\n\nKalimat yang menjadi satu-satunya isi bagian ini.',
    )
    const slides = deriveStoryboard(essay).slides
    expect(slides.map((s) => `${s.layout}:${s.section ?? ''}`)).toEqual([
      'title:',
      'agenda:',
      'section:penutup',
      'statement:penutup',
      'grid:penutup',
      'statement:satu-slide',
      'closing:',
    ])
    slides.forEach((slide, i) => {
      const before = slides[i - 1]
      if (before?.layout === 'section') expect(slide.title).not.toBe(essay.sections.find((s) => s.id === before.section)?.heading)
    })
  })

  it("the essay's own list becomes points, titled by the sentence announcing it; a blockquote becomes a quote", () => {
    const slides = slidesOf(
      'Syarat calon anggota PPK sebagai berikut:\n\n1. berusia paling rendah 17 tahun;\n2. berdomisili di kecamatan setempat; dan\n3. tidak menjadi anggota partai politik.\n\n> Bekerja dengan jujur adalah ibadah.',
    )
    expect(slides).toEqual([
      { layout: 'section', section: 'uji' },
      {
        layout: 'points',
        section: 'uji',
        title: 'Syarat calon anggota PPK sebagai berikut',
        points: ['Berusia paling rendah 17 tahun', 'Berdomisili di kecamatan setempat', 'Tidak menjadi anggota partai politik'],
      },
      { layout: 'quote', section: 'uji', quote: 'Bekerja dengan jujur adalah ibadah.', subtitle: 'Dikutip oleh Penulis Uji' },
    ])
  })
})

describe('weak spots (ortug check warns of them)', () => {
  it('a section whose only sentence is too long for a statement gets a reading slide and two warnings', () => {
    const long = `${Array.from({ length: 44 }, (_, i) => `kata${i}`).join(' ')}.`
    const essay = essayOf(`## Panjang\n\n${long}`)
    const { storyboard, weakSpots } = deriveDeck(essay)
    expect(storyboard.slides.filter((s) => s.section)).toEqual([{ layout: 'text', section: 'panjang', title: 'Panjang', text: long }])
    expect(weakSpots).toEqual([
      { section: 'panjang', message: "no key sentence found (none of 30 words or fewer that stands alone): a storyboard could state the section's point" },
      { section: 'panjang', message: `a text slide shows 45 words (target: at most ${MAX_SLIDE_WORDS})` },
    ])
  })

  it('the key sentence is the most central one, not the first', () => {
    const text = [
      'Pagi itu rapat dimulai agak terlambat.',
      'Data pemilih yang akurat adalah dasar pemilu yang dipercaya.',
      'Data pemilih diperbarui setiap tahun oleh petugas.',
      'Pemilih yang pindah harus dicatat agar data tetap akurat.',
    ].join(' ')
    const statement = slidesOf(text).find((s) => s.layout === 'statement')
    expect(statement?.text).toBe('Data pemilih yang akurat adalah dasar pemilu yang dipercaya.')
    expect(splitSentences(text)).toHaveLength(4)
    expect(visibleWords(statement as StoryboardSlide)).toBe(9)
  })
})

describe('notes and handouts keep lists as lists', () => {
  it('each list item is its own paragraph with its number or bullet; sentences stay verbatim', () => {
    const [section] = essayOf('## Satu\n\nLangkahnya sebagai berikut:\n\n3. menerima berkas;\n4. memeriksa berkas.\n\n- Satu butir\n').sections
    const blocks = section?.blocks ?? []
    expect(readingParagraphs(blocks)).toEqual(['Langkahnya sebagai berikut:', '3. menerima berkas;', '4. memeriksa berkas.', '• Satu butir'])
    expect(joinNote(sectionSentences(blocks))).toEqual(['Langkahnya sebagai berikut:', '3. menerima berkas;', '4. memeriksa berkas.', '• Satu butir'])
  })
})
