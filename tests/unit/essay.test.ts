import { describe, expect, it } from 'vitest'
import { MAX_SECTIONS, parseEssay } from '../../src/content/essay.ts'
import { slugify } from '../../src/content/essay-body.ts'
import { OrtugError, OrtugErrors } from '../../src/shared/error.ts'

// Essay parsing, text in, Essay out: no disk, no browser.

const FRONT = '---\ntitle: Judul Esai\nauthor: Penulis Uji\n---\n'
const FIX = 'Front matter fields: title and author (required), subtitle, date (YYYY-MM-DD), source, lang.'

const parse = (text: string, slug = 'uji') => parseEssay(text, slug, 'esai/uji.md')

/** What a parse throws: its class, kind and every problem as `file:line:col: message`. */
function failureOf(text: string, slug = 'uji'): { errors: boolean; kind: string; problems: string[] } {
  try {
    parse(text, slug)
  } catch (error) {
    if (!(error instanceof OrtugError)) throw error
    const problems = error instanceof OrtugErrors ? error.errors.map((e) => e.format()) : [error.format()]
    return { errors: error instanceof OrtugErrors, kind: error.kind, problems }
  }
  throw new Error('expected the parse to fail')
}

describe('front matter', () => {
  it('reads title and author, and defaults lang to "id"', () => {
    const essay = parse(`${FRONT}Teks.\n`)
    expect(essay.slug).toBe('uji')
    expect(essay.file).toBe('esai/uji.md')
    expect(essay.meta).toEqual({ title: 'Judul Esai', author: 'Penulis Uji', lang: 'id' })
  })

  it('reads every optional field; an unquoted date stays the text written', () => {
    const text = '---\ntitle: T\nsubtitle: Sub\nauthor: A\ndate: 2024-05-01\nsource: Majalah Uji, hlm. 3\nlang: en\n---\nTeks.\n'
    expect(parse(text).meta).toEqual({ title: 'T', subtitle: 'Sub', author: 'A', date: '2024-05-01', source: 'Majalah Uji, hlm. 3', lang: 'en' })
  })

  it('reads a file with a byte order mark and CRLF line endings like the plain one', () => {
    const plain = `${FRONT}## Satu {#satu}\n\nKalimat satu.\nKalimat dua.\n`
    const windows = `\uFEFF${plain.replace(/\n/g, '\r\n')}`
    expect(parse(windows)).toEqual(parse(plain))
  })

  it('a missing title is an error at the front matter, naming the field and what to add', () => {
    expect(failureOf('---\nauthor: A\n---\nTeks.\n')).toEqual({
      errors: true,
      kind: 'CONTENT',
      problems: [`esai/uji.md:2:1: title: is required: add "title:" with text. ${FIX}`],
    })
  })

  it('an unknown key, an impossible date, a bad language tag and a wrong type are each reported at their line', () => {
    const text = '---\ntitle: T\nauthor: 5\ncolor: merah\ndate: 2024-02-30\nlang: EN\n---\nTeks.\n'
    expect(failureOf(text).problems).toEqual([
      `esai/uji.md:3:1: author: must be text, not number 5. ${FIX}`,
      `esai/uji.md:5:1: date: "2024-02-30" is not a real calendar date. ${FIX}`,
      `esai/uji.md:6:1: lang: is "EN"; must be a language tag such as "id" or "en". ${FIX}`,
      `esai/uji.md:4:1: color: unknown key "color"; allowed keys: title, subtitle, author, date, source, lang. ${FIX}`,
    ])
  })

  it('an empty subtitle is an error, not an empty line on the title slide', () => {
    expect(failureOf('---\ntitle: T\nauthor: A\nsubtitle: ""\n---\nTeks.\n').problems).toEqual([
      `esai/uji.md:4:1: subtitle: must not be empty (it has 0). ${FIX}`,
    ])
  })

  it('no front matter at all: one error at 1:1 saying what to write', () => {
    expect(failureOf('## Satu\n\nTeks.\n')).toEqual({
      errors: false,
      kind: 'CONTENT',
      problems: ['esai/uji.md:1:1: the essay has no front matter: start the file with a "---" block holding at least "title:" and "author:"'],
    })
  })

  // Known bug (src/content/essay.ts): YAML errors of the front matter (syntax, duplicate keys) keep the
  // line within the front matter; schema errors are shifted by the opening "---" line, these are
  // not. Duplicate "title" on line 4 of the file is reported at 3:1, "first on line 1".
  it('a duplicate key is reported at its line in the file', () => {
    expect(failureOf('---\ntitle: T\nauthor: A\ntitle: U\n---\nTeks.\n').problems).toEqual([
      'esai/uji.md:4:1: title: the key "title" is written twice (first on line 2); each key may appear once: keep one and remove the other',
    ])
  })
})

