import { readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { renderJsonSchemas } from '../../scripts/schema.ts'
import { resolveBrowser } from '../../src/browser/launch.ts'
import { contrastRatio, parseDefaults, parseOffice } from '../../src/content/office.ts'
import { OrtugError } from '../../src/shared/error.ts'
import { LAYOUTS } from '../../src/shared/schema.ts'
import { type CliResult, FIXTURES, makeProject, removeProject, runCli, runExpecting } from '../helpers.ts'

// Every value that validates also renders: each limit of the office schema, read from the
// published JSON Schema, is written at its boundary into an office, and all of them go through a
// real build. A value may make its deck fail as content (exit 1, e.g. a slide that cannot fit),
// never crash the build (exit 3, "internal error", a stack trace). One past each limit is refused
// by validation, naming the field.

type JsonSchema = {
  enum?: unknown[]
  maxLength?: number
  maxItems?: number
  maximum?: number
  properties?: Record<string, JsonSchema>
  items?: JsonSchema
}

const officeJson = JSON.parse(renderJsonSchemas().find((s) => s.file === 'content/offices/schema.json')?.text ?? '{}') as JsonSchema

/** Every bounded field of an office file, by path ("session.trainers[]"): its limits. */
function collectLimits(schema: JsonSchema, at = '', found = new Map<string, JsonSchema>()): Map<string, JsonSchema> {
  if (schema.maxLength !== undefined || schema.maxItems !== undefined || schema.maximum !== undefined || schema.enum) found.set(at, schema)
  for (const [key, value] of Object.entries(schema.properties ?? {})) collectLimits(value, at ? `${at}.${key}` : key, found)
  if (schema.items) collectLimits(schema.items, `${at}[]`, found)
  return found
}

const LIMITS = collectLimits(officeJson)
/** The paths a boundary office exercised, to prove every limit was. */
const covered = new Set<string>()

function limit(at: string, key: 'maxLength' | 'maxItems' | 'maximum'): number {
  const value = LIMITS.get(at)?.[key]
  if (value === undefined) throw new Error(`the office schema has no ${key} at ${at}`)
  covered.add(at)
  return value
}

function values(at: string): string[] {
  covered.add(at)
  return (LIMITS.get(at)?.enum ?? []).map(String)
}

/** Text of exactly `length` characters: words that can wrap, or one word that cannot. */
function text(length: number, unbroken = false): string {
  const source = unbroken ? 'Integritas' : 'Integritas loyalitas netralitas pelayanan '
  const filled = source.repeat(Math.ceil(length / source.length) + 1).slice(0, length)
  return `${filled
    .slice(0, -1)
    .trimEnd()
    .padEnd(length - 1, 'x')}.`
}

const after = 'integritas'
const longest = (at: string, unbroken = false) => text(limit(at, 'maxLength'), unbroken)
const many = <T>(at: string, make: (i: number) => T) => Array.from({ length: limit(at, 'maxItems') }, (_, i) => make(i))
/** The lightest grey that white text still reads on: primary at the edge of its contrast rule. */
const lightestPrimary = (() => {
  for (let g = 255; g >= 0; g--) {
    const hex = `#${g.toString(16).padStart(2, '0').repeat(3)}`
    if (contrastRatio('#ffffff', hex) >= 4.5) return hex
  }
  throw new Error('no grey reaches 4.5:1')
})()

function boundaryOffices(): Record<string, Record<string, unknown>> {
  const [level1, level2, level3] = values('level')
  const [aspect1, aspect2] = values('aspect')
  const [layout1, layout2, layout3] = values('handout.layout')
  const [paper1, paper2] = values('handout.paper')
  const email = limit('contact.email', 'maxLength')
  const website = limit('contact.website', 'maxLength')
  const base = (name: string, level = level3) => ({ name, region: name, level })
  const people = (unbroken: boolean) => ({
    name: longest('name', unbroken),
    region: longest('region', unbroken),
    level: unbroken ? level1 : level2,
    session: {
      date: unbroken ? '0001-01-01' : '9999-12-31',
      venue: longest('session.venue', unbroken),
      trainers: many('session.trainers', () => longest('session.trainers[]', unbroken)),
    },
    contact: {
      email: `${'p'.repeat(email - 4 - 50)}@${'k'.repeat(50)}.id`,
      phone: '+62 (22) 1234-5678 901 23',
      website: `https://example.org/${'a'.repeat(website - 'https://example.org/'.length)}`,
    },
    aspect: unbroken ? aspect1 : aspect2,
    handout: { layout: layout1, paper: paper2 },
  })
  const extraLayouts = values('slides.extra[].layout')
  const minimal = (layout: string, i: number) => ({
    after,
    layout,
    title: `Tambahan ${i + 1}`,
    ...(layout === 'points' ? { points: ['Satu'] } : {}),
    ...(layout === 'acronym' ? { items: [{ term: 'A', text: 'Amanah' }] } : {}),
    ...(layout === 'quote' ? { quote: 'Kutipan.' } : {}),
    ...(layout === 'question' ? { question: 'Apa?' } : {}),
    ...(layout === 'contrast' || layout === 'pillars'
      ? {
          columns: [
            { title: 'Bukan', text: 'Ini.' },
            { title: 'Melainkan', text: 'Itu.' },
          ],
        }
      : {}),
    ...(layout === 'grid' ? { items: [{ icon: 'users', text: 'Warga' }] } : {}),
    ...(layout === 'statement' ? { text: 'Satu kalimat.' } : {}),
  })
  return {
    'batas-kata': people(false),
    'batas-sambung': people(true),
    'batas-hitam': { ...base('KPU Hitam'), colors: { primary: '#000000', accent: '#ffffff' } },
    'batas-abu': { ...base('KPU Abu'), colors: { primary: lightestPrimary, accent: '#000000' } },
    'batas-banyak': { ...base('KPU Banyak'), slides: { extra: many('slides.extra', (i) => minimal(extraLayouts[i % extraLayouts.length] as string, i)) } },
    'batas-poin': {
      ...base('KPU Poin'),
      handout: { layout: layout2, paper: paper1 },
      slides: { extra: [{ after, layout: 'points', title: 'Poin', points: many('slides.extra[].points', () => longest('slides.extra[].points[]')) }] },
    },
    'batas-akronim': {
      ...base('KPU Akronim'),
      slides: {
        extra: [
          {
            after,
            layout: 'acronym',
            title: 'Akronim',
            items: many('slides.extra[].items', () => ({
              term: longest('slides.extra[].items[].term', true),
              text: longest('slides.extra[].items[].text'),
            })),
          },
        ],
      },
    },
    'batas-kolom': {
      ...base('KPU Kolom'),
      slides: {
        extra: [
          {
            after,
            layout: 'pillars',
            title: 'Pilar',
            columns: many('slides.extra[].columns', () => ({
              title: longest('slides.extra[].columns[].title'),
              text: longest('slides.extra[].columns[].text'),
            })),
          },
          {
            after,
            layout: 'contrast',
            title: 'Kontras',
            columns: [0, 1].map(() => ({
              title: 'Kolom',
              points: many('slides.extra[].columns[].points', () => longest('slides.extra[].columns[].points[]')),
            })),
          },
          {
            after,
            layout: 'grid',
            title: 'Ikon',
            items: many('slides.extra[].items', () => ({ icon: 'users', text: longest('slides.extra[].items[].text') })),
          },
        ],
      },
    },
    'batas-isi': {
      ...base('KPU Isi'),
      handout: { layout: layout3, paper: paper1 },
      slides: {
        extra: LAYOUTS.map((layout, i) => ({
          ...minimal(layout, i),
          title: longest('slides.extra[].title'),
          subtitle: longest('slides.extra[].subtitle'),
          ...(layout === 'quote' ? { quote: longest('slides.extra[].quote') } : {}),
          ...(layout === 'question' ? { question: longest('slides.extra[].question') } : {}),
          ...(layout === 'text' ? { text: longest('slides.extra[].text'), notes: longest('slides.extra[].notes') } : {}),
          minutes: i % 2 === 0 ? limit('slides.extra[].minutes', 'maximum') : 0.001,
        })),
      },
    },
  }
}

/** Every problem a parse throws, one per line, with file:line:column. */
function problemsOf(parse: () => unknown): string {
  try {
    parse()
  } catch (error) {
    if (error instanceof OrtugError) return error.format()
    throw error
  }
  return '(no problem)'
}

const OFFICES = boundaryOffices()
const DEFAULTS_FILE = path.join(FIXTURES, 'hostile', '_base', 'content', 'offices', '_defaults.yaml')
const DEFAULTS = parseDefaults(await readFile(DEFAULTS_FILE, 'utf8'), DEFAULTS_FILE)
const inUse = await resolveBrowser().catch(() => undefined)

describe('every boundary value of the office schema', () => {
  it('is written by some boundary office: every limit of the schema is exercised', () => {
    expect([...LIMITS.keys()].filter((at) => !covered.has(at))).toEqual([])
  })

  it('validates, and one past each length or count limit is refused naming the field', () => {
    for (const [id, office] of Object.entries(OFFICES)) expect(() => parseOffice(stringify(office), id, `${id}.yaml`, DEFAULTS), id).not.toThrow()
    const [name, trainer] = [limit('name', 'maxLength'), limit('session.trainers[]', 'maxLength')]
    const over = [
      [{ name: text(name + 1) }, /name: must be at most 120 characters/],
      [{ session: { trainers: [text(trainer + 1)] } }, /session\.trainers\[0\]: must be at most 120 characters/],
      [{ session: { trainers: Array(limit('session.trainers', 'maxItems') + 1).fill('Pelatih') } }, /session\.trainers: must list at most 12 trainers/],
      [{ contact: { website: `https://example.org/${'a'.repeat(limit('contact.website', 'maxLength') - 19)}` } }, /contact\.website: must be at most 200/],
      [{ contact: { website: 'ftp://example.org/' } }, /contact\.website: .*must be an address starting with http:\/\/ or https:\/\//],
      [{ contact: { email: `${'p'.repeat(250)}@k.id` } }, /contact\.email: must be at most 254 characters/],
      [{ slides: { extra: Array(limit('slides.extra', 'maxItems') + 1).fill({ after, layout: 'closing' }) } }, /slides\.extra: must list at most 50 slides/],
    ] as const
    for (const [change, message] of over) {
      const office = { ...OFFICES['batas-hitam'], ...change }
      expect(problemsOf(() => parseOffice(stringify(office), 'batas-lewat', 'batas-lewat.yaml', DEFAULTS))).toMatch(message)
    }
  })
})

const IDS = Object.keys(OFFICES)
/** The line a build prints for an office it could not make. */
const failedLine = (id: string) => new RegExp(`^error: (\\S*/)?${id}(\\.yaml)?:`, 'm')

describe.skipIf(!inUse)('every boundary office goes through a real build (md, html, pdf, handout)', () => {
  let dir: string
  let build: CliResult

  // One build of every boundary office: a build fails an office alone, so each office is judged on its
  // own below, from what the build wrote and said about it. One browser and one Marp serve them all,
  // where a build per office started its own.
  beforeAll(async () => {
    dir = await makeProject({ from: 'hostile/_base' })
    for (const [id, office] of Object.entries(OFFICES)) {
      await writeFile(path.join(dir, 'content', 'offices', `${id}.yaml`), stringify(office, { lineWidth: 0 }))
    }
    build = await runCli(['build', '--office', IDS.join(','), '--format', 'md,html,pdf,handout'], dir)
  }, 600_000)
  afterAll(() => removeProject(dir))

  it('check --no-fit accepts every boundary office', async () => {
    const check = await runCli(['check', '--no-fit'], dir)
    expect(check.code, check.stderr).toBe(0)
  })

  it('the build ends as content allows (exit 0, or 1 for an office that cannot be made); never exit 3, "internal error" or a stack trace', () => {
    expect([0, 1], build.stderr).toContain(build.code)
    expect(build.stderr).not.toContain('internal error')
    expect(build.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
    // Every error names the office it failed, and an exit 1 has one.
    const errors = build.stderr.split('\n').filter((line) => line.startsWith('error: '))
    expect(errors.filter((line) => !IDS.some((id) => failedLine(id).test(line)))).toEqual([])
    expect(errors.length > 0, build.stderr).toBe(build.code === 1)
  })

  it.each(IDS)('%s: written, or a content error naming the office', async (id) => {
    if (failedLine(id).test(build.stderr)) {
      expect(build.code).toBe(1)
      await expect(readdir(path.join(dir, 'dist', id))).rejects.toThrow()
    } else {
      expect((await readdir(path.join(dir, 'dist', id))).sort(), build.stderr).toEqual(['uji-handout.pdf', 'uji.html', 'uji.md', 'uji.pdf'])
    }
  })
})

type QrDecoder = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null

describe.skipIf(!inUse)('the longest website the schema allows', () => {
  it('is read back from the QR code of the rendered closing slide', async () => {
    const length = limit('contact.website', 'maxLength')
    const website = `https://example.org/${'jalur-panjang/'.repeat(20)}`.slice(0, length - 1).concat('z')
    expect(website).toHaveLength(length)
    const dir = await makeProject({ from: 'customized' })
    try {
      const file = path.join(dir, 'content', 'offices', 'kota-contoh.yaml')
      await writeFile(file, (await readFile(file, 'utf8')).replace('website: https://example.org', `website: ${website}`))
      await runExpecting(0, ['build', '--format', 'png'], dir)
      const out = path.join(dir, 'dist', 'kota-contoh')
      const images = (await readdir(out)).filter((f) => f.endsWith('.png')).sort()
      const png = PNG.sync.read(await readFile(path.join(out, images.at(-1) as string)))
      const jsqr = (await import('jsqr')) as unknown as { default: QrDecoder & { default?: QrDecoder } }
      const jsQR = jsqr.default.default ?? jsqr.default
      expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(website)
    } finally {
      await removeProject(dir)
    }
  })
})
