import { readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Page } from 'puppeteer-core'
import { renderCatalogue } from './catalogue.ts'
import { loadProject, type Project, readText, type Selection } from './content.ts'
import { collectErrors, fail, OrtugError, OrtugErrors } from './error.ts'
import { cachedOverflows, emptyFitCache, type FitCache, MAX_FIT_ROUNDS, parseFitCache, recordFit, repairTuning, slideKeys } from './fit.ts'
import type { HandoutInput } from './handout.ts'
import type { Logger } from './log.ts'
import { CACHE_DIR, isOutputFresh, mergeManifest, readManifest, readThumbnails, resolveShard, thumbnailPath, VERSION } from './manifest.ts'
import { compileDeckTemplates, type DeckTemplates, formatDateIndonesian, type RenderMarkdown } from './markdown.ts'
import { openStaging, sha256 } from './output.ts'
import { type BrowserPages, openBrowserPages } from './pages.ts'
import { planDeck, type Tuning } from './plan.ts'
import type { MarpRender, MarpWorker, Overflow, PrintableDeck } from './render.ts'
import * as render from './render.ts'
import { createTheme, loadFontFaceCss, resolveFontFiles, type Theme } from './theme.ts'
import type { Deck, Essay, HandoutLayout, ManifestEntry, Office, OutputFile, Paper, Storyboard } from './types.ts'

export const FORMATS = ['md', 'html', 'pdf', 'handout', 'png', 'overview', 'pptx'] as const
export type Format = (typeof FORMATS)[number]
/** What `ortug build` makes without --format. */
export const DEFAULT_FORMATS: readonly Format[] = ['md', 'html', 'pdf', 'handout']
/** Formats printed from the deck loaded in the build's browser. */
const PAGE_FORMATS: readonly Format[] = ['pdf', 'png', 'overview']
const FIT_CACHE = `${CACHE_DIR}/fit.json`

export interface BuildOptions extends Selection {
  root: string
  outDir: string
  formats: readonly Format[]
  browserPath?: string
  /** Where CHROME_PATH and ORTUG_BROWSER are read from (the process's environment by default). */
  env?: NodeJS.ProcessEnv
  timeoutMs: number
  jobs: number
  /** Ignore the cache: rebuild and re-measure everything. */
  force?: boolean
  /** Handout layout and paper for every office, instead of each office's own setting. */
  handout?: { layout?: HandoutLayout; paper?: Paper }
  /** Build only the k-th of n shares of the offices (1-based). */
  shard?: { index: number; count: number }
  signal?: AbortSignal
  logger: Logger
}

export interface BuildResult {
  built: ManifestEntry[]
  /** Outputs that were up to date and not rebuilt. */
  unchanged: number
  failures: OrtugError[]
  offices: number
  seconds: number
}

/** One deck (office × essay) that needs work, and what it becomes along the way. */
interface DeckJob {
  office: Office
  templates: DeckTemplates
  essay: Essay
  storyboard: Storyboard
  renderMarkdown: RenderMarkdown
  inputs: Record<string, string>
  /** Per format: hash of ortug's version, the inputs and the options that shape that output. */
  keys: Record<Format, string>
  handout: { layout: HandoutLayout; paper: Paper }
  formats: Format[]
  tuning: Map<number, Tuning>
  /** Repairs applied so far (at most MAX_FIT_ROUNDS). */
  repairs: number
  deck: Deck
  markdown: string
  pdf?: Uint8Array
  handoutPdf?: Uint8Array
  /** The title slide, small, for the catalogue: taken in the capture window while other decks print. */
  thumbnail?: Promise<Uint8Array | undefined>
  slideImages?: Uint8Array[]
  overview?: Uint8Array
  /** marp-core's render of `markdown` (made for the deck page, reused by the handout). */
  rendered?: { markdown: string; render: Promise<MarpRender> }
  /** Settles when the job's slides are final (after the fit check), so HTML can start early. */
  fitted: Deferred
  /** What the deck's work is doing now (several things at once: the handout prints beside the PDF). */
  steps: Set<string>
}

interface Deferred {
  promise: Promise<void>
  resolve(): void
}

function deferred(): Deferred {
  let resolve = () => {}
  const promise = new Promise<void>((done) => {
    resolve = done
  })
  return { promise, resolve }
}

