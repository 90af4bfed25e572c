import { cp, mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LaunchedBrowser, launchBrowser, resolveBrowser } from '../../src/browser/launch.ts'
import {
  type CliResult,
  decodeEntities,
  FIXTURES,
  hashTree,
  htmlNotes,
  makeProject,
  openRecording,
  type PdfFacts,
  readPdf,
  removeProject,
  runCli,
} from '../helpers.ts'
import { type PptxFacts, readPptx } from '../pptx-helpers.ts'
import { RE_ORTUG_CLASS } from '../unit-helpers.ts'

// Issue 6: hostile essays and office files. One test per folder of tests/fixtures/hostile/ (see its
// README.md): text is shown literally in the HTML deck, the PDF and the PowerPoint deck (issue 25),
// or fails with its own message and changes nothing on disk.

const HOSTILE = path.join(FIXTURES, 'hostile')
/** The clean essay and office of `_base/`: every hostile deck is compared with theirs. */
const CLEAN = { office: 'kota-uji', essay: 'uji' }
/** Elements that could run code, load something or lead somewhere: data must never add one. */
const ACTIVE_TAGS = ['script', 'style', 'link', 'meta', 'base', 'img', 'image', 'a', 'iframe', 'object', 'embed', 'form', 'video', 'audio', 'source']
/** A 1x1 PNG: a real image, so that only the location rule keeps a linked logo out. */
const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64')

interface Expectation {
  kind: 'literal' | 'same' | 'error' | 'out'
  /** literal: the office and essay of the deck (default: the clean ones). */
  office?: string
  essay?: string
  /** literal: shown on the slides, in the HTML and in the PDF text. */
  text?: string[]
  /** literal: paragraphs of the presenter notes, each exactly. */
  notes?: string[]
  /** literal: the deck's page count, when it is not the clean deck's. */
  pages?: number
  /** same: the essay whose deck this one must equal. */
  as?: string
  /** error: exit code and a regex for stderr. */
  code?: number
  message?: string
  setup?: { symlinkOutside?: string; sparseFile?: { path: string; bytes: number } }
  /** A bug in a file this suite may not change: the test is expected to fail until it is fixed. */
  knownBug?: string
  /** out: the --out argument. */
  out?: string
}

const CASES = (await readdir(HOSTILE, { withFileTypes: true }))
  .filter((entry) => entry.isDirectory() && !entry.name.startsWith('_'))
  .map((entry) => entry.name)
  .sort()
const EXPECTED = new Map<string, Expectation>()
for (const name of CASES) EXPECTED.set(name, JSON.parse(await readFile(path.join(HOSTILE, name, 'expect.json'), 'utf8')))
const expectation = (name: string) => EXPECTED.get(name) as Expectation
const casesOf = (kind: Expectation['kind']) => CASES.filter((name) => expectation(name).kind === kind)

const normalize = (text: string) => text.replace(/\s+/g, ' ').trim()
const count = (html: string, pattern: RegExp) => (html.match(pattern) ?? []).length

/** Files of a case's content/ folder, relative to the case folder. */
async function contentFiles(name: string): Promise<string[]> {
  const root = path.join(HOSTILE, name)
  const found: string[] = []
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) await walk(full)
      else found.push(path.relative(root, full))
    }
  }
  await walk(path.join(root, 'content'))
  return found.sort()
}

/** `_base/`, with the case's files on top; its clean essay or office goes where the case brings its own. */
async function makeCaseProject(name: string): Promise<string> {
  const files = await contentFiles(name)
  const dir = await makeProject({ from: 'hostile/_base' })
  if (files.some((f) => /^content\/offices\/[^_].*\.ya?ml$/.test(f))) await rm(path.join(dir, 'content', 'offices', `${CLEAN.office}.yaml`))
  if (files.some((f) => /^content\/essays\/.*\.md$/.test(f))) await rm(path.join(dir, 'content', 'essays', `${CLEAN.essay}.md`))
  await cp(path.join(HOSTILE, name, 'content'), path.join(dir, 'content'), { recursive: true, force: false, errorOnExist: true }).catch((error) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  })
  return dir
}

/** What git cannot hold: a link to a file outside the project, a 50 MB file (sparse), each replacing any file at its path. Adds what to remove afterwards to `cleanup`. */
async function applySetup(dir: string, setup: Expectation['setup'], cleanup: string[]): Promise<void> {
  if (setup?.symlinkOutside) {
    const outside = await mkdtemp(path.join(os.tmpdir(), 'ortug-outside-'))
    cleanup.push(outside)
    const target = path.join(outside, 'rahasia.png')
    await writeFile(target, PNG_1X1)
    const link = path.join(dir, setup.symlinkOutside)
    await mkdir(path.dirname(link), { recursive: true })
    // In place of a clean file of _base/, so that nothing else of the project builds.
    await rm(link, { force: true })
    await symlink(target, link)
  }
  if (setup?.sparseFile) {
    const file = path.join(dir, setup.sparseFile.path)
    await mkdir(path.dirname(file), { recursive: true })
    const handle = await open(file, 'w')
    await handle.writeFile(PNG_1X1)
    await handle.truncate(setup.sparseFile.bytes)
    await handle.close()
  }
}

