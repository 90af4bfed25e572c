import { readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { JSON_SCHEMAS, renderJsonSchemas, writeJsonSchemas } from '../../scripts/schema.ts'
import { ASPECTS, HANDOUT_LAYOUTS, LAYOUTS, LEVELS, officeFileSchema, PAPERS } from '../../src/shared/schema.ts'
import { FIXTURES, makeProject, REPO, removeProject, runCli } from '../helpers.ts'

// The published JSON Schemas: current with src/shared/schema.ts, and in agreement with zod on what an
// office file may hold (checked with a small validator for the keywords the files use).

type JsonSchema = {
  type?: string
  enum?: unknown[]
  pattern?: string
  minLength?: number
  maxLength?: number
  minItems?: number
  maxItems?: number
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  properties?: Record<string, JsonSchema>
  required?: string[]
  additionalProperties?: boolean
  items?: JsonSchema
}

const KNOWN_KEYWORDS = new Set([
  '$schema',
  'title',
  'description',
  'default',
  'format',
  'type',
  'enum',
  'pattern',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'properties',
  'required',
  'additionalProperties',
  'items',
])

/** Problems of `value` against `schema`, as `path: keyword`; [] when valid. Patterns use the `u` flag, as editors do. */
function validate(schema: JsonSchema, value: unknown, at = '$'): string[] {
  const problems: string[] = []
  const type = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value
  if (schema.type && schema.type !== type && !(schema.type === 'integer' && Number.isInteger(value))) return [`${at}: type ${schema.type}`]
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${at}: enum`)
  if (typeof value === 'string') {
    const length = [...value].length
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) problems.push(`${at}: pattern`)
    if (schema.minLength !== undefined && length < schema.minLength) problems.push(`${at}: minLength`)
    if (schema.maxLength !== undefined && length > schema.maxLength) problems.push(`${at}: maxLength`)
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${at}: minimum`)
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${at}: maximum`)
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) problems.push(`${at}: exclusiveMinimum`)
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`${at}: minItems`)
    if (schema.maxItems !== undefined && value.length > schema.maxItems) problems.push(`${at}: maxItems`)
    for (const [i, item] of value.entries()) if (schema.items) problems.push(...validate(schema.items, item, `${at}[${i}]`))
  }
  if (type === 'object') {
    const object = value as Record<string, unknown>
    for (const key of schema.required ?? []) if (!(key in object)) problems.push(`${at}.${key}: required`)
    for (const [key, item] of Object.entries(object)) {
      const property = schema.properties?.[key]
      if (property) problems.push(...validate(property, item, `${at}.${key}`))
      else if (schema.additionalProperties === false) problems.push(`${at}.${key}: additionalProperties`)
    }
  }
  return problems
}

/** Every keyword used anywhere in a schema, to be sure the validator above understands them all. */
function keywords(schema: unknown, found = new Set<string>()): Set<string> {
  if (schema === null || typeof schema !== 'object') return found
  for (const [key, value] of Object.entries(schema)) {
    found.add(key)
    if (key === 'properties') for (const property of Object.values(value as object)) keywords(property, found)
    else if (key === 'items') keywords(value, found)
  }
  return found
}

const generated = renderJsonSchemas()
const officeJson: any = JSON.parse(generated.find((s) => s.file === 'content/offices/schema.json')?.text ?? '{}')

describe('JSON Schemas generated from src/shared/schema.ts', () => {
  it.each(JSON_SCHEMAS.map((s) => s.file))('%s is checked in and current (node --import tsx scripts/schema.ts)', async (file) => {
    const current = await readFile(path.join(REPO, file), 'utf8').catch(() => '(missing)')
    expect(current, `${file} is stale: run "node --import tsx scripts/schema.ts"`).toBe(generated.find((s) => s.file === file)?.text)
  })

  it('are stable: sorted keys, two-space indent, a trailing newline, and the same text every time', () => {
    expect(renderJsonSchemas()).toEqual(generated)
    for (const { text } of generated) {
      expect(text.endsWith('}\n')).toBe(true)
      const sorted = (value: unknown): boolean =>
        value === null || typeof value !== 'object'
          ? true
          : Array.isArray(value)
            ? value.every(sorted)
            : Object.keys(value).join() === Object.keys(value).sort().join() && Object.values(value).every(sorted)
      expect(sorted(JSON.parse(text))).toBe(true)
      expect(text).toMatch(/^\{\n {2}"\$schema": "http:\/\/json-schema\.org\/draft-07\/schema#",\n/)
    }
  })

  it('--check reports stale files and writes nothing; without it they are rewritten', async () => {
    const dir = await makeProject()
    try {
      const target = path.join(dir, 'content', 'offices', 'schema.json')
      await writeFile(target, '{}\n')
      // The essay schemas came along with the repo's content/essays/ and are current.
      expect(await writeJsonSchemas(dir, true)).toEqual(['content/offices/schema.json'])
      expect(await readFile(target, 'utf8')).toBe('{}\n')
      await writeJsonSchemas(dir, false)
      expect(await writeJsonSchemas(dir, true)).toEqual([])
      expect(await readFile(target, 'utf8')).toBe(generated[0]?.text)
    } finally {
      await removeProject(dir)
    }
  })

  it('use only keywords the editor validator here understands', () => {
    for (const { text } of generated) for (const keyword of keywords(JSON.parse(text))) expect(KNOWN_KEYWORDS).toContain(keyword)
  })
})

describe('content/offices/schema.json', () => {
  it('requires name, region and level only (the rest may come from _defaults.yaml) and allows no other keys', () => {
    expect([...officeJson.required].sort()).toEqual(['level', 'name', 'region'])
    expect(Object.keys(officeJson.properties).sort()).toEqual([
      'aspect',
      'colors',
      'contact',
      'handout',
      'level',
      'logo',
      'name',
      'region',
      'session',
      'slides',
    ])
    const objects = [officeJson, ...['colors', 'session', 'contact', 'slides', 'handout'].map((k) => officeJson.properties[k])]
    objects.push(officeJson.properties.slides.properties.extra.items)
    for (const object of objects) expect(object.additionalProperties).toBe(false)
  })

  it('lists the allowed values as enums and the text rules as patterns', () => {
    const p = officeJson.properties
    expect(p.level.enum).toEqual([...LEVELS])
    expect(p.aspect.enum).toEqual([...ASPECTS])
    expect(p.handout.properties.layout.enum).toEqual([...HANDOUT_LAYOUTS])
    expect(p.handout.properties.paper.enum).toEqual([...PAPERS])
    expect(p.slides.properties.extra.items.properties.layout.enum).toEqual([...LAYOUTS])
    expect(p.slides.properties.extra.items.required.sort()).toEqual(['after', 'layout'])
    expect(p.colors.properties.primary.pattern).toBe('^#[0-9a-fA-F]{6}$')
    expect(p.slides.properties.exclude.items.pattern).toBe('^[a-z0-9]+(-[a-z0-9]+)*$')
    expect(p.session.properties.date.pattern).toBeDefined()
    expect(p.logo.pattern).toBeDefined()
    expect(p.contact.properties.website.pattern).toBeDefined()
    expect(p.name.pattern).toBeDefined()
    expect(p.session.properties.trainers.maxItems).toBe(12)
  })

  const base = { name: 'KPU Kota Contoh', region: 'Kota Contoh', level: 'kota' }
  const SAMPLES: [string, unknown, boolean][] = [
    ['the three required fields', base, true],
    [
      'every field',
      {
        ...base,
        colors: { primary: '#1d4e89', accent: '#F2C14E' },
        logo: 'assets/logos/kota-contoh.png',
        aspect: '4:3',
        handout: { layout: 'six-up', paper: 'F4' },
      },
      true,
    ],
    ['a session', { ...base, session: { date: '2027-01-11', venue: 'Aula', trainers: ['Pelatih Contoh Satu'] } }, true],
    ['a contact', { ...base, contact: { email: 'info@example.org', phone: '+62 (22) 000-0000', website: 'https://example.org/kpu' } }, true],
    ['a partial colour override', { ...base, colors: { primary: '#1d4e89' } }, true],
    ['slide changes', { ...base, slides: { exclude: ['integritas'], extra: [{ after: 'pilar', layout: 'points', title: 'T', points: ['a'] }] } }, true],
    ['a typo in a key', { ...base, nmae: 'x' }, false],
    ['no region', { name: 'KPU Kota Contoh', level: 'kota' }, false],
    ['a level that is a number', { ...base, level: 3 }, false],
    ['an unknown level', { ...base, level: 'desa' }, false],
    ['a colour name', { ...base, colors: { primary: 'red' } }, false],
    ['a short colour', { ...base, colors: { primary: '#fff' } }, false],
    ['an unknown colour key', { ...base, colors: { secondary: '#ffffff' } }, false],
    ['a logo outside assets', { ...base, logo: '../secret.png' }, false],
    ['a logo path with ..', { ...base, logo: 'assets/../../etc/passwd.png' }, false],
    ['an absolute logo path', { ...base, logo: '/etc/logo.png' }, false],
    ['a logo that is no image', { ...base, logo: 'assets/logos/logo.gif' }, false],
    ['trainers as text', { ...base, session: { trainers: 'x' } }, false],
    ['thirteen trainers', { ...base, session: { trainers: Array.from({ length: 13 }, (_, i) => `P${i}`) } }, false],
    ['a date with a time', { ...base, session: { date: '2027-01-11T10:00' } }, false],
    ['a two-line name', { ...base, name: 'KPU\nKota' }, false],
    ['an empty name', { ...base, name: '' }, false],
    ['a website without http', { ...base, contact: { website: 'example.org' } }, false],
    ['an ftp website', { ...base, contact: { website: 'ftp://example.org' } }, false],
    ['a bad e-mail', { ...base, contact: { email: 'info-at-example.org' } }, false],
    ['letters in the phone', { ...base, contact: { phone: 'call us' } }, false],
    ['an unknown aspect', { ...base, aspect: '16:10' }, false],
    ['an unknown handout layout', { ...base, handout: { layout: 'four-up' } }, false],
    ['a section id with capitals', { ...base, slides: { exclude: ['Integritas'] } }, false],
    ['an extra slide without after', { ...base, slides: { extra: [{ layout: 'closing' }] } }, false],
    ['an extra slide with an unknown layout', { ...base, slides: { extra: [{ after: 'pilar', layout: 'bullets' }] } }, false],
    ['an extra slide with an unknown field', { ...base, slides: { extra: [{ after: 'pilar', layout: 'closing', colour: 'x' }] } }, false],
    ['zero minutes', { ...base, slides: { extra: [{ after: 'pilar', layout: 'closing', minutes: 0 }] } }, false],
  ]

  it.each(SAMPLES)('agrees with zod on %s', (_, sample, valid) => {
    const zod = officeFileSchema.safeParse(sample)
    expect(zod.success, JSON.stringify(zod.error?.issues)).toBe(valid)
    expect(validate(officeJson, sample).length === 0, validate(officeJson, sample).join('; ')).toBe(valid)
  })

  it('accepts every shipped office file, the customized fixture and a fresh `ortug new-office` file', async () => {
    const files = (await readdir(path.join(REPO, 'content', 'offices')))
      .filter((f) => /^[^_].*\.yaml$/.test(f))
      .map((f) => path.join(REPO, 'content', 'offices', f))
    files.push(path.join(FIXTURES, 'customized', 'content', 'offices', 'kota-contoh.yaml'))
    const dir = await makeProject()
    try {
      expect((await runCli(['new-office', 'kota-baru', '--name', 'KPU Kota Baru', '--level', 'kota'], dir)).code).toBe(0)
      files.push(path.join(dir, 'content', 'offices', 'kota-baru.yaml'))
      for (const file of files) {
        const text = await readFile(file, 'utf8')
        expect(text.startsWith('# yaml-language-server: $schema=./schema.json\n'), file).toBe(true)
        expect(validate(officeJson, parse(text)), file).toEqual([])
      }
    } finally {
      await removeProject(dir)
    }
  })
})

describe('essay and storyboard schemas', () => {
  const essayJson = JSON.parse(generated.find((s) => s.file === 'content/essays/essay.schema.json')?.text ?? '{}')
  const storyboardJson = JSON.parse(generated.find((s) => s.file === 'content/essays/storyboard.schema.json')?.text ?? '{}')

  it('accept the shipped essay front matter and storyboard', async () => {
    const essay = await readFile(path.join(REPO, 'content', 'essays', 'ortug-kpu-jabar.md'), 'utf8')
    const frontMatter = /^---\n([\s\S]*?)\n---/.exec(essay)?.[1] ?? ''
    expect(validate(essayJson, parse(frontMatter))).toEqual([])
    const storyboard = parse(await readFile(path.join(REPO, 'content', 'essays', 'ortug-kpu-jabar.deck.yaml'), 'utf8'))
    expect(validate(storyboardJson, storyboard)).toEqual([])
  })

  it('reject what zod rejects in the common mistakes', () => {
    expect(validate(essayJson, { title: 'T' })).toEqual(['$.author: required'])
    expect(validate(essayJson, { title: 'T', author: 'A', lang: 'Indonesia' })).toEqual(['$.lang: pattern'])
    expect(validate(storyboardJson, { slides: [{ layout: 'bullets' }] })).toEqual(['$.slides[0].layout: enum'])
    expect(validate(storyboardJson, { slides: [{ layout: 'title', colour: 'x' }] })).toEqual(['$.slides[0].colour: additionalProperties'])
    expect(validate(storyboardJson, { slides: [] })).toEqual(['$.slides: minItems'])
  })
})
