import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseEssay } from '../../src/content/essay.ts'
import { verifyLogo } from '../../src/content/logo.ts'
import { parseDefaults, parseOffice, verifyOfficeSections } from '../../src/content/office.ts'
import { parseStoryboard } from '../../src/content/storyboard.ts'
import { decodeUtf8 } from '../../src/content/utf8.ts'
import type { YamlSource } from '../../src/content/yaml.ts'
import { serializeFitCache, verifyFitCache } from '../../src/output/fit-cache.ts'
import { deriveStoryboard } from '../../src/plan/derive.ts'
import { planDeck } from '../../src/plan/plan.ts'
import type { Office } from '../../src/shared/types.ts'
import { expectDocumentedOutcome, FUZZ_CASES, FUZZ_SEED, mutateBytes, mutateText, nastyString, Random } from '../fuzz.ts'
import { makeJpeg, makePng, makeWebp } from '../images.ts'

// The fuzz corpus, in process (issue 21): generated and mutated office files, defaults, essays,
// storyboards, SVG and raster logos, fit caches and raw bytes, each through the parser that
// takes it from the disk. Every case must end as documented: accepted, or refused with ortug's
// own content error (exit 1) and a message; never another exception, and within the test's
// timeout. Inputs that parse are planned too (the plan must hold for any valid content).
// See tests/fuzz.ts for the seed and ORTUG_FUZZ_CASES.

const REPO = path.join(import.meta.dirname, '..', '..')
const ESSAY_TEXT = readFileSync(path.join(REPO, 'content', 'essays', 'ortug-kpu-jabar.md'), 'utf8')
const STORYBOARD_TEXT = readFileSync(path.join(REPO, 'content', 'essays', 'ortug-kpu-jabar.deck.yaml'), 'utf8')
const DEFAULTS_TEXT = readFileSync(path.join(REPO, 'content', 'offices', '_defaults.yaml'), 'utf8')
const ESSAY = parseEssay(ESSAY_TEXT, 'ortug-kpu-jabar', 'essay.md')
const DERIVED = deriveStoryboard(ESSAY)
/** Planning a whole deck costs tens of milliseconds: every PLAN_EVERY-th case that parses is planned. */
const PLAN_EVERY = 4
const OFFICE_TEXT = `name: KPU Kota Uji
region: Kota Uji
level: kota
colors: { primary: "#8f1d21", accent: "#e0a526" }
logo: assets/logos/kota-uji.png
session:
  date: 2027-01-11
  start: "08:30"
  venue: Aula Utama
  trainers: [Nama Pelatih, "Pelatih Kedua"]
contact: { email: kpu@example.org, phone: "+62 22 1234", website: https://example.org/ }
aspect: "16:9"
slides:
  exclude: [loyalitas]
  extra:
    - { after: integritas, layout: points, title: Tambahan, points: [satu, dua] }
    - after: penutup
      layout: question
      question: Apa yang akan Anda ubah besok?
      minutes: 5
handout: { layout: six-up, paper: F4 }
`

/** Cases per target: their share of FUZZ_CASES. */
const share = (weight: number) => Math.max(1, Math.round(FUZZ_CASES * weight))
// A bound on each target (the machine may be shared: generous), not a measurement.
const timeout = Math.max(60_000, FUZZ_CASES * 30)

/** Random YAML made from scratch: nested mappings and lists of nasty scalars, flow or block. */
function randomYaml(random: Random, depth = 0): string {
  const kind = depth > 3 ? 0 : random.int(4)
  if (kind === 0) return random.chance(0.5) ? JSON.stringify(nastyString(random)) : nastyString(random, 1 + random.int(3)).replace(/\n/g, ' ')
  const keys = ['name', 'region', 'level', 'colors', 'primary', 'session', 'trainers', 'slides', 'extra', 'layout', 'points', 'items', 'x']
  const count = random.int(4)
  if (kind === 1) return `[${Array.from({ length: count }, () => randomYaml(random, depth + 1)).join(', ')}]`
  if (kind === 2) return `{${Array.from({ length: count }, () => `${random.pick(keys)}: ${randomYaml(random, depth + 1)}`).join(', ')}}`
  const indent = '  '.repeat(depth + 1)
  return `\n${Array.from({ length: count }, () => `${indent}${random.pick(keys)}: ${randomYaml(random, depth + 1)}`).join('\n')}`
}