describe('sections', () => {
  it('text before the first heading is the section "pembuka"; headings give ids, explicit or slugged', () => {
    const essay = parse(`${FRONT}Pembukaan.\n\n## Satu {#pertama}\n\nIsi satu.\n\n## Tugas ASN di KPU!\n\nIsi dua.\n`)
    expect(essay.sections).toMatchObject([
      { id: 'pembuka', heading: 'Pembuka', paragraphs: ['Pembukaan.'], line: 5 },
      { id: 'pertama', heading: 'Satu', paragraphs: ['Isi satu.'], line: 7 },
      { id: 'tugas-asn-di-kpu', heading: 'Tugas ASN di KPU!', paragraphs: ['Isi dua.'], line: 11 },
    ])
  })

  it('without text before the first heading there is no "pembuka"', () => {
    expect(parse(`${FRONT}\n## Satu\n\nIsi.\n`).sections.map((s) => s.id)).toEqual(['satu'])
  })

  it('keeps a section without paragraphs', () => {
    expect(parse(`${FRONT}## Satu\n\nIsi.\n\n## Dua\n`).sections).toMatchObject([
      { id: 'satu', heading: 'Satu', paragraphs: ['Isi.'], line: 5 },
      { id: 'dua', heading: 'Dua', paragraphs: [], line: 9 },
    ])
  })

  it('"#text" and "##text" without a space are paragraph text, not headings', () => {
    const essay = parse(`${FRONT}#Tagar bukan judul\n\n## Satu\nBaris\n##lekat\n`)
    expect(essay.sections.map((s) => [s.id, s.paragraphs])).toEqual([
      ['pembuka', ['#Tagar bukan judul']],
      ['satu', ['Baris ##lekat']],
    ])
  })

  it('slugify: lowercase ASCII, accents dropped, runs of other characters become one hyphen', () => {
    expect(slugify('Tugas ASN di KPU')).toBe('tugas-asn-di-kpu')
    expect(slugify('  Ĉafé Über — 2024!  ')).toBe('cafe-uber-2024')
    expect(slugify('***')).toBe('')
  })
})

describe("paragraphs are the author's text, verbatim", () => {
  it('keeps odd spacing, punctuation and symbols inside a line byte for byte', () => {
    const line = 'Kata  ganda,,  spasi ! "kutip" — tanda…  $x$ {{kurung}} 50% & 1.500,00 No. 7 dll. 2,5 persen'
    expect(parse(`${FRONT}## Satu\n\n${line}\n`).sections[0]?.paragraphs).toEqual([line])
  })

  it('joins the lines of one paragraph with one space, trimming each line; blank lines end a paragraph', () => {
    const essay = parse(`${FRONT}## Satu\n\n   Baris satu  \n\tbaris dua.\n\n\n\nParagraf  kedua.\n   \nKetiga.\n`)
    expect(essay.sections[0]?.paragraphs).toEqual(['Baris satu baris dua.', 'Paragraf  kedua.', 'Ketiga.'])
  })

  it('the line of a section is the line of its heading in the file', () => {
    const text = `${FRONT}\n\nPembuka.\n\n## Satu\n\nIsi.\n`
    const lines = text.split('\n')
    const [opening, satu] = parse(text).sections
    expect(opening?.line).toBe(5)
    expect(lines[(satu?.line ?? 0) - 1]).toBe('## Satu')
  })
})

