import { cp, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { deflateSync } from 'node:zlib'
import { PDFDocument, PDFName, PDFStream } from 'pdf-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveBrowser } from '../../src/browser/launch.ts'
import { parseEssay } from '../../src/content/essay.ts'
import { contrastRatio, mergeDefaults, type OfficeDraft, parseDefaults, parseOffice, verifyOfficeSections } from '../../src/content/office.ts'
import { OrtugErrors } from '../../src/shared/error.ts'
import { FIXTURES, hashTree, makeProject, type PdfFacts, REPO, readPdf, removeProject, runCli, runExpecting } from '../helpers.ts'

const DEFAULTS = 'colors: { primary: "#8f1d21", accent: "#e0a526" }\naspect: "16:9"\nhandout: { layout: three-up, paper: A4 }\n'
const OFFICE = 'name: KPU Kota Contoh\nregion: Kota Contoh\nlevel: kota\n'

/** The problems a parse throws, as `line:col message`. */
function problemsOf(parse: () => unknown): string[] {
  try {
    parse()
  } catch (error) {
    const errors = error instanceof OrtugErrors ? error.errors : [error as OrtugErrors]
    return errors.map((e) => `${e.location?.line ?? '-'}:${e.location?.column ?? '-'} ${e.message}`)
  }
  throw new Error('expected the parse to fail')
}

describe('parseOffice (no disk)', () => {
  const defaults = parseDefaults(DEFAULTS, '_defaults.yaml')

  it('merges the defaults under the office and fills the slide defaults', () => {
    const office = parseOffice(`${OFFICE}colors: { primary: "#1d4e89" }\naspect: "4:3"\n`, 'kota-contoh', 'kota-contoh.yaml', defaults)
    expect(office).toMatchObject({
      id: 'kota-contoh',
      file: 'kota-contoh.yaml',
      name: 'KPU Kota Contoh',
      colors: { primary: '#1d4e89', accent: '#e0a526' },
      aspect: '4:3',
      handout: { layout: 'three-up', paper: 'A4' },
      slides: { exclude: [], extra: [] },
    })
    expect(office.locate(['aspect'])).toEqual({ file: 'kota-contoh.yaml', line: 5, column: 1 })
    expect(office.locate(['handout', 'paper'])).toEqual({ file: '_defaults.yaml', line: 3, column: 30 })
  })

  it('reports every problem of one file at once, each at its line', () => {
    const text = `name: KPU Kota Contoh\nregion: Kota Contoh\nlevel: kot\ncolors: { primary: "#f0f0f0" }\nsesion: {}\nsession: { date: "2027-13-01" }\n`
    expect(problemsOf(() => parseOffice(text, 'Kota_Contoh', 'Kota_Contoh.yaml', defaults))).toEqual([
      expect.stringMatching(/^-:- office file name "Kota_Contoh" is not a valid office id: .*rename it to "kota-contoh.yaml"$/),
      expect.stringMatching(/^3:1 level: is "kot"; allowed values: "provinsi", "kabupaten", "kota" \(did you mean "kota"\?\)/),
      expect.stringMatching(/^6:12 session.date: "2027-13-01" is not a real calendar date/),
      expect.stringMatching(/^5:1 sesion: unknown key "sesion" \(did you mean "session"\?\); allowed keys: name, region, level, colors, logo,/),
      expect.stringMatching(/^4:11 colors.primary: white text #ffffff on primary #f0f0f0 has contrast 1.14:1, below the 4.5:1/),
      expect.stringMatching(/^4:11 colors.primary: accent text \(large\) #e0a526 on primary #f0f0f0 has contrast 1.92:1, below the 3:1/),
    ])
  })

  it('reports a problem in a value from _defaults.yaml at its line there', () => {
    const bad = parseDefaults('colors: { primary: "#8f1d21", accent: "#8f1d22" }\naspect: "16:10"\nhandout: { layout: three-up, paper: A4 }\n', 'd.yaml')
    const problems = (() => {
      try {
        parseOffice(OFFICE, 'kota-contoh', 'kota-contoh.yaml', bad)
      } catch (error) {
        return (error as OrtugErrors).errors.map((e) => e.format())
      }
    })()
    expect(problems).toEqual([
      expect.stringMatching(/^d\.yaml:2:1: aspect: is "16:10"; allowed values: "16:9", "4:3"/),
      expect.stringMatching(/^d\.yaml:1:11: colors.primary: accent text \(large\) #8f1d22 on primary #8f1d21 has contrast 1.00:1/),
    ])
  })

  it('points at the accent when the office changed only the accent', () => {
    expect(problemsOf(() => parseOffice(`${OFFICE}colors: { accent: "#8f1d22" }\n`, 'kota-contoh', 'k.yaml', defaults))).toEqual([
      expect.stringMatching(/^4:11 colors.accent: accent text \(large\) #8f1d22 on primary #8f1d21/),
    ])
  })

  it('names the key and both lines of a duplicate key, with its field path', () => {
    expect(problemsOf(() => parseOffice(`${OFFICE}session:\n  venue: A\n  venue: B\n`, 'kota-contoh', 'k.yaml', defaults))).toEqual([
      '6:3 session.venue: the key "venue" is written twice (first on line 5); each key may appear once: keep one and remove the other',
    ])
  })

  it('rejects a file that is not a mapping, and a defaults file that is not one', () => {
    expect(problemsOf(() => parseOffice('- name: x\n', 'kota-contoh', 'k.yaml', defaults))).toEqual([
      expect.stringMatching(/^1:1 an office file must be a mapping/),
    ])
    expect(problemsOf(() => parseDefaults('[1, 2]\n', 'd.yaml'))).toEqual([expect.stringMatching(/^1:1 the defaults must be a mapping/)])
    expect(problemsOf(() => parseOffice('name: "x\n', 'Kota_X', 'Kota_X.yaml', defaults))).toEqual([
      expect.stringMatching(/^-:- office file name "Kota_X"/),
      expect.stringMatching(/^2:1 invalid YAML: Missing closing/),
    ])
  })
})

describe('verifyOfficeSections (no disk)', () => {
  const essay = parseEssay('---\ntitle: T\nauthor: A\n---\n\n## Integritas {#integritas}\n\nSatu.\n\n## Loyalitas {#loyalitas}\n\nDua.\n', 'esai', 'esai.md')
  const office = (slides: string): OfficeDraft => parseOffice(`${OFFICE}${slides}`, 'kota-contoh', 'k.yaml', parseDefaults(DEFAULTS, 'd.yaml'))

  it('accepts known sections and reports every unknown one at its line, with a suggestion', () => {
    expect(() => verifyOfficeSections(office('slides:\n  exclude: [loyalitas]\n'), [essay])).not.toThrow()
    const draft = office('slides:\n  exclude: [integritass]\n  extra:\n    - { after: nope, layout: points, section: loyalitass, points: [a] }\n')
    expect(problemsOf(() => verifyOfficeSections(draft, [essay]))).toEqual([
      '5:13 slides.exclude[0]: unknown section "integritass" (did you mean "integritas"?); sections of essay "esai" are: integritas, loyalitas',
      '7:9 slides.extra[0].after: unknown section "nope"; sections of essay "esai" are: integritas, loyalitas',
      '7:38 slides.extra[0].section: unknown section "loyalitass" (did you mean "loyalitas"?); sections of essay "esai" are: integritas, loyalitas',
    ])
  })
})

describe('mergeDefaults', () => {
  it('merges objects key by key, at every depth', () => {
    expect(mergeDefaults({ colors: { primary: '#111111', accent: '#222222' }, aspect: '16:9' }, { colors: { accent: '#333333' } })).toEqual({
      colors: { primary: '#111111', accent: '#333333' },
      aspect: '16:9',
    })
    expect(mergeDefaults({ a: { b: { c: 1, d: 2 } } }, { a: { b: { d: 3 } } })).toEqual({ a: { b: { c: 1, d: 3 } } })
  })

  it('replaces lists and scalars, and keeps defaults the office does not set', () => {
    expect(mergeDefaults({ session: { trainers: ['A', 'B'] }, slides: { exclude: ['x'] } }, { session: { trainers: ['C'] } })).toEqual({
      session: { trainers: ['C'] },
      slides: { exclude: ['x'] },
    })
    expect(mergeDefaults({ aspect: '16:9' }, { aspect: '4:3' })).toEqual({ aspect: '4:3' })
    expect(mergeDefaults({ colors: { primary: '#111111' } }, { colors: 'red' })).toEqual({ colors: 'red' })
    expect(mergeDefaults({ aspect: '16:9' }, undefined)).toEqual({ aspect: '16:9' })
    expect(mergeDefaults({}, { name: 'x' })).toEqual({ name: 'x' })
  })

  it('does not change its inputs', () => {
    const defaults = { colors: { primary: '#111111', accent: '#222222' } }
    mergeDefaults(defaults, { colors: { primary: '#333333' } })
    expect(defaults).toEqual({ colors: { primary: '#111111', accent: '#222222' } })
  })
})

describe('contrastRatio', () => {
  it('matches WCAG reference values', () => {
    expect(contrastRatio('#ffffff', '#000000')).toBe(21)
    expect(contrastRatio('#000000', '#ffffff')).toBe(21)
    expect(contrastRatio('#8f1d21', '#8f1d21')).toBe(1)
    // #767676 is the lightest grey that passes 4.5:1 on white; #777777 just fails.
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2)
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2)
    expect(contrastRatio('#FFFFFF', '#1d4e89')).toBeCloseTo(contrastRatio('#ffffff', '#1d4e89'), 10)
  })
})

// --- The real CLI on bad office files: one test per file in tests/fixtures/offices-bad/ ---

const BAD_DIR = path.join(FIXTURES, 'offices-bad')
const ASSETS_DIR = path.join(FIXTURES, 'offices-assets')
const SECTIONS = 'pilar, integritas, loyalitas, titik-awal, tugas, penutup'

interface Expectation {
  /** `line:column` the message must carry; left out where the problem has no place in the file. */
  at?: [number, number]
  /** What follows the location: the field path (or, with no field, what is wrong). */
  field: string
  /** Further text the same message must hold: what is allowed, what to do. */
  says: string[]
}

const EXPECTED: Record<string, Expectation> = {
  'unknown-key.yaml': {
    at: [2, 1],
    field: 'nmae',
    says: ['unknown key "nmae" (did you mean "name"?)', 'allowed keys: name, region, level, colors, logo, session, contact, aspect, slides, handout'],
  },
  'wrong-type-level.yaml': { at: [4, 1], field: 'level', says: ['is 3', 'allowed values: "provinsi", "kabupaten", "kota"'] },
  'wrong-type-trainers.yaml': { at: [7, 3], field: 'session.trainers', says: ['must be a list, not text "Pelatih Contoh Satu"'] },
  'bad-color.yaml': { at: [6, 3], field: 'colors.primary', says: ['is "red"', 'must be a colour written #rrggbb, e.g. "#8f1d21"'] },
  'low-contrast.yaml': {
    at: [6, 3],
    field: 'colors.primary',
    says: ['white text #ffffff on primary #f0f0f0 has contrast 1.14:1, below the 4.5:1 that WCAG AA asks for', 'choose a darker primary colour'],
  },
  'Kota_Bandung.yaml': {
    field: 'office file name "Kota_Bandung" is not a valid office id',
    says: ['lowercase letters a-z, digits 0-9 and single hyphens', 'rename it to "kota-bandung.yaml"'],
  },
  'missing-region.yaml': { at: [2, 1], field: 'region', says: ['is required', 'add "region:" with text'] },
  'duplicate-key.yaml': { at: [5, 1], field: 'name', says: ['the key "name" is written twice (first on line 2)', 'keep one and remove the other'] },
  'logo-outside-etc.yaml': {
    at: [5, 1],
    field: 'logo',
    says: ['is "../../etc/passwd"', 'must be a PNG, JPEG, WebP or SVG file under content/assets/', '"assets/logos/kota-bandung.png"'],
  },
  'logo-outside-parent.yaml': { at: [5, 1], field: 'logo', says: ['is "../secret.png"', 'under content/assets/'] },
  'logo-symlink.yaml': { at: [5, 1], field: 'logo', says: ['"assets/logos/link-to-secret.png" resolves outside content/assets/'] },
  'logo-not-image.yaml': { at: [5, 1], field: 'logo', says: ['"assets/logos/not-an-image.png" is not a PNG, JPEG, WebP or SVG image'] },
  'logo-missing.yaml': { at: [5, 1], field: 'logo', says: ['no file at content/assets/logos/kota-contoh.png', 'copy the logo image there'] },
  'exclude-unknown-section.yaml': { at: [6, 13], field: 'slides.exclude[0]', says: ['unknown section "integritass"', SECTIONS] },
  'extra-unknown-after.yaml': { at: [7, 7], field: 'slides.extra[0].after', says: ['unknown section "loyalitaz"', SECTIONS] },
  'extra-unknown-layout.yaml': {
    at: [8, 7],
    field: 'slides.extra[0].layout',
    says: ['is "bullets"', 'allowed values: "title", "agenda", "section", "points", "acronym", "quote", "text", "question", "closing"'],
  },
  'extra-missing-points.yaml': { at: [7, 7], field: 'slides.extra[0].points', says: ['is required for layout "points"'] },
  'bad-date.yaml': { at: [6, 3], field: 'session.date', says: ['"2027-02-30" is not a real calendar date'] },
  'website-not-http.yaml': { at: [6, 3], field: 'contact.website', says: ['is "ftp://example.org"', 'must be an address starting with http:// or https://'] },
  'yaml-syntax.yaml': { at: [5, 1], field: 'invalid YAML', says: ['Missing closing'] },
  'not-a-mapping.yaml': { at: [2, 1], field: 'an office file must be a mapping of fields', says: ['not a list'] },
}

const BAD_FILES = (await readdir(BAD_DIR)).sort()

/** The repo's essay and defaults, one office file from the fixtures, and logos that the logo cases point at. */
async function makeBadProject(files: string[], offices: string[] = []): Promise<string> {
  const assets: Record<string, Buffer> = {
    'content/assets/logos/not-an-image.png': await readFile(path.join(ASSETS_DIR, 'logos', 'not-an-image.png')),
    // A real image outside content/assets/: only the path rule keeps it out.
    'content/secret.png': await readFile(path.join(ASSETS_DIR, 'secret.png')),
    'dist/keep.txt': Buffer.from('an earlier build\n'),
    // Its cache folder marks it as an output folder of ortug's.
    'dist/.ortug-cache/thumbs/.keep': Buffer.from(''),
    'dist/kota-lama/ortug-kpu-jabar.md': Buffer.from('# earlier output\n'),
  }
  for (const file of files) assets[`content/offices/${file}`] = await readFile(path.join(BAD_DIR, file))
  const dir = await makeProject({ files: assets, offices })
  await symlink('../../secret.png', path.join(dir, 'content', 'assets', 'logos', 'link-to-secret.png'))
  return dir
}

const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

describe('bad office files: ortug check and ortug build', () => {
  it('has an expectation for every fixture file, and a fixture for every expectation', () => {
    expect(BAD_FILES).toEqual(Object.keys(EXPECTED).sort())
  })

  it.each(BAD_FILES)('%s', async (file) => {
    const expected = EXPECTED[file] as Expectation
    const dir = await makeBadProject([file])
    try {
      const before = await hashTree(dir)
      const check = await runCli(['check', '--no-fit'], dir)
      const build = await runCli(['build', '--format', 'md', '--out', 'dist'], dir)
      const position = expected.at ? `:${expected.at[0]}:${expected.at[1]}` : ''
      const where = position
      // Paths inside the project are printed relative to it.
      const head = new RegExp(`^error: ${escapeRe(`content/offices/${file}`)}${where}: ${escapeRe(expected.field)}`, 'm')
      for (const [command, result] of Object.entries({ check, build })) {
        expect(result.code, `${command}: ${result.stderr}`).toBe(1)
        const line = result.stderr.split('\n').find((l) => head.test(l))
        expect(line, `${command} should report ${head}; got:\n${result.stderr}`).toBeDefined()
        for (const text of expected.says) expect(line, command).toContain(text)
      }
      // Nothing written: the earlier build in dist/ is byte-identical and nothing new appeared anywhere.
      expect(await hashTree(dir)).toEqual(before)
    } finally {
      await removeProject(dir)
    }
  })

  it('ortug check reports every bad office of a project in one run', async () => {
    const dir = await makeBadProject(['unknown-key.yaml', 'bad-color.yaml', 'exclude-unknown-section.yaml'], ['kota-bandung'])
    try {
      const { code, stderr } = await runCli(['check', '--no-fit'], dir)
      expect(code).toBe(1)
      for (const file of ['unknown-key.yaml', 'bad-color.yaml', 'exclude-unknown-section.yaml']) expect(stderr).toContain(`content/offices/${file}`)
      expect(stderr).not.toContain('kota-bandung.yaml')
    } finally {
      await removeProject(dir)
    }
  })
})

// --- An office that sets every field, built to md, html and pdf with the real browser ---

describe('tests/fixtures/customized: every office field shows in the outputs', () => {
  let dir: string
  let build: Awaited<ReturnType<typeof runCli>>
  let pdf: PdfFacts
  let html: string
  let markdown: string
  const out = () => path.join(dir, 'out', 'kota-contoh')

  beforeAll(async () => {
    dir = await makeProject({ from: 'customized' })
    build = await runExpecting(0, ['build', '--format', 'md,html,pdf', '--out', 'out'], dir)
    pdf = await readPdf(path.join(out(), 'esai-contoh.pdf'))
    html = await readFile(path.join(out(), 'esai-contoh.html'), 'utf8')
    markdown = await readFile(path.join(out(), 'esai-contoh.md'), 'utf8')
  })
  afterAll(() => removeProject(dir))

  it('passes ortug check and builds', async () => {
    expect(build.code, build.stderr).toBe(0)
    expect((await readdir(out())).sort()).toEqual(['esai-contoh.html', 'esai-contoh.md', 'esai-contoh.pdf'])
    expect((await runCli(['check', '--no-fit'], dir)).code).toBe(0)
  })

  it('puts the name, date in Indonesian, venue and trainers on the first page', () => {
    const first = pdf.text[0]
    expect(first).toContain('KPU Kota Contoh')
    expect(first).toContain('Senin, 11 Januari 2027')
    expect(first).toContain('Aula Contoh Lantai 2')
    expect(first).toContain('Pelatih Contoh Satu, Pelatih Contoh Dua')
  })

  it('puts the contact on the closing page', () => {
    const last = pdf.text.at(-1)
    for (const value of ['info@example.org', '+62 000 0000 0000', 'https://example.org']) expect(last).toContain(value)
  })

  it('uses the colours as the theme variables', () => {
    expect(html).toMatch(/--primary:\s*#1d4e89/)
    expect(html).toMatch(/--accent:\s*#f2c14e/)
  })

  it('inlines the logo as a data: URI and never refers to its file', async () => {
    const logo = (await readFile(path.join(dir, 'content', 'assets', 'logos', 'kota-contoh.png'))).toString('base64')
    expect(html).toContain(`data:image/png;base64,${logo}`)
    for (const text of [html, markdown]) {
      expect(text).not.toContain('kota-contoh.png')
      expect(text).not.toContain('assets/logos')
    }
    // The title page of the PDF carries the image.
    const doc = await PDFDocument.load(await readFile(path.join(out(), 'esai-contoh.pdf')))
    const images = doc.context.enumerateIndirectObjects().filter(([, o]) => o instanceof PDFStream && o.dict.get(PDFName.of('Subtype')) === PDFName.of('Image'))
    expect(images.length).toBeGreaterThan(0)
  })

  it('places the extra slide right after the last slide of its section', () => {
    const extra = pdf.text.findIndex((t) => t.includes('Tambahan Kota Contoh'))
    expect(extra).toBeGreaterThan(0)
    expect(pdf.text[extra]).toContain('Poin tambahan kedua dari kantor contoh')
    expect(pdf.text[extra - 1]).toContain('Penanda akhir bagian satu.')
    expect(pdf.text[extra + 1]).toMatch(/^Bagian Dua\b/)
    expect(pdf.text.filter((t) => t.includes('Tambahan Kota Contoh'))).toHaveLength(1)
  })

  it('drops every slide of the excluded section, from the agenda and the notes too', () => {
    for (const text of [...pdf.text, html, markdown]) {
      expect(text).not.toContain('Bagian Tiga')
      expect(text).not.toContain('tidak boleh tampil')
    }
    expect(pdf.text[1]).toContain('Bagian Empat')
  })

  it('prints 4:3 pages, 720 x 540 pt', () => {
    expect(pdf.pages).toBeGreaterThan(5)
    for (const size of pdf.sizes) expect(size).toEqual({ width: 720, height: 540 })
    expect(markdown).toMatch(/^size: "?4:3"?$/m)
  })
})

// --- ortug new-office ---

describe('ortug new-office', () => {
  let dir: string
  beforeAll(async () => {
    dir = await makeProject()
  })
  afterAll(() => removeProject(dir))
  const file = () => path.join(dir, 'content', 'offices', 'kota-baru.yaml')

  it('writes an office file that passes ortug check and builds', async () => {
    const created = await runCli(['new-office', 'kota-baru', '--name', 'KPU Kota Baru', '--level', 'kota'], dir)
    expect(created.code, created.stderr).toBe(0)
    const text = await readFile(file(), 'utf8')
    expect(text).toMatch(/^# yaml-language-server: \$schema=\.\/schema\.json\n/)
    expect(text).toContain('name: "KPU Kota Baru"')
    const check = await runCli(['check', '--no-fit'], dir)
    expect(check.code, check.stderr).toBe(0)
    const build = await runCli(['build', '--format', 'md', '--out', 'dist'], dir)
    expect(build.code, build.stderr).toBe(0)
    expect(await readFile(path.join(dir, 'dist', 'kota-baru', 'ortug-kpu-jabar.md'), 'utf8')).toContain('KPU Kota Baru')
  })

  it('refuses to overwrite an existing office (exit 2)', async () => {
    const before = await readFile(file(), 'utf8')
    const again = await runCli(['new-office', 'kota-baru', '--name', 'KPU Kota Lain', '--level', 'kota'], dir)
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('already exists')
    expect(await readFile(file(), 'utf8')).toBe(before)
  })

  it('refuses a bad id, naming the rule (exit 2)', async () => {
    const before = await hashTree(dir)
    const bad = await runCli(['new-office', 'Kota_Baru', '--name', 'KPU Kota Baru', '--level', 'kota'], dir)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('"Kota_Baru" is not a valid office id')
    expect(bad.stderr).toContain('lowercase letters, digits and single hyphens')
    expect(await hashTree(dir)).toEqual(before)
  })
})

// --- Logos stored once, overrides scoped to their office ---

const inUse = await resolveBrowser().catch(() => undefined)

/** A real PNG of random pixels, stored without compression: `side` × `side` pixels make about 3·side² bytes. */
function noisePng(side: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff
    for (const byte of bytes) c = (crcTable[(c ^ byte) & 0xff] as number) ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
    const framed = Buffer.alloc(body.length + 8)
    framed.writeUInt32BE(data.length, 0)
    body.copy(framed, 4)
    framed.writeUInt32BE(crc(body), body.length + 4)
    return framed
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(side, 0)
  header.writeUInt32BE(side, 4)
  header[8] = 8 // bits per channel
  header[9] = 2 // RGB
  const rows = Buffer.alloc((side * 3 + 1) * side)
  let seed = 42
  for (let i = 0; i < rows.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0
    rows[i] = i % (side * 3 + 1) === 0 ? 0 : seed >>> 24
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 0 })), chunk('IEND', Buffer.alloc(0))])
}

describe.skipIf(!inUse)('a logo is stored once per deck', () => {
  it('a 1.9 MB PNG logo: the HTML deck holds its data: URI once and stays under 4 MB; the PDF shows it', async () => {
    const png = noisePng(800)
    expect(png.length).toBeGreaterThan(1_900_000)
    expect(png.length).toBeLessThan(2 * 1024 * 1024)
    const dir = await makeProject({ from: 'hostile/_base', files: { 'content/assets/logos/besar.png': png } })
    try {
      const office = path.join(dir, 'content/offices/kota-uji.yaml')
      await writeFile(office, `${await readFile(office, 'utf8')}logo: assets/logos/besar.png\n`)
      await runExpecting(0, ['build', '--format', 'md,html,pdf,handout'], dir)
      const out = path.join(dir, 'dist', 'kota-uji')
      const html = await readFile(path.join(out, 'uji.html'), 'utf8')
      expect(html.length).toBeLessThan(4 * 1024 * 1024)
      expect(html.split(png.toString('base64')).length - 1).toBe(1)
      expect(html.split('data:image/png;base64,').length - 1).toBe(1)
      // The handout leaves out the title and closing slides, the logo's; the slide PDF has them.
      for (const pdf of ['uji.pdf']) {
        const doc = await PDFDocument.load(await readFile(path.join(out, pdf)))
        const images = doc.context
          .enumerateIndirectObjects()
          .filter(([, o]) => o instanceof PDFStream && o.dict.get(PDFName.of('Subtype')) === PDFName.of('Image'))
        expect(images.length, pdf).toBeGreaterThan(0)
      }
    } finally {
      await removeProject(dir)
    }
  })
})

describe('template overrides belong to their office', () => {
  /** Two offices of _base, each with a folder of overrides; a project's templates/ starts as a copy of ortug's. */
  async function makeOverrides(files: Record<string, string>): Promise<string> {
    const dir = await makeProject({ from: 'hostile/_base' })
    const base = await readFile(path.join(dir, 'content/offices/kota-uji.yaml'), 'utf8')
    await writeFile(path.join(dir, 'content/offices/kota-dua.yaml'), base.replace('KPU Kota Uji', 'KPU Kota Dua').replace('Kota Uji', 'Kota Dua'))
    await cp(path.join(REPO, 'templates'), path.join(dir, 'templates'), { recursive: true })
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, 'templates/offices', file)), { recursive: true })
      await writeFile(path.join(dir, 'templates/offices', file), text)
    }
    return dir
  }
  const closing = async () =>
    (await readFile(path.join(REPO, 'templates/layouts/closing.hbs'), 'utf8')).replace('# {{title}}', '# {{title}} Penutup Khusus Uji')

  it('a bad override of one office fails that office only; the other is written with its own overrides', async () => {
    const dir = await makeOverrides({ 'kota-uji/closing.hbs': await closing(), 'kota-dua/bukan-tata-letak.hbs': '# x\n' })
    try {
      const one = await runExpecting(0, ['build', '--format', 'md', '--office', 'kota-uji'], dir)
      expect(one.stderr).not.toContain('bukan-tata-letak')
      expect(await readFile(path.join(dir, 'dist/kota-uji/uji.md'), 'utf8')).toContain('Penutup Khusus Uji')

      const all = await runExpecting(1, ['build', '--format', 'md', '--force'], dir)
      expect(all.stderr).toMatch(
        /error: .*templates\/offices\/kota-dua\/bukan-tata-letak\.hbs: "bukan-tata-letak\.hbs" is not a template an office can override; name it <layout>\.hbs with layout one of: title, .*; or handout\.hbs/,
      )
      expect(await readdir(path.join(dir, 'dist'))).not.toContain('kota-dua')
      expect(await readFile(path.join(dir, 'dist/kota-uji/uji.md'), 'utf8')).toContain('Penutup Khusus Uji')
      const check = await runExpecting(1, ['check', '--no-fit'], dir)
      expect(check.stderr).toContain('bukan-tata-letak.hbs')
      expect(check.stderr).toContain('1 problem(s) found')
    } finally {
      await removeProject(dir)
    }
  })

  it('an override that links outside templates/ is refused, for its office only', async () => {
    const dir = await makeOverrides({})
    try {
      await mkdir(path.join(dir, 'templates/offices/kota-dua'), { recursive: true })
      await symlink('/etc/passwd', path.join(dir, 'templates/offices/kota-dua/closing.hbs'))
      const build = await runExpecting(1, ['build', '--format', 'md'], dir)
      expect(build.stderr).toMatch(/error: .*templates\/offices\/kota-dua\/closing\.hbs: resolves to \/etc\/passwd, outside templates\/ \(links are followed\)/)
      expect(build.stderr).not.toContain('root:')
      expect(await readdir(path.join(dir, 'dist'))).toContain('kota-uji')
      expect(await readdir(path.join(dir, 'dist'))).not.toContain('kota-dua')
    } finally {
      await removeProject(dir)
    }
  })

  it.skipIf(!inUse)("an office's handout.hbs shows in its handout PDF, and only in its own", async () => {
    const handout = (await readFile(path.join(REPO, 'templates/handout.hbs'), 'utf8')).replace(
      '<span class="office">{{@root.office.name}}</span>',
      '<span class="office">{{@root.office.name}} · Lembar Khusus Uji</span>',
    )
    expect(handout).toContain('Lembar Khusus Uji')
    const dir = await makeOverrides({ 'kota-uji/handout.hbs': handout })
    try {
      await runExpecting(0, ['build', '--format', 'handout'], dir)
      expect((await readPdf(path.join(dir, 'dist/kota-uji/uji-handout.pdf'))).text.join(' ')).toContain('Lembar Khusus Uji')
      expect((await readPdf(path.join(dir, 'dist/kota-dua/uji-handout.pdf'))).text.join(' ')).not.toContain('Lembar Khusus Uji')
    } finally {
      await removeProject(dir)
    }
  })
})