function parsedDefaults(random: Random): YamlSource | undefined {
  if (random.chance(0.5)) return undefined
  try {
    return parseDefaults(random.chance(0.5) ? DEFAULTS_TEXT : mutateText(random, DEFAULTS_TEXT), '_defaults.yaml')
  } catch {
    return undefined
  }
}

describe(`fuzz (seed ${FUZZ_SEED}, ${FUZZ_CASES} cases in all)`, () => {
  it(`office files: ${share(0.2)} mutated or generated`, { timeout }, () => {
    const random = new Random(FUZZ_SEED)
    for (let n = 0; n < share(0.2); n++) {
      const text = random.chance(0.7)
        ? mutateText(random, OFFICE_TEXT)
        : `name: KPU X\nregion: X\nlevel: kota\n${random.pick(['session', 'slides', 'colors', 'contact', 'x'])}: ${randomYaml(random)}\n`
      const defaults = parsedDefaults(random)
      expectDocumentedOutcome(`office case ${n}`, text, () => {
        const office = parseOffice(text, 'kota-uji', 'kota-uji.yaml', defaults)
        verifyOfficeSections(office, [ESSAY])
        // The plan must hold for any office that passes (the logo is resolved later, from disk).
        const { locate: _, logo: __, ...verified } = office
        if (n % PLAN_EVERY === 0) planDeck(ESSAY, DERIVED, verified as Office)
      })
    }
  })

  it(`_defaults.yaml: ${share(0.05)} mutated`, { timeout }, () => {
    const random = new Random(FUZZ_SEED + 1)
    for (let n = 0; n < share(0.05); n++) {
      const text = mutateText(random, DEFAULTS_TEXT)
      expectDocumentedOutcome(`defaults case ${n}`, text, () => parseDefaults(text, '_defaults.yaml'))
    }
  })

  it(`essays (front matter and body): ${share(0.15)} mutated`, { timeout }, () => {
    const random = new Random(FUZZ_SEED + 2)
    // A short essay keeps each case fast; the mutations reach its front matter, headings and text.
    const base = ESSAY_TEXT.slice(0, 2500)
    for (let n = 0; n < share(0.15); n++) {
      const text = random.chance(0.2)
        ? `---\ntitle: T\nauthor: A\nx: ${randomYaml(random)}\n---\n\n## A\n\nTeks.\n`
        : mutateText(random, base, 1 + random.int(6))
      expectDocumentedOutcome(`essay case ${n}`, text, () => {
        const essay = parseEssay(text, 'uji', 'uji.md')
        planDeck(essay, deriveStoryboard(essay), OFFICE)
      })
    }
  })

  it(`storyboards: ${share(0.15)} mutated`, { timeout }, () => {
    const random = new Random(FUZZ_SEED + 3)
    for (let n = 0; n < share(0.15); n++) {
      const text = random.chance(0.85)
        ? mutateText(random, STORYBOARD_TEXT)
        : `slides:\n  - layout: points\n    ${random.pick(['points', 'items', 'columns', 'title', 'minutes'])}: ${randomYaml(random)}\n`
      expectDocumentedOutcome(`storyboard case ${n}`, text, () => {
        const storyboard = parseStoryboard(text, 'e.deck.yaml', ESSAY)
        if (n % PLAN_EVERY === 0) planDeck(ESSAY, storyboard, OFFICE)
      })
    }
  })

  it(`SVG logos: ${share(0.2)} generated and mutated; an accepted one holds nothing active`, { timeout }, () => {
    const random = new Random(FUZZ_SEED + 4)
    for (let n = 0; n < share(0.2); n++) {
      const text = random.chance(0.6) ? randomSvg(random) : mutateText(random, randomSvg(random))
      const bytes = Buffer.from(text)
      const verdict = verifyLogo(bytes)
      expect(verdict.mime === undefined ? typeof verdict.problem : verdict.mime, `svg case ${n}: ${text}`).toMatch(/^(string|image\/svg\+xml)$/)
      if (verdict.mime === 'image/svg+xml') expectInert(text, `svg case ${n}`)
    }
  })

  it(`raster logos: ${share(0.15)} mutated PNG, JPEG and WebP`, { timeout }, () => {
    const random = new Random(FUZZ_SEED + 5)
    const bases = [makePng(40, 30), makePng(300, 2), makeJpeg(40, 30), makeWebp(40, 30), makeWebp(4096, 1)]
    for (let n = 0; n < share(0.15); n++) {
      const bytes = mutateBytes(random, random.pick(bases))
      let verdict: ReturnType<typeof verifyLogo> | undefined
      expectDocumentedOutcome(`raster case ${n}`, bytes, () => {
        verdict = verifyLogo(bytes)
      })
      expect(verdict?.mime ?? verdict?.problem, `raster case ${n}`).toBeTruthy()
      if (verdict?.problem) expect(verdict.problem, `raster case ${n}`).not.toMatch(/undefined|NaN/)
    }
  })

  it(`fit caches: ${share(0.05)} mutated, never trusted unless intact`, { timeout }, () => {
    const random = new Random(FUZZ_SEED + 6)
    const intact = serializeFitCache({ version: 1, slides: { ['a'.repeat(64)]: 12, ['b'.repeat(64)]: 0 }, fills: { ['c'.repeat(64)]: 0.5 } }).toString()
    expect(verifyFitCache(intact)).toBeDefined()
    for (let n = 0; n < share(0.05); n++) {
      const text = mutateText(random, intact)
      let cache: ReturnType<typeof verifyFitCache>
      expectDocumentedOutcome(`fit cache case ${n}`, text, () => {
        cache = verifyFitCache(text)
      })
      if (text !== intact && cache !== undefined) expect(JSON.parse(text), `fit cache case ${n}: accepted a changed cache`).toEqual(JSON.parse(intact))
    }
  })

  it(`raw bytes as UTF-8 text: ${share(0.05)}`, { timeout }, () => {
    const random = new Random(FUZZ_SEED + 7)
    for (let n = 0; n < share(0.05); n++) {
      const bytes = mutateBytes(random, Buffer.from(random.chance(0.5) ? OFFICE_TEXT : 'é😀\r\n\ufeff'), 1 + random.int(5))
      expectDocumentedOutcome(`utf8 case ${n}`, bytes, () => decodeUtf8(bytes, 'f.yaml'))
    }
  })
})