describe('bad essays: every problem at once, with file:line:column', () => {
  it('a file name that is not a slug names the rule and an example', () => {
    expect(failureOf(`${FRONT}Teks.\n`, 'Esai_Baru')).toEqual({
      errors: false,
      kind: 'CONTENT',
      problems: ['esai/uji.md: essay file name "Esai_Baru" is not a valid slug: use lowercase letters, digits and single hyphens (e.g. "ortug-kpu-jabar.md")'],
    })
  })

  it('reports duplicate ids, other heading levels, empty headings and bad ids together', () => {
    const text = `${FRONT}## X {#a}\n\nY\n\n## Z {#a}\n\nW\n#### Sub\n## {#kosong}\n\nQ\n## Buruk {#Bad_Id}\n# Judul satu pagar\n`
    expect(failureOf(text)).toEqual({
      errors: true,
      kind: 'CONTENT',
      problems: [
        'esai/uji.md:9:1: section id "a" is used twice: give one of the headings its own id with "{#another-id}"',
        'esai/uji.md:12:1: only "## " headings split an essay into sections and "### " headings mark a subheading; make this one of them or plain text',
        'esai/uji.md:13:1: the heading of section "kosong" has no text: write it as "## Heading {#kosong}"',
        'esai/uji.md:16:1: section id "Bad_Id" must use lowercase letters, digits and single hyphens: write the heading as "## Buruk {#my-id}"',
        'esai/uji.md:17:1: only "## " headings split an essay into sections and "### " headings mark a subheading; make this one of them or plain text',
      ],
    })
  })

  it('a heading that slugs to nothing has an empty id: an error', () => {
    expect(failureOf(`${FRONT}## ***\n\nTeks.\n`).problems).toEqual([
      'esai/uji.md:5:1: section id "" must use lowercase letters, digits and single hyphens: write the heading as "## *** {#my-id}"',
    ])
  })

  it('an essay with headings but no paragraphs is an error at the first body line', () => {
    expect(failureOf(`${FRONT}\n## Satu\n\n## Dua\n`)).toEqual({
      errors: false,
      kind: 'CONTENT',
      problems: ['esai/uji.md:5: the essay has no text: write its paragraphs below the front matter, under "## Heading" lines'],
    })
  })

  it('control characters in the body (C0 but tab and line breaks, DEL, C1) are refused at their line and column, CRLF or not', () => {
    const body = 'Satu\u0007dua.\r\n\r\nNul\u0000, esc \u001b[31m, del \u007f dan c1 \u0085.\r\n\tTab tetap boleh.\r\n'
    expect(failureOf(`${FRONT}\n## Bagian\n\n${body}`).problems).toEqual([
      'esai/uji.md:8:5: control character U+0007 (BEL) in the essay; only tabs and line breaks are allowed: delete it (most editors do not show it)',
      'esai/uji.md:10:4: control character U+0000 (NUL) in the essay; only tabs and line breaks are allowed: delete it (most editors do not show it)',
      'esai/uji.md:10:11: control character U+001B (ESC) in the essay; only tabs and line breaks are allowed: delete it (most editors do not show it)',
      'esai/uji.md:10:22: control character U+007F (DEL) in the essay; only tabs and line breaks are allowed: delete it (most editors do not show it)',
      'esai/uji.md:10:31: control character U+0085 in the essay; only tabs and line breaks are allowed: delete it (most editors do not show it)',
    ])
    expect(() => parse(`${FRONT}\n## Bagian\n\n\tTab di awal.\r\n`)).not.toThrow()
  })

  it('bidirectional overrides and isolates (text shown reversed) are refused as in office fields', () => {
    expect(failureOf(`${FRONT}\n## Bagian\n\nGaji \u202e000.005\u202c rupiah, \u2067x\u2069.\n`).problems).toEqual([
      'esai/uji.md:8:6: control character U+202E (RIGHT-TO-LEFT OVERRIDE) in the essay; only tabs and line breaks are allowed: delete it (most editors do not show it)',
      'esai/uji.md:8:14: control character U+202C (POP DIRECTIONAL FORMATTING) in the essay; only tabs and line breaks are allowed: delete it (most editors do not show it)',
      'esai/uji.md:8:24: control character U+2067 (RIGHT-TO-LEFT ISOLATE) in the essay; only tabs and line breaks are allowed: delete it (most editors do not show it)',
      'esai/uji.md:8:26: control character U+2069 (POP DIRECTIONAL ISOLATE) in the essay; only tabs and line breaks are allowed: delete it (most editors do not show it)',
    ])
  })

  it('a binary file is reported by its first ten control characters, not thousands', () => {
    const problems = failureOf(`${FRONT}\n${'\u0000'.repeat(5000)}\n`).problems
    expect(problems).toHaveLength(10)
    expect(problems.at(-1)).toMatch(/U\+0000 \(NUL\).*\(4990 more not listed\)$/)
  })

  it(`more than ${MAX_SECTIONS} sections is an error at the first one over`, () => {
    const sections = Array.from({ length: MAX_SECTIONS + 1 }, (_, i) => `## Bagian ${i + 1}\n\nKalimat.\n`).join('\n')
    expect(failureOf(`${FRONT}\n${sections}`).problems).toEqual([
      `esai/uji.md:${6 + 4 * MAX_SECTIONS}:1: the essay has ${MAX_SECTIONS + 1} sections; the limit is ${MAX_SECTIONS} ("## " headings): split it into several essays`,
    ])
    expect(() =>
      parse(
        `${FRONT}\n${sections
          .split('\n')
          .slice(0, 4 * MAX_SECTIONS)
          .join('\n')}`,
      ),
    ).not.toThrow()
  })

  it('the exit code of a content error is 1', () => {
    try {
      parse(`${FRONT}`)
      expect.unreachable()
    } catch (error) {
      expect((error as OrtugError).exitCode).toBe(1)
    }
  })
})