const THUMB_WIDTH = 320

/** Loads, plans and renders the selected offices × essays that changed, then writes them office by office. */
export async function build(options: BuildOptions): Promise<BuildResult> {
  // Marp's process takes most of a second to load: it starts with the build, unless only Markdown
  // is asked for, and is stopped again if nothing needs rebuilding.
  const marp = render.startMarpWorker(options.signal)
  if (options.formats.some((format) => format !== 'md')) marp.start()
  try {
    return await buildWith(marp, options)
  } finally {
    marp.close()
  }
}

async function buildWith(marp: MarpWorker, options: BuildOptions): Promise<BuildResult> {
  const started = performance.now()
  const { logger } = options
  // 1. Load and verify everything; an office that does not load is reported, the others go on.
  const project = await loadProject(options.root, options)
  if (project.essays.length === 0 || project.offices.length === 0) {
    if (project.problems.length > 0) throw new OrtugErrors(project.problems)
    fail('CONTENT', 'nothing to build: no essays or no offices are selected')
  }
  const failures: OrtugError[] = [...project.problems]
  const shard = await resolveShard(project, options)
  const offices = shard.offices
  const themeText = await readText(project.themeFile)
  // --force rebuilds and re-measures what is selected; the other offices' entries are kept.
  const previous = await readManifest(options.outDir)
  const storedFit = parseFitCache(await readFile(path.join(options.outDir, FIT_CACHE), 'utf8').catch(() => undefined))
  const fitCache = options.force ? emptyFitCache() : storedFit

  // 2. Decide what is out of date: an output is kept when its inputs' key and its bytes match the manifest.
  const hash = inputHasher(project.root)
  const planned = await Promise.all(offices.map((entry) => planOffice(project, entry, previous, hash, options)))
  const jobs = planned.flatMap((p) => p.jobs)
  const unchanged = planned.reduce((sum, p) => sum + p.unchanged, 0)
  failures.push(...planned.flatMap((p) => p.errors))
  if (jobs.length === 0 && !shard.restamp) {
    logger.info(`nothing to rebuild: ${unchanged} output(s) up to date`)
    return { built: [], unchanged, failures, offices: offices.length, seconds: (performance.now() - started) / 1000 }
  }

  const theme = createTheme(themeText, await loadFontFaceCss(), sha256)
  // What the fit cache knows settles many decks at once; the browser starts now if any deck needs
  // it, and opens the pages the first decks will use.
  const browser = openBrowserPages(options)
  const context: PrintContext = { browser, marp, theme, fitCache, timeoutMs: options.timeoutMs, warn: logger.warn, signal: options.signal }
  const needsPage = new Set<DeckJob>()
  for (const job of jobs) {
    if (!(await fitDeck(job, fitCache, theme.hash)) || job.formats.some((f) => PAGE_FORMATS.includes(f))) needsPage.add(job)
  }
  const handouts = jobs.filter((job) => job.formats.includes('handout')).length
  if (needsPage.size + handouts > 0) browser.warm({ deck: Math.min(needsPage.size, options.jobs), handout: Math.min(handouts, options.jobs) })
  const staging = await openStaging(options.outDir)
  const failedOffices = new Set<string>()
  // Bad content fails its office only; the environment (browser gone, timeout, disk) ends the build.
  const recordFailure = (office: string, error: unknown) => {
    if (options.signal?.aborted || (error instanceof OrtugError && error.kind === 'ENVIRONMENT')) {
      throw error instanceof OrtugError ? new OrtugError(error.kind, `${office}: ${error.message}`, { cause: error }) : error
    }
    failedOffices.add(office)
    failures.push(...collectErrors(error).map((e) => new OrtugError(e.kind, `${office}: ${e.message}`, { location: e.location, cause: e })))
  }
  const built: ManifestEntry[] = []
  try {
    // Decks go in batches of whole offices, each written when done, so memory stays flat
    // however many offices there are.
    let done = 0
    for (const [number, batch] of batchByOffice(jobs, BATCH_DECKS).entries()) {
      // 3. One browser for the whole build: fit check (unless the cache knows every slide), PDFs,
      //    handouts, images, from slides Marp renders while the browser starts or is busy. marp-cli's
      //    HTML (4.) starts at once, while the browser checks and prints.
      for (const job of batch) if (needsPage.has(job) || job.formats.includes('handout')) renderDeck(job, context).catch(() => undefined)
      const marpFormats = renderMarpFormats(batch, failedOffices, context, path.join(staging.dir, `marp-${number + 1}`))
      // Handled below; this keeps an early rejection from counting as unhandled meanwhile.
      marpFormats.catch(() => undefined)
      try {
        await runPool(batch, options.jobs, async (job) => {
          checkAborted(options.signal)
          if (failedOffices.has(job.office.id)) return job.fitted.resolve()
          const label = `${job.office.id} / ${job.essay.slug}`
          try {
            // --timeout counts this deck's work: the browser's start-up is not part of it.
            if (needsPage.has(job) || job.formats.includes('handout')) await browser.get()
            await withTimeout(
              fitAndPrint(job, context),
              options.timeoutMs,
              (limit) => `${label}: did not finish within ${limit} ${describeSteps(job.steps)}`,
              browser,
            )
          } catch (error) {
            recordFailure(job.office.id, asBrowserFault(error, `${label}: ${describeSteps(job.steps)}`))
          } finally {
            job.fitted.resolve()
          }
          done++
          logger.progress(`[${done}/${jobs.length}] ${job.office.id} / ${job.essay.slug}`)
        })
      } finally {
        // marp-cli writes into staging: it must be done before staging goes.
        for (const job of batch) job.fitted.resolve()
        await marpFormats.catch(() => undefined)
      }
      logger.done()
      checkAborted(options.signal)
      const marpOutputs = await marpFormats

      // 5. Each office is moved into place once all its outputs are complete.
      const byOffice = new Map<string, DeckJob[]>()
      for (const job of batch) {
        if (!failedOffices.has(job.office.id)) byOffice.set(job.office.id, [...(byOffice.get(job.office.id) ?? []), job])
      }
      for (const [officeId, officeJobs] of byOffice) {
        checkAborted(options.signal)
        const files = officeJobs.flatMap((job) => job.formats.flatMap((format) => outputFiles(job, format, marpOutputs).map((file) => ({ job, format, file }))))
        // Files of a rebuilt output that the new build does not make again (fewer slide images).
        const obsolete = previous
          .filter((e) => e.office === officeId && officeJobs.some((job) => job.essay.slug === e.essay && job.formats.includes(e.format as Format)))
          .map((e) => e.path)
        try {
          await staging.commitOffice(
            officeId,
            files.map(({ file }) => file),
            obsolete,
          )
          built.push(...files.map(({ job, format, file }) => manifestEntry(job, format, file)))
        } catch (error) {
          recordFailure(officeId, error)
        }
      }
      for (const job of batch) releaseOutputs(job)
    }

    // 6. Manifest, catalogue and fit cache; entries of outputs this build did not touch are kept.
    //    A build that wrote no office leaves the output folder as it was.
    if (built.length === 0 && jobs.length > 0) return { built, unchanged, failures, offices: offices.length, seconds: (performance.now() - started) / 1000 }
    const manifest = await mergeManifest(options.outDir, built, previous, shard.record)
    const thumbnails = (await Promise.all(jobs.map(async (job) => ({ job, bytes: await job.thumbnail })))).flatMap(({ job, bytes }) =>
      bytes && !failedOffices.has(job.office.id) ? [{ path: thumbnailPath(job.office.id, job.essay.slug), bytes }] : [],
    )
    const fits: FitCache = { version: 1, slides: { ...storedFit.slides, ...fitCache.slides } }
    await staging.commitTopLevel([...thumbnails, { path: FIT_CACHE, bytes: Buffer.from(JSON.stringify(fits)) }])
    const catalogue = renderCatalogue(manifest, await readThumbnails(options.outDir, manifest))
    await staging.commitTopLevel([
      { path: 'manifest.json', bytes: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
      { path: 'index.html', bytes: Buffer.from(catalogue) },
    ])
  } finally {
    await browser.close()
    await staging.dispose()
  }
  return { built, unchanged, failures, offices: offices.length, seconds: (performance.now() - started) / 1000 }
}

export interface CheckOptions extends Selection {
  root: string
  /** Where a previous build's fit cache may be read from (never written). */
  outDir: string
  fit: boolean
  browserPath?: string
  env?: NodeJS.ProcessEnv
  timeoutMs: number
  jobs: number
}

/** Everything a build verifies, without writing anything: content, templates and (with `fit`) that every slide fits. */
export async function check(options: CheckOptions): Promise<{ problems: OrtugError[]; decks: number; offices: number; essays: number }> {
  const project = await loadProject(options.root, options)
  const problems: OrtugError[] = [...project.problems]
  const jobs: DeckJob[] = []
  for (const { office, templates } of project.offices) {
    try {
      const renderMarkdown = compileDeckTemplates(templates)
      for (const { essay, storyboard } of project.essays) {
        const keys = Object.fromEntries(FORMATS.map((f) => [f, ''])) as Record<Format, string>
        jobs.push(planJob({ office, templates, essay, storyboard, renderMarkdown, inputs: {}, keys, handout: office.handout, formats: [] }))
      }
    } catch (error) {
      problems.push(...collectErrors(error))
    }
  }
  if (options.fit && jobs.length > 0) {
    const theme = createTheme(await readText(project.themeFile), await loadFontFaceCss(), sha256)
    const cache = parseFitCache(await readFile(path.join(options.outDir, FIT_CACHE), 'utf8').catch(() => undefined))
    const browser = openBrowserPages(options)
    const marp = render.startMarpWorker()
    try {
      await runPool(jobs, options.jobs, async (job) => {
        await fitAndPrint(job, { browser, marp, theme, fitCache: cache, timeoutMs: options.timeoutMs, warn: () => undefined }).catch((error) =>
          problems.push(...collectErrors(error)),
        )
      })
    } finally {
      marp.close()
      await browser.close()
    }
  }
  return { problems, decks: jobs.length, offices: project.offices.length, essays: project.essays.length }
}

/**
 * The office's decks whose outputs are out of date, planned; the others are counted as unchanged.
 * Every output is keyed by the hashes of the inputs that shape it and the options.
 */
async function planOffice(
  project: Project,
  { office, templates, inputs: officeInputs }: Project['offices'][number],
  previous: readonly ManifestEntry[],
  hash: HashInputs,
  options: BuildOptions,
): Promise<{ jobs: DeckJob[]; unchanged: number; errors: OrtugError[] }> {
  const jobs: DeckJob[] = []
  let unchanged = 0
  try {
    // Every output depends on the theme and fonts too: the fit check decides where slides split.
    const shared = await hash([project.themeFile, ...resolveFontFiles(), templates.deck.file, ...Object.values(templates.layouts).map((t) => t.file)])
    const handoutTemplate = await hash([templates.handout.file])
    const handout = { layout: options.handout?.layout ?? office.handout.layout, paper: options.handout?.paper ?? office.handout.paper }
    let renderMarkdown: RenderMarkdown | undefined
    for (const { essay, storyboard, inputs: essayInputs } of project.essays) {
      const inputs = { ...shared, ...(await hash([...essayInputs, ...officeInputs])) }
      const keys = Object.fromEntries(
        FORMATS.map((format) => {
          const shaping = format === 'handout' ? { inputs: { ...inputs, ...handoutTemplate }, handout } : { inputs }
          return [format, sha256(JSON.stringify({ version: VERSION, format, ...shaping }))]
        }),
      ) as Record<Format, string>
      const fresh = await Promise.all(
        options.formats.map((format) => !options.force && isOutputFresh(previous, options.outDir, office.id, essay.slug, format, keys[format])),
      )
      const formats = options.formats.filter((_, i) => !fresh[i])
      unchanged += fresh.filter(Boolean).length
      if (formats.length === 0) continue
      renderMarkdown ??= compileDeckTemplates(templates)
      jobs.push(planJob({ office, templates, essay, storyboard, renderMarkdown, inputs, keys, handout, formats }))
    }
    return { jobs, unchanged, errors: [] }
  } catch (error) {
    return { jobs: [], unchanged: 0, errors: collectErrors(error) }
  }
}

/** Decks per batch: enough to keep marp-cli's per-call start-up small, few enough to bound memory. */
const BATCH_DECKS = 48

function batchByOffice(jobs: readonly DeckJob[], size: number): DeckJob[][] {
  const batches: DeckJob[][] = []
  let current: DeckJob[] = []
  jobs.forEach((job, i) => {
    current.push(job)
    const officeEnds = jobs[i + 1]?.office.id !== job.office.id
    if (officeEnds && current.length >= size) {
      batches.push(current)
      current = []
    }
  })
  if (current.length > 0) batches.push(current)
  return batches
}

/** Once written, a deck's outputs are no longer needed in memory (its thumbnail is, for the catalogue). */
function releaseOutputs(job: DeckJob): void {
  job.pdf = undefined
  job.handoutPdf = undefined
  job.slideImages = undefined
  job.overview = undefined
  job.rendered = undefined
}

/**
 * 4. HTML (and PPTX) for every deck, one marp-cli conversion per format. HTML starts at once from
 * the slides as planned so far, while the browser checks that they fit; the decks the fit check
 * changes are converted again once every deck's slides are final.
 */
async function renderMarpFormats(
  jobs: readonly DeckJob[],
  failedOffices: ReadonlySet<string>,
  { browser, marp, theme }: PrintContext,
  workDir: string,
): Promise<Map<string, Uint8Array>> {
  const outputs = new Map<string, Uint8Array>()
  const convert = async (format: 'html' | 'pptx', marpJobs: readonly DeckJob[], folder: string) => {
    // marp-cli prints PPTX with a browser of its own; give it the build's choice of browser.
    const browserChoice = format === 'pptx' ? (await browser.get()).choice : undefined
    const rendered = await marp.convert(
      marpJobs.map((job) => ({ base: `${job.office.id}/${job.essay.slug}`, markdown: job.markdown })),
      path.join(workDir, folder),
      { format, themeCss: theme.css, fontCss: theme.fonts, browser: browserChoice },
    )
    for (const [base, bytes] of rendered) outputs.set(`${base}.${format}`, bytes)
  }
  const htmlJobs = jobs.filter((job) => job.formats.includes('html'))
  const early = new Map(htmlJobs.map((job) => [job, job.markdown]))
  const earlyHtml = convert('html', htmlJobs, 'html')
  // Awaited below, once the fit check is done; this keeps an early failure from counting as unhandled.
  earlyHtml.catch(() => undefined)
  await Promise.all(jobs.map((job) => job.fitted.promise))
  await earlyHtml
  const changed = htmlJobs.filter((job) => !failedOffices.has(job.office.id) && job.markdown !== early.get(job))
  if (changed.length > 0) await convert('html', changed, 'html-refit')
  const pptxJobs = jobs.filter((job) => job.formats.includes('pptx') && !failedOffices.has(job.office.id))
  if (pptxJobs.length > 0) await convert('pptx', pptxJobs, 'pptx')
  await rm(workDir, { recursive: true, force: true })
  return outputs
}

/** A deck job with its first plan and Markdown (the fit check may replan it). */
function planJob(job: Omit<DeckJob, 'tuning' | 'repairs' | 'deck' | 'markdown' | 'fitted' | 'steps'>): DeckJob {
  const deck = planDeck(job.essay, job.storyboard, job.office)
  return { ...job, tuning: new Map(), repairs: 0, deck, markdown: job.renderMarkdown(deck), fitted: deferred(), steps: new Set() }
}

/** What printing a deck needs: the build's browser, Marp's process, the theme and the fit cache. */
interface PrintContext {
  browser: BrowserPages
  marp: MarpWorker
  theme: Theme
  fitCache: FitCache
  timeoutMs: number
  warn(message: string): void
  signal?: AbortSignal
}

/** marp-core's render of the job's current Markdown, requested once. */
function renderDeck(job: DeckJob, { marp, theme }: PrintContext): Promise<MarpRender> {
  if (job.rendered?.markdown !== job.markdown) job.rendered = { markdown: job.markdown, render: marp.render(job.markdown, theme.css) }
  return job.rendered.render
}

/**
 * Checks that every slide fits, from the cache or measured in the browser, repairs overflowing
 * slides (continuation slides, then denser type) and prints the PDF from the final page.
 */
async function fitAndPrint(job: DeckJob, context: PrintContext): Promise<void> {
  // Handouts, PDFs and images show the slides as they are after the fit check.
  const { browser, theme } = context
  const handoutModule = job.formats.includes('handout') ? import('./handout.ts') : undefined
  let page: Page | undefined
  let loaded = ''
  const load = async () => {
    const acquired = page ? undefined : inStep(job, 'opening a tab', () => browser.acquire('deck'))
    // A failure to open the page is reported below, after the render.
    acquired?.catch(() => undefined)
    const printable = toPrintable(job)
    const html = render.printableHtml(printable, theme, await inStep(job, 'waiting for Marp', () => renderDeck(job, context)))
    page ??= await acquired
    await inStep(job, 'loading the deck', () => render.loadIsolated(page as Page, html, `${printable.label}: the deck`))
    loaded = job.markdown
    return printable
  }
  let succeeded = false
  try {
    const overflows = await fitDeck(job, context.fitCache, theme.hash, async () => {
      const printable = await load()
      return inStep(job, 'measuring the slides', () => render.measureOverflow(page as Page, printable))
    })
    job.fitted.resolve()
    if (overflows && overflows.length > 0) {
      const label = `${job.office.id} / ${job.essay.slug}`
      fail(
        'CONTENT',
        `slides do not fit even after splitting and the smallest type:\n${overflows.map((o) => `  ${render.formatOverflow(label, o)}`).join('\n')}\nShorten the text, or split it into more slides in the storyboard.`,
      )
    }
    // The handout prints on a page of its own while this page prints the deck.
    const handout = handoutModule
      ? handoutModule.then(async ({ renderHandout }) => {
          const input = handoutInput(job, theme, await renderDeck(job, context))
          const handoutPage = await inStep(job, 'opening a tab for the handout', () => browser.acquire('handout'))
          let clean = false
          try {
            job.handoutPdf = await inStep(job, 'printing the handout', async () => renderHandout((await browser.get()).browser, input, handoutPage))
            clean = true
          } finally {
            await browser.release('handout', handoutPage, clean)
          }
        })
      : Promise.resolve()
    await Promise.all([handout, printDeck(job, context, load, () => page as Page, loaded !== job.markdown)])
    succeeded = true
  } finally {
    if (page) await browser.release('deck', page, succeeded)
  }
}

/**
 * Looks up (or, with `measure`, measures) how far the deck's slides overflow, and repairs the plan
 * until it fits or nothing is left to try. Returns the overflows of the final plan, or undefined
 * when a slide is not in the cache and there is no `measure`.
 */
async function fitDeck(job: DeckJob, cache: FitCache, themeHash: string, measure?: () => Promise<Overflow[]>): Promise<Overflow[] | undefined> {
  for (;;) {
    const keys = slideKeys(job.markdown, themeHash)
    let overflows = cachedOverflows(keys, cache, job.deck)
    if (!overflows) {
      if (!measure) return undefined
      overflows = await measure()
      recordFit(cache, keys, overflows)
    }
    const tuning = overflows.length > 0 && job.repairs < MAX_FIT_ROUNDS ? repairTuning(job.tuning, job.deck, overflows) : undefined
    if (!tuning) return overflows
    job.repairs++
    job.tuning = tuning
    job.deck = planDeck(job.essay, job.storyboard, job.office, tuning)
    job.markdown = job.renderMarkdown(job.deck)
  }
}

/**
 * The PDF from the tab that holds the deck after the fit check; the catalogue's thumbnail, slide
 * images and overview from the capture window (pages.ts says why not from the tab).
 */
async function printDeck(job: DeckJob, context: PrintContext, load: () => Promise<unknown>, page: () => Page, stale: boolean): Promise<void> {
  if (!job.formats.some((f) => PAGE_FORMATS.includes(f))) return
  if (stale) await load()
  const deckPage = page()
  const { width, height } = render.SLIDE_SIZES[job.office.aspect]
  const label = `${job.office.id} / ${job.essay.slug}`
  // The catalogue waits for thumbnails, the office's outputs do not.
  job.thumbnail = captureThumbnail(job, context, label)
  const images = job.formats.includes('png') || job.formats.includes('overview') ? captureSlides(job, context, label) : undefined
  if (job.formats.includes('pdf')) {
    const { finalizePdf } = await import('./pdf.ts')
    const pdf = await inStep(job, 'printing the PDF', () =>
      deckPage.pdf({ width: `${width}px`, height: `${height}px`, printBackground: true, preferCSSPageSize: true, tagged: true }),
    )
    job.pdf = await finalizePdf(
      pdf,
      {
        title: job.essay.meta.title,
        author: job.essay.meta.author,
        subject: job.office.name,
        lang: job.essay.meta.lang,
        outline: job.deck.slides.map((s) => s.title),
        expectedPages: job.deck.slides.length,
      },
      label,
    )
  }
  await images
}

/** The title slide, small; a deck without a thumbnail is still built (the catalogue shows its name). */
async function captureThumbnail(job: DeckJob, context: PrintContext, label: string): Promise<Uint8Array | undefined> {
  const { width, height } = render.SLIDE_SIZES[job.office.aspect]
  const printable = toPrintable(job)
  const rendered = renderDeck(job, context)
  const shot = async () => {
    const { css, html } = await rendered
    // The title slide alone: a page a fraction of the deck's size.
    const titleSlide = { css, html: `<div class="marpit">${render.splitSlides(html)[0] ?? ''}</div>` }
    return context.browser.capture(async (capturePage) => {
      await render.showForCapture(capturePage, printable, context.theme, titleSlide, `${label}: the title slide`, THUMB_WIDTH)
      return capturePage.screenshot({ type: 'webp', quality: 80, clip: { x: 0, y: 0, width: THUMB_WIDTH, height: Math.round((height * THUMB_WIDTH) / width) } })
    })
  }
  try {
    return await withTimeout(shot(), context.timeoutMs, (limit) => `the screenshot did not finish within ${limit}`, context.browser)
  } catch (error) {
    if (!context.signal?.aborted) context.warn(`no thumbnail for ${label} in the catalogue: ${(error as Error).message.split('\n')[0]}`)
    return undefined
  }
}

/** Every slide as a PNG, and the overview, from the whole deck loaded in the capture window. */
async function captureSlides(job: DeckJob, context: PrintContext, label: string): Promise<void> {
  const rendered = await renderDeck(job, context)
  job.steps.add('waiting for the capture window')
  await context.browser.capture(async (page) => {
    job.steps.delete('waiting for the capture window')
    await inStep(job, 'loading the deck for screenshots', () => render.showForCapture(page, toPrintable(job), context.theme, rendered, `${label}: the deck`))
    await inStep(job, 'taking screenshots', async () => {
      if (job.formats.includes('png')) job.slideImages = await render.screenshotSlides(page, job.deck.slides.length, job.office.aspect)
      if (job.formats.includes('overview')) job.overview = await render.screenshotOverview(page, job.office.aspect)
    })
  })
}

/** Runs one step of a deck's work, remembered while it runs so a timeout can say where it stuck. */
async function inStep<T>(job: DeckJob, name: string, work: () => Promise<T>): Promise<T> {
  job.steps.add(name)
  try {
    return await work()
  } finally {
    job.steps.delete(name)
  }
}

function describeSteps(steps: ReadonlySet<string>): string {
  return steps.size > 0 ? `while ${[...steps].join(' and ')}` : 'between steps'
}

function handoutInput(job: DeckJob, theme: Theme, rendered: MarpRender): HandoutInput {
  const session = job.office.session
  return {
    rendered,
    fontCss: theme.fonts,
    template: job.templates.handout,
    aspect: job.office.aspect,
    lang: job.essay.meta.lang,
    layout: job.handout.layout,
    paper: job.handout.paper,
    office: { name: job.office.name },
    essay: { title: job.essay.meta.title, author: job.essay.meta.author },
    session: session && { date: session.date && formatDateIndonesian(session.date), venue: session.venue, trainers: session.trainers },
    slides: job.deck.slides.map((s) => ({
      title: s.title,
      notes: s.notes,
      question: typeof s.fields.question === 'string' ? s.fields.question : undefined,
      minutes: s.minutes,
    })),
  }
}

function toPrintable(job: { office: Office; essay: Essay; deck: Deck }): PrintableDeck {
  return {
    aspect: job.office.aspect,
    lang: job.essay.meta.lang,
    label: `${job.office.id} / ${job.essay.slug}`,
    slideTitles: job.deck.slides.map((s) => s.title),
    layouts: job.deck.slides.map((s) => s.layout),
  }
}

function outputFiles(job: DeckJob, format: Format, marp: Map<string, Uint8Array>): OutputFile[] {
  const base = `${job.office.id}/${job.essay.slug}`
  const missing = (what: string): never => fail('ENVIRONMENT', `${job.office.id}: no ${what} was made for ${job.essay.slug}`)
  const one = (bytes: Uint8Array | undefined, what: string) => [{ path: outputPath(job.office.id, job.essay.slug, format), bytes: bytes ?? missing(what) }]
  switch (format) {
    case 'md':
      return one(Buffer.from(job.markdown), 'Markdown')
    case 'html':
      return one(marp.get(`${base}.html`), 'HTML')
    case 'pptx':
      return one(marp.get(`${base}.pptx`), 'PPTX')
    case 'pdf':
      return one(job.pdf, 'PDF')
    case 'handout':
      return one(job.handoutPdf, 'handout')
    case 'overview':
      return one(job.overview, 'overview image')
    case 'png':
      return (job.slideImages ?? missing('slide images')).map((bytes, i) => ({ path: `${base}.${String(i + 1).padStart(3, '0')}.png`, bytes }))
  }
}

export function outputPath(office: string, slug: string, format: Format): string {
  const names: Record<Format, string> = {
    md: `${slug}.md`,
    html: `${slug}.html`,
    pdf: `${slug}.pdf`,
    handout: `${slug}-handout.pdf`,
    overview: `${slug}-overview.png`,
    pptx: `${slug}.pptx`,
    png: `${slug}.001.png`,
  }
  return `${office}/${names[format]}`
}

function manifestEntry(job: DeckJob, format: Format, file: OutputFile): ManifestEntry {
  return {
    path: file.path,
    bytes: file.bytes.byteLength,
    sha256: sha256(file.bytes),
    office: job.office.id,
    officeName: job.office.name,
    essay: job.essay.slug,
    essayTitle: job.essay.meta.title,
    format,
    key: job.keys[format],
    inputs: job.inputs,
  }
}

type HashInputs = (files: string[]) => Promise<Record<string, string>>

/** Hashes of input files by their path in the project, each file read once per build (offices share templates, essays and fonts). */
function inputHasher(root: string): HashInputs {
  const hashes = new Map<string, Promise<string>>()
  const hashFile = (file: string) => {
    let hash = hashes.get(file)
    if (!hash) {
      hash = readFile(file).then((bytes) => sha256(bytes))
      hashes.set(file, hash)
    }
    return hash
  }
  return async (files) => Object.fromEntries(await Promise.all(files.map(async (file) => [displayPath(root, file), await hashFile(file)] as const)))
}

/** Project files by their path in the project; files outside it (fonts in node_modules) by package path. */
function displayPath(root: string, file: string): string {
  const relative = path.relative(root, file).split(path.sep).join('/')
  return relative.startsWith('..')
    ? file
        .slice(file.lastIndexOf('node_modules') + 13)
        .split(path.sep)
        .join('/')
    : relative
}

/** Errors from puppeteer (crash, closed target, protocol) are the environment's, not the content's. */
function asBrowserFault(error: unknown, step: string): unknown {
  if (error instanceof OrtugError) return error
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
  return new OrtugError('ENVIRONMENT', `the browser failed during ${step}: ${message}`, { cause: error })
}

function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) fail('ENVIRONMENT', 'the build was interrupted; earlier outputs are unchanged')
}

/** `message` gets "N s (--timeout)"; the browser in use and what to do are added. */
async function withTimeout<T>(work: Promise<T>, ms: number, message: (limit: string) => string, browser: BrowserPages): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const text = `${message(`${ms / 1000} s (--timeout)`)}; browser: ${browser.describe()}. Raise --timeout for a slow machine, or run "ortug doctor" to check the browser.`
      reject(new OrtugError('ENVIRONMENT', text))
    }, ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Runs `task` over `items` with at most `limit` at once; after a task throws, no new task starts. */
export async function runPool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  let failed = false
  const worker = async () => {
    while (next < items.length && !failed) {
      try {
        await task(items[next++] as T)
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
}

export function defaultJobs(): number {
  return Math.max(2, Math.min(6, os.availableParallelism() * 2))
}