const OFFICE: Office = {
  id: 'kota-uji',
  file: 'kota-uji.yaml',
  name: 'KPU Kota Uji',
  region: 'Kota Uji',
  level: 'kota',
  colors: { primary: '#8f1d21', accent: '#e0a526' },
  aspect: '16:9',
  slides: { exclude: [], extra: [] },
  handout: { layout: 'three-up', paper: 'A4' },
}

const ELEMENTS = [
  'g',
  'rect',
  'circle',
  'path',
  'use',
  'image',
  'style',
  'text',
  'defs',
  'script',
  'foreignObject',
  'a',
  'set',
  'animate',
  'iframe',
  'feImage',
  'title',
]
const PREFIXES = ['', 's:', 'h:', 'x:', 'inkscape:', 'q:'] as const
const NAMESPACES: Record<string, string> = {
  s: 'http://www.w3.org/2000/svg',
  h: 'http://www.w3.org/1999/xhtml',
  x: 'http://www.w3.org/1999/xlink',
  inkscape: 'http://www.inkscape.org/namespaces/inkscape',
}
const ATTRIBUTES = ['id', 'fill', 'style', 'href', 'x:href', 'onload', 'h:onclick', 'attributeName', 'values', 'to', 'xml:base', 'transform', 'd', 'class']
const VALUES = [
  '#a',
  'a',
  'url(#a)',
  'url(http://example.com/x)',
  'u\\72 l(http://example.com/x)',
  '&#117;rl(http://example.com/x)',
  'data:image/png;base64,AAAA',
  'data:image/svg+xml,<svg/>',
  'http://127.0.0.1:9/',
  'javascript:alert(1)',
  'href',
  'xlink:href',
  'fill:red',
  '@import "x.css"',
  'expression(alert(1))',
  'image-set("http://example.com/x" 1x)',
  'M0 0h1',
  'translate(1 1)',
]

