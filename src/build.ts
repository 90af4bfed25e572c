import { readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { type LaunchedBrowser, launchBrowser, resolveBrowser } from './browser.ts'
import { renderCatalogue } from './catalogue.ts'
import { loadProject, type Project, readText, type Selection } from './content.ts'
import { collectErrors, fail, OrtugError, OrtugErrors } from './error.ts'
import type { Logger } from './log.ts'
import { compileDeckTemplates } from './markdown.ts'
import { openStaging, sha256 } from './output.ts'
import { finalizePdf } from './pdf.ts'
import { planDeck } from './plan.ts'
import { type MarkdownDeck, type PrintableDeck, renderHtmlDecks, renderPdf } from './render.ts'
import { composeTheme, loadFontFaceCss, resolveFontFiles } from './theme.ts'
import type { Deck, Manifest, ManifestEntry, OutputFile } from './types.ts'

export const FORMATS = ['md', 'html', 'pdf'] as const
export type Format = (typeof FORMATS)[number]
export const VERSION = '0.1.0'

export interface BuildOptions extends Selection {
  root: string
  outDir: string
  formats: readonly Format[]
  browserPath?: string
  timeoutMs: number
  jobs: number
  signal?: AbortSignal
  logger: Logger
}

export interface BuildResult {
  built: ManifestEntry[]
  failures: OrtugError[]
  offices: number
  seconds: number
}

interface PlannedDeck {
  deck: Deck
  markdown: string
  inputs: Record<string, string>
}

/** Loads, plans and renders every selected office × essay, then writes the outputs office by office. */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const started = performance.now()
  const { logger } = options
  // 1. Load and verify everything; an office that does not load is reported, the rest go on.
  const project = await loadProject(options.root, options)
  if (project.essays.length === 0 || project.offices.length === 0) {
    if (project.problems.length > 0) throw new OrtugErrors(project.problems)
    fail('CONTENT', 'nothing to build: no essays or no offices are selected')
  }
  const failures: OrtugError[] = [...project.problems]
  const themeCss = composeTheme(await readText(project.themeFile), await loadFontFaceCss())
  const sharedInputs = await hashInputs(project.root, [project.themeFile, ...resolveFontFiles()])

  // 2. Plan each deck and fill the templates (pure, fast).
  const planned = new Map<string, PlannedDeck[]>()
  for (const { office, templates, inputs: officeInputs } of project.offices) {
    try {
      const renderMarkdown = compileDeckTemplates(templates)
      const templateInputs = await hashInputs(project.root, [templates.deck.file, ...Object.values(templates.layouts).map((t) => t.file)])
      const decks = await Promise.all(
        project.essays.map(async ({ essay, storyboard, inputs }) => {
          const deck = planDeck(essay, storyboard, office)
          return {
            deck,
            markdown: renderMarkdown(deck),
            inputs: { ...sharedInputs, ...templateInputs, ...(await hashInputs(project.root, [...inputs, ...officeInputs])) },
          }
        }),
      )
      planned.set(office.id, decks)
    } catch (error) {
      failures.push(...collectErrors(error))
    }
  }

  const staging = await openStaging(options.outDir)
  const onAbort = () => staging.disposeSync()
  options.signal?.addEventListener('abort', onAbort)
  let browser: LaunchedBrowser | undefined
  const built: ManifestEntry[] = []
  try {
    const decks = [...planned.values()].flat()
    // 3. HTML for every deck in one marp-cli call.
    const html = options.formats.includes('html')
      ? await renderHtmlDecks(decks.map(toMarkdownDeck), themeCss, path.join(staging.dir, 'marp'))
      : new Map<string, Uint8Array>()
    checkAborted(options.signal)

    // 4. One browser for all PDFs, pages in parallel; each office is written when its decks are done.
    if (options.formats.includes('pdf')) {
      browser = await launchBrowser(await resolveBrowser(options.browserPath), options.timeoutMs)
      options.signal?.addEventListener('abort', browser.kill)
    }
    let done = 0
    await runPool([...planned.entries()], options.jobs, async ([officeId, officeDecks]) => {
      checkAborted(options.signal)
      try {
        const files: { file: OutputFile; planned: PlannedDeck; format: Format }[] = []
        for (const item of officeDecks) {
          const base = `${officeId}/${item.deck.essay.slug}`
          if (options.formats.includes('md')) files.push({ file: { path: `${base}.md`, bytes: Buffer.from(item.markdown) }, planned: item, format: 'md' })
          const page = html.get(base)
          if (page) files.push({ file: { path: `${base}.html`, bytes: page }, planned: item, format: 'html' })
          if (browser) {
            const pdf = await renderDeckPdf(browser, item, themeCss, options.timeoutMs)
            files.push({ file: { path: `${base}.pdf`, bytes: pdf }, planned: item, format: 'pdf' })
          }
        }
        checkAborted(options.signal)
        await staging.commitOffice(
          officeId,
          files.map((f) => f.file),
        )
        built.push(...files.map(({ file, planned: p, format }) => manifestEntry(file, p, format)))
      } catch (error) {
        if (options.signal?.aborted) throw error
        failures.push(...collectErrors(error).map((e) => new OrtugError(e.kind, `${officeId}: ${e.message}`, { location: e.location, cause: e })))
      }
      done++
      logger.progress(`[${done}/${planned.size}] ${officeId}`)
    })
    logger.done()

    // 5. Manifest and catalogue: previous entries are kept for outputs this build did not touch.
    const manifest = await mergeManifest(options.outDir, built)
    await staging.commitTopLevel([
      { path: 'manifest.json', bytes: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
      {
        path: 'index.html',
        bytes: Buffer.from(
          renderCatalogue(
            manifest,
            project.offices.map((o) => o.office),
          ),
        ),
      },
    ])
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
    await browser?.close()
    await staging.dispose()
  }
  return { built, failures, offices: planned.size, seconds: (performance.now() - started) / 1000 }
}

function toMarkdownDeck({ deck, markdown }: PlannedDeck): MarkdownDeck {
  return { base: `${deck.office.id}/${deck.essay.slug}`, markdown }
}

async function renderDeckPdf(browser: LaunchedBrowser, { deck, markdown }: PlannedDeck, themeCss: string, timeoutMs: number) {
  const printable: PrintableDeck = {
    markdown,
    aspect: deck.office.aspect,
    lang: deck.essay.meta.lang,
    label: `${deck.office.id} / ${deck.essay.slug}`,
    slideTitles: deck.slides.map((s) => s.title),
    layouts: deck.slides.map((s) => s.layout),
  }
  const pdf = await withTimeout(renderPdf(browser.browser, printable, themeCss), timeoutMs, `${printable.label}: printing the PDF`)
  return finalizePdf(
    pdf,
    {
      title: deck.essay.meta.title,
      author: deck.essay.meta.author,
      subject: deck.office.name,
      lang: deck.essay.meta.lang,
      outline: deck.slides.map((s) => s.title),
      expectedPages: deck.slides.length,
    },
    printable.label,
  )
}

function manifestEntry(file: OutputFile, planned: PlannedDeck, format: Format): ManifestEntry {
  return {
    path: file.path,
    bytes: file.bytes.byteLength,
    sha256: sha256(file.bytes),
    office: planned.deck.office.id,
    essay: planned.deck.essay.slug,
    format,
    inputs: planned.inputs,
  }
}

async function mergeManifest(outDir: string, built: ManifestEntry[]): Promise<Manifest> {
  const fresh = new Set(built.map((e) => e.path))
  let previous: ManifestEntry[] = []
  try {
    const parsed = JSON.parse(await readFile(path.join(outDir, 'manifest.json'), 'utf8')) as Partial<Manifest>
    if (Array.isArray(parsed.outputs)) previous = parsed.outputs
  } catch {
    // No manifest yet, or an unreadable one: it is rebuilt from this build alone.
  }
  const kept = []
  for (const entry of previous) {
    if (fresh.has(entry.path) || typeof entry.path !== 'string') continue
    const exists = await readFile(path.join(outDir, entry.path)).then(
      (bytes) => sha256(bytes) === entry.sha256,
      () => false,
    )
    if (exists) kept.push(entry)
  }
  const outputs = [...kept, ...built].sort((a, b) => a.path.localeCompare(b.path))
  return { generator: `ortug ${VERSION}`, builtAt: new Date().toISOString(), outputs }
}

async function hashInputs(root: string, files: string[]): Promise<Record<string, string>> {
  const entries = await Promise.all(files.map(async (file) => [path.relative(root, file).split(path.sep).join('/'), sha256(await readFile(file))] as const))
  return Object.fromEntries(entries)
}

function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) fail('ENVIRONMENT', 'the build was interrupted; earlier outputs are unchanged')
}

async function withTimeout<T>(work: Promise<T>, ms: number, step: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OrtugError('ENVIRONMENT', `${step} took longer than ${ms / 1000} s (--timeout)`)), ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Runs `task` over `items` with at most `limit` at once. */
export async function runPool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await task(items[next++] as T)
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
}

export function defaultJobs(): number {
  return Math.max(2, Math.min(6, os.availableParallelism() * 2))
}

export type { Project }