interface BuiltDeck {
  md: string
  html: string
  pdf: PdfFacts
}

/** The visible text of the slides: each <section>, tags dropped, entities decoded. */
function slideText(html: string): string {
  const sections = [...html.matchAll(/<section\b[^>]*>([\s\S]*?)<\/section>/g)].map((m) => m[1] ?? '')
  return normalize(decodeEntities(sections.join(' ').replace(/<[^>]+>/g, ' ')))
}

/** Every paragraph of every presenter note. ortug breaks "-->" with a zero-width space so that it cannot end the comment. */
function noteParagraphs(html: string): string[] {
  return htmlNotes(html).flatMap((note) => note.split(/\n{2,}/).map((p) => p.replaceAll('\u200b', '').trim()))
}

function sectionClasses(html: string): string[] {
  return [...html.matchAll(/<section\b[^>]*\sclass="([^"]*)"/g)].flatMap((m) => (m[1] ?? '').split(/\s+/).filter(Boolean))
}

/** Elements and attributes that could act, counted in the raw HTML (data arrives entity-escaped, so never as a tag). */
function activeParts(html: string): Record<string, number> {
  const parts: Record<string, number> = Object.fromEntries(ACTIVE_TAGS.map((tag) => [tag, count(html, new RegExp(`<${tag}[\\s>/]`, 'gi'))]))
  parts.eventHandlers = count(html, /<[a-z][^<>]*\son[a-z]+\s*=/gi)
  parts.javascriptUrls = count(html, /<[a-z][^<>]*\s(?:href|src|action|xlink:href)\s*=\s*["']?\s*javascript:/gi)
  parts.remoteUrls =
    count(html, /<[a-z][^<>]*\s(?:href|src|srcset|poster)\s*=\s*["']?\s*(?:https?:)?\/\//gi) + count(html, /url\(\s*["']?\s*(?:https?:)?\/\//gi)
  return parts
}

describe('hostile content: every case has its expectation', () => {
  it('has at least 20 cases, each with a known kind', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20)
    for (const name of CASES) expect(['literal', 'same', 'error', 'out'], name).toContain(expectation(name).kind)
  })
})

describe('hostile text is shown literally (one project: md, html, pdf, pptx)', () => {
  let dir: string
  let builds: CliResult[]
  let browser: LaunchedBrowser
  const decks = new Map<string, BuiltDeck>()
  const literal = casesOf('literal')
  const same = casesOf('same')

  async function readDeck(office: string, essay: string): Promise<BuiltDeck> {
    const key = `${office}/${essay}`
    const cached = decks.get(key)
    if (cached) return cached
    const base = path.join(dir, 'dist', office, essay)
    const deck = { md: await readFile(`${base}.md`, 'utf8'), html: await readFile(`${base}.html`, 'utf8'), pdf: await readPdf(`${base}.pdf`) }
    decks.set(key, deck)
    return deck
  }

  const readDeckPptx = async (office: string, essay: string): Promise<PptxFacts> =>
    readPptx(new Uint8Array(await readFile(path.join(dir, 'dist', office, `${essay}.pptx`))))

  /** Both builds of the shared project succeeded (their messages shown if not). */
  function expectBothBuildsPassed(): void {
    expect(
      builds.map((b) => b.code),
      builds.map((b) => b.stderr).join('\n'),
    ).toEqual([0, 0])
  }

  /** Opens the deck from file:// and pages to its end: the requests and console errors it made. */
  async function openDeck(office: string, essay: string): Promise<{ requests: string[]; errors: string[] }> {
    const { page, requests, errors } = await openRecording(browser, pathToFileURL(path.join(dir, 'dist', office, `${essay}.html`)).href)
    try {
      await page.keyboard.press('End')
      await page.evaluate(() => document.fonts.ready.then(() => undefined))
    } finally {
      await page.close()
    }
    return { requests, errors }
  }

  beforeAll(async () => {
    dir = await makeProject({ from: 'hostile/_base' })
    for (const name of [...literal, ...same]) {
      // All these cases share one project, so no case may bring a file another one has.
      await cp(path.join(HOSTILE, name, 'content'), path.join(dir, 'content'), { recursive: true, force: false, errorOnExist: true })
    }
    const offices = [CLEAN.office, ...new Set(literal.flatMap((name) => expectation(name).office ?? []))]
    const essays = [CLEAN.essay, ...[...literal, ...same].flatMap((name) => expectation(name).essay ?? [])]
    // Two builds, not offices × essays: hostile offices with the clean essay, hostile essays for the clean office.
    builds = [
      await runCli(['build', '--format', 'md,html,pdf,pptx', '--office', offices.join(','), '--essay', CLEAN.essay], dir),
      await runCli(['build', '--format', 'md,html,pdf,pptx', '--office', CLEAN.office, '--essay', essays.join(',')], dir),
    ]
    browser = await launchBrowser(await resolveBrowser(), 60_000)
  })
  afterAll(async () => {
    await browser?.close()
    await removeProject(dir)
  })

  it.each(literal)('%s', async (name) => {
    const expected = expectation(name)
    expectBothBuildsPassed()
    const office = expected.office ?? CLEAN.office
    const essay = expected.essay ?? CLEAN.essay
    const deck = await readDeck(office, essay)
    const clean = await readDeck(CLEAN.office, CLEAN.essay)

    // 1. The text, as written, on the slides of the HTML deck and in the PDF.
    const htmlText = slideText(deck.html)
    // A browser may wrap a line after a hyphen ("-" then "--"): the PDF text is compared without spaces.
    const pdfText = deck.pdf.text.join('').replace(/\s+/g, '')
    for (const text of expected.text ?? []) {
      expect(htmlText, 'HTML slides').toContain(normalize(text))
      expect(pdfText, 'PDF text').toContain(text.replace(/\s+/g, ''))
    }
    const notes = noteParagraphs(deck.html)
    for (const paragraph of expected.notes ?? []) expect(notes, 'HTML presenter notes').toContain(paragraph)

    // 2. No slide was added or dropped, and no class, directive, element or request came from the data.
    const pages = expected.pages ?? clean.pdf.pages
    expect(deck.pdf.pages).toBe(pages)
    expect(count(deck.html, /<section\b/g)).toBe(pages)
    for (const cls of sectionClasses(deck.html)) expect(cls).toMatch(RE_ORTUG_CLASS)
    if (expected.office && expected.pages === undefined) {
      expect(sectionClasses(deck.html)).toEqual(sectionClasses(clean.html))
      expect(htmlNotes(deck.html)).toEqual(htmlNotes(clean.html))
    }
    expect(activeParts(deck.html)).toEqual(activeParts(clean.html))
    expect(activeParts(clean.html)).toMatchObject({ img: 0, a: 0, eventHandlers: 0, javascriptUrls: 0, remoteUrls: 0 })
    const opened = await openDeck(office, essay)
    expect(opened.requests).toEqual([])
    expect(opened.errors).toEqual([])

    // 3. The catalogue shows office names and essay titles escaped too.
    const catalogue = await readFile(path.join(dir, 'dist', 'index.html'), 'utf8')
    for (const text of expected.text ?? []) if (text.includes('<')) expect(catalogue).not.toContain(text)
  })

  // Issue 25: in the PowerPoint deck, office and essay text is text too. Every XML part stays
  // well-formed (the reader validates each), the text reads back as written, and no case adds a
  // slide, a relationship, a link, a macro or anything outside the package.
  it.each(literal)('%s: in the PowerPoint deck', async (name) => {
    const expected = expectation(name)
    expectBothBuildsPassed()
    const office = expected.office ?? CLEAN.office
    const essay = expected.essay ?? CLEAN.essay
    const pptx = await readDeckPptx(office, essay)
    const { html } = await readDeck(office, essay)
    expect(pptx.slides).toHaveLength(count(html, /<section\b/g))
    const pptxText = pptx.slides
      .flatMap((s) => s.texts)
      .join('')
      .replace(/\s+/g, '')
    for (const text of expected.text ?? []) expect(pptxText).toContain(text.replace(/\s+/g, ''))
    const notes = pptx.slides
      .map((s) => s.notes)
      .join('')
      .replace(/\s+/g, '')
    for (const paragraph of expected.notes ?? []) expect(notes).toContain(paragraph.replace(/\s+/g, ''))
    expect(partsOf(pptx)).toEqual(partsOf(await readDeckPptx(CLEAN.office, CLEAN.essay)))
    for (const [file, data] of pptx.files) {
      if (!file.endsWith('.rels')) continue
      const rels = new TextDecoder().decode(data)
      expect(rels, file).not.toMatch(/TargetMode="External"|hyperlink|vbaProject|oleObject|https?:\/\/(?!schemas\.)/)
    }
  })

  it.each(same)('%s', async (name) => {
    const expected = expectation(name)
    expectBothBuildsPassed()
    const essay = expected.essay as string
    const as = expected.as as string
    // The fixture really differs from the clean essay only in line endings or a byte order mark.
    const raw = await readFile(path.join(HOSTILE, name, 'content', 'essays', `${essay}.md`), 'utf8')
    const plain = await readFile(path.join(HOSTILE, '_base', 'content', 'essays', `${as}.md`), 'utf8')
    expect(raw).not.toBe(plain)
    expect(raw.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n')).toBe(plain)

    const deck = await readDeck(CLEAN.office, essay)
    const reference = await readDeck(CLEAN.office, as)
    expect(deck.md).toBe(reference.md)
    expect(htmlNotes(deck.html)).toEqual(htmlNotes(reference.html))
    expect(slideText(deck.html)).toBe(slideText(reference.html))
    expect(deck.pdf.pages).toBe(reference.pdf.pages)
    expect(deck.pdf.text).toEqual(reference.pdf.text)
  })
})

/** The package's parts without their numbers: what a data string could add to. Images (a logo, a QR code) are checked to be pictures. */
function partsOf(pptx: PptxFacts): string[] {
  const media = [...pptx.files.keys()].filter((name) => name.startsWith('ppt/media/'))
  for (const name of media) expect(name).toMatch(/\.(png|jpe?g)$/)
  return [...new Set([...pptx.files.keys()].filter((name) => !media.includes(name)).map((name) => name.replace(/\d+/g, 'N')))].sort()
}

describe('hostile content that must fail: the message, the exit code, nothing written', () => {
  const known = (name: string) => expectation(name).knownBug
  // A known bug is listed as failing (it.fails), so that its fix turns the test red until the flag goes.
  for (const name of casesOf('error')) (known(name) ? it.fails : it)(known(name) ? `${name} (known bug: ${known(name)})` : name, () => expectError(name))
})

async function expectError(name: string): Promise<void> {
  const expected = expectation(name)
  const dir = await makeCaseProject(name)
  const cleanup: string[] = []
  try {
    await applySetup(dir, expected.setup, cleanup)
    // An earlier build that a failed build must leave as it is (its cache folder marks it as ortug's).
    await mkdir(path.join(dir, 'dist', '.ortug-cache'), { recursive: true })
    await mkdir(path.join(dir, 'dist', 'kota-lama'), { recursive: true })
    await writeFile(path.join(dir, 'dist', 'kota-lama', 'uji.md'), '# keluaran lama\n')
    const before = await hashTree(dir)
    const check = await runCli(['check', '--no-fit'], dir)
    const build = await runCli(['build', '--format', 'md,html,pdf'], dir)
    for (const [command, result] of Object.entries({ check, build })) {
      expect(result.code, `${command}: ${result.stderr}`).toBe(expected.code)
      // Paths inside the project print relative to it.
      expect(result.stderr, command).toMatch(new RegExp(`^error: ${expected.message}`, 'm'))
      expect(result.stderr, command).not.toContain(`${dir}${path.sep}`)
      expect(result.stderr, command).not.toContain('internal error')
    }
    expect(await hashTree(dir)).toEqual(before)
  } finally {
    await removeProject(dir)
    for (const extra of cleanup) await removeProject(extra)
  }
}

describe('--out writes only where it points', () => {
  it.each(casesOf('out'))('%s', async (name) => {
    const expected = expectation(name)
    // The project is a folder inside a temp folder, so "../elsewhere" stays inside the temp folder too.
    const parent = await makeCaseProject(name)
    const project = path.join(parent, 'proyek')
    try {
      await mkdir(project)
      await rename(path.join(parent, 'content'), path.join(project, 'content'))
      const before = await hashTree(project)
      const result = await runCli(['build', '--format', 'md,html,pdf', '--out', expected.out as string], project)
      expect(result.code, result.stderr).toBe(0)
      const out = path.resolve(project, expected.out as string)
      expect(path.dirname(out)).toBe(parent)
      expect((await readdir(parent)).sort()).toEqual([path.basename(out), 'proyek'].sort())
      expect(await hashTree(project)).toEqual(before)
      const written = Object.keys(await hashTree(out)).sort()
      expect(written).toEqual(expect.arrayContaining(['index.html', 'manifest.json', 'kota-uji/uji.html', 'kota-uji/uji.md', 'kota-uji/uji.pdf']))
      expect(written.filter((file) => file.startsWith('.ortug-staging') || file === '.ortug.lock')).toEqual([])
      const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as { outputs: { path: string }[] }
      for (const { path: file } of manifest.outputs) {
        expect(path.isAbsolute(file) || file.split('/').includes('..'), file).toBe(false)
        await expect(stat(path.join(out, file))).resolves.toBeDefined()
      }
    } finally {
      await removeProject(parent)
    }
  })
})