/** An SVG built from the pools above: elements and attributes in any namespace, values safe and hostile. */
function randomSvg(random: Random): string {
  const declarations = Object.entries(NAMESPACES)
    .map(([prefix, uri]) => ` xmlns:${prefix}="${uri}"`)
    .join('')
  const element = (depth: number): string => {
    const name = `${random.pick(PREFIXES)}${random.pick(ELEMENTS)}`
    const attributes = Array.from({ length: random.int(3) }, () => ` ${random.pick(ATTRIBUTES)}="${random.pick(VALUES).replace(/"/g, '&quot;')}"`)
    const unique = [...new Map(attributes.map((a) => [a.split('=')[0], a])).values()].join('')
    const children = depth > 3 ? '' : Array.from({ length: random.int(3) }, () => element(depth + 1)).join('')
    // Text is inert but in a stylesheet: hostile text goes into <style> elements only, where the checker must read it.
    const css = [
      'rect { fill: url(#a) }',
      '<![CDATA[ a { fill: url(http://example.com/x) } ]]>',
      '@import "x.css";',
      'a { fill: u\\72 l(http://example.com/x) }',
    ]
    const text = random.chance(0.3) ? random.pick(name === 'style' || name === 's:style' ? css : ['kotak', '&amp;', 'a &lt; b']) : ''
    return `<${name}${unique}>${text}${children}</${name}>`
  }
  const prolog = random.pick([
    '',
    '<?xml version="1.0"?>',
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">',
    '<?xml-stylesheet href="x.css"?>',
    '<!DOCTYPE svg [<!ENTITY a "b">]>',
  ])
  return `${prolog}<svg xmlns="http://www.w3.org/2000/svg"${declarations}>${Array.from({ length: 1 + random.int(3) }, () => element(0)).join('')}</svg>`
}

/**
 * What an accepted SVG may not hold, read from its text independently of the checker: no script,
 * foreignObject, link, event attribute, XHTML element, entity, stylesheet PI, xml:base, outside
 * URL or url() escape. The namespace declarations (URIs that are never fetched) are left out first.
 */
function expectInert(text: string, label: string): void {
  // An editor's element (Inkscape) is not drawn: its attributes are data, whatever they hold, but an event attribute.
  const editorTags = text.match(/<inkscape:\w+[^>]*>/g) ?? []
  for (const tag of editorTags) expect(/\son\w+=/i.test(tag), `${label}: accepted ${tag}`).toBe(false)
  const body = text
    .replace(/\sxmlns(:\w+)?="[^"]*"/g, '')
    .replace(/<!DOCTYPE svg PUBLIC "[^"]*" "[^"]*">/, '')
    .replace(/<inkscape:\w+[^>]*>/g, '<inkscape:x>')
    .replace(/<\/inkscape:\w+>/g, '</inkscape:x>')
  for (const pattern of [
    /script/i,
    /foreignObject/i,
    /<(\w+:)?a[\s>]/,
    /\son\w+=/i,
    /<h:/,
    /<!ENTITY/,
    /<\?xml-stylesheet/,
    /xml:base/,
    /https?:/,
    /javascript:/,
    /\\7/,
    /&#117;/,
    /svg\+xml/,
    /@import/,
    /expression\(/,
    /image-set/,
  ]) {
    expect(pattern.test(body), `${label}: accepted an SVG holding ${pattern}: ${body}`).toBe(false)
  }
}