describe('CommonMark structure: lists, quotes, emphasis, subheadings and links become blocks, never raw syntax', () => {
  it('reads paragraphs, ordered and bullet lists, a blockquote and a subheading as blocks, the words verbatim', () => {
    const text = `${FRONT}## Satu\n\nSyarat *utama* ada **tiga**, lihat [laman KPU](https://kpu.go.id):\n\n1. persyaratan administrasi;\n2. sistem informasi\n   pencalonan; dan\n3. verifikasi faktual.\n\n### Catatan\n\n> Pemilu yang jujur\n> dimulai dari kita.\n\n- Satu butir\n- Dua butir\n`
    expect(parse(text).sections[0]?.blocks).toEqual([
      { kind: 'paragraph', text: 'Syarat utama ada tiga, lihat laman KPU:', line: 7 },
      { kind: 'list', ordered: true, start: 1, items: ['persyaratan administrasi;', 'sistem informasi pencalonan; dan', 'verifikasi faktual.'], line: 9 },
      { kind: 'subheading', text: 'Catatan', line: 14 },
      { kind: 'quote', text: 'Pemilu yang jujur dimulai dari kita.', line: 16 },
      { kind: 'list', ordered: false, start: 1, items: ['Satu butir', 'Dua butir'], line: 19 },
    ])
    expect(parse(text).sections[0]?.paragraphs).toEqual([
      'Syarat utama ada tiga, lihat laman KPU:',
      'persyaratan administrasi;',
      'sistem informasi pencalonan; dan',
      'verifikasi faktual.',
      'Catatan',
      'Pemilu yang jujur dimulai dari kita.',
      'Satu butir',
      'Dua butir',
    ])
  })

  it('an ordered list keeps its start number; an indented line is a paragraph, not code', () => {
    const [section] = parse(`${FRONT}## Satu\n\n3. tiga\n4. empat\n\nTeks.\n\n    Baris yang menjorok.\n`).sections
    expect(section?.blocks).toMatchObject([
      { kind: 'list', ordered: true, start: 3, items: ['tiga', 'empat'] },
      { kind: 'paragraph', text: 'Teks.' },
      { kind: 'paragraph', text: 'Baris yang menjorok.' },
    ])
  })

  it('tables, HTML, images, code blocks, rules, footnotes, nested lists and setext headings are errors at line:column', () => {
    const text = [
      FRONT.trimEnd(),
      '## Satu',
      '',
      '| a | b |',
      '|---|---|',
      '| 1 | 2 |',
      '',
      'Teks dengan <b>tebal</b> di tengah.',
      '',
      'Gambar ![logo](logo.png) di sini.',
      '',
      '```',
      'kode',
      '```',
      '',
      '***',
      '',
      'Catatan kaki[^1] di sini.',
      '',
      '- butir',
      '  - anak butir',
      '',
      'Judul bergaris',
      '===',
      '',
      '<div>blok</div>',
      '',
      'Klik [di sini](javascript:alert(1)) dan [situs][kpu].',
      '',
      '[kpu]: https://kpu.go.id',
      '[^2]: Catatan yang hilang.',
      '',
      '- satu',
      '-',
      '',
    ].join('\n')
    expect(failureOf(text).problems).toEqual([
      'esai/uji.md:7:1: tables are not supported: write each row as an item of a list ("- ...")',
      'esai/uji.md:11:13: HTML is not read in an essay (it would show as raw text): write the text without tags',
      'esai/uji.md:11:21: HTML is not read in an essay (it would show as raw text): write the text without tags',
      'esai/uji.md:13:8: images are not supported in an essay: delete the image',
      'esai/uji.md:15:1: a code block has no place on a slide: write it as a paragraph',
      'esai/uji.md:19:1: a horizontal rule ("---", "***") has no place in an essay: use a "## " heading to start a section, or delete it',
      'esai/uji.md:21:13: footnotes are not supported: write the note as a sentence of the paragraph',
      'esai/uji.md:24:1: a list item may hold only text: a list or quote inside a list is not supported; write it as items of its own',
      'esai/uji.md:26:1: a heading underlined with "===" or "---" is not read: write it as "## Heading" (a section) or "### Heading" (a subheading)',
      'esai/uji.md:29:1: HTML is not read in an essay (it would show as raw text): write the text without tags',
      'esai/uji.md:31:6: this link would show as raw text: a deck may not link to a javascript:, vbscript:, file: or data: address; write the text without the link',
      'esai/uji.md:33:1: a link reference definition ("[label]: address") is not read in an essay: write the link where it is used, as [text](address), or delete the line',
      'esai/uji.md:34:1: footnotes are not supported: write the note as a sentence of the paragraph',
      'esai/uji.md:37:1: a list item is empty: write its text, or delete the line',
    ])
  })

  it('a link left as text says why: its scheme, or an address it cannot read; a code span is shown as written', () => {
    const text = [FRONT.trimEnd(), '## Bagian', '', 'Lihat [laman](https://kpu.go.id/a b) dan `[x](y)`.', '', 'Ini [bisa](<https://kpu.go.id/a b>).'].join('\n')
    expect(failureOf(text).problems).toEqual([
      'esai/uji.md:7:7: this link would show as raw text: its address cannot be read (a space or an unmatched bracket in it); write the address as <https://…>, or the text without the link',
    ])
  })

  it('a list item holding only an image is reported once, for the image', () => {
    const text = [FRONT.trimEnd(), '## Bagian', '', '- ![logo](logo.png)', '- dua'].join('\n')
    expect(failureOf(text).problems).toEqual(['esai/uji.md:7:3: images are not supported in an essay: delete the image'])
  })
})
