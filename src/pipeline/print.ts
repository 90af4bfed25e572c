import type { Page } from 'puppeteer-core'
import type { HandoutInput, HandoutSlide } from '../browser/handout.ts'
import * as render from '../browser/page.ts'
import type { BrowserPages, PageKind } from '../browser/pages.ts'
import { type FitCache, type FitState, fitSlides } from '../plan/fit.ts'
import { readingParagraphs } from '../plan/notes.ts'
import { planDeck } from '../plan/plan.ts'
import { formatDateIndonesian } from '../render/markdown.ts'
import type { MarpRender, MarpWorker } from '../render/marp.ts'
import type { Theme } from '../render/theme.ts'
import { fail, OrtugError } from '../shared/error.ts'
import { type DeckOutputs, PAGE_FORMATS } from '../shared/formats.ts'
import { thumbnailTryLimitMs } from '../shared/limits.ts'
import {
  asBrowserBroken,
  asBrowserFault,
  asOfficeFault,
  type Deferred,
  deferred,
  endsRun,
  isFinal,
  startDeadline,
  withDeadline,
  withTimeout,
} from '../shared/tasks.ts'
import type { Overflow, Slide } from '../shared/types.ts'
import type { DeckJob } from './jobs.ts'

// One deck in the browser: the fit check (from the cache or measured, with repairs), the PDF and
// the handout printed from tabs, screenshots from the capture window.

const THUMB_WIDTH = 320
const WAITING_FOR_MARP = 'waiting for Marp'
const IN_CAPTURE_WINDOW = { load: 'loading the deck for screenshots', shoot: 'taking screenshots' } as const

/** What printing a deck needs: the build's browser, Marp's process, the theme and the fit cache. */
export interface PrintContext {
  browser: BrowserPages
  marp: MarpWorker
  theme: Theme
  fitCache: FitCache
  timeoutMs: number
  warn(message: string): void
  /** False once the deck's office failed or the run is stopping: its screenshots are not taken. */
  isWanted(work: DeckWork): boolean
  signal?: AbortSignal
}

/** A deck on its way: its slides as they stand (the fit check may replan them) and what is being done. */
export interface DeckWork {
  job: DeckJob
  /** "office / essay", for messages. */
  label: string
  slides: FitState
  /** Settles when the slides are final (after the fit check), so HTML can start early. */
  fitted: Deferred
  /** The current try at the deck in the browser (a deck that fails for the browser is tried again alone). */
  attempt: Attempt
  /** marp-core's render of `slides.markdown`, requested once. */
  rendered?: { markdown: string; render: Promise<MarpRender> }
}

/** One try at a deck's browser work: what it is doing now, and the tabs it holds. */
export interface Attempt {
  /** What the deck's work is doing now (several things at once: the handout prints beside the PDF). */
  steps: Set<string>
  pages: Set<Page>
  /** Set once the try has failed or timed out: its work still under way stops at its next step. */
  abandoned: boolean
}

/** What the browser made of a deck. */
export type Printed = Pick<DeckOutputs, 'pdf' | 'handout' | 'slideImages' | 'overview'> & {
  /** The title slide, small, for the catalogue: taken in the capture window while other decks print. */
  thumbnail?: Promise<Uint8Array | undefined>
}

/** A job with its first plan and Markdown. */
export function startDeck(job: DeckJob): DeckWork {
  const deck = planDeck(job.essay, job.storyboard, job.office)
  const slides = { deck, markdown: job.renderMarkdown(deck), tuning: new Map(), repairs: 0 }
  return { job, label: `${job.office.id} / ${job.essay.slug}`, slides, fitted: deferred(), attempt: newAttempt() }
}

/**
 * Settles the fit from the cache alone: the overflows that remain (a deck that cannot fit fails
 * with them, see verifyFits), or undefined when a slide must be measured in the browser.
 */
export async function fitFromCache(work: DeckWork, cache: FitCache, themeHash: string): Promise<Overflow[] | undefined> {
  return fitSlides(work.slides, replanner(work.job), cache, themeHash)
}

/** Fails the deck when slides still overflow after every repair. */
export function verifyFits(work: DeckWork, overflows: readonly Overflow[] | undefined): void {
  if (!overflows || overflows.length === 0) return
  fail(
    'CONTENT',
    `slides do not fit even after splitting and the smallest type:\n${overflows.map((o) => `  ${render.formatOverflow(work.label, o)}`).join('\n')}\nShorten the text, or split it into more slides in the storyboard.`,
  )
}

/** Whether the deck needs the browser at all once its fit is known. */
export function needsBrowser(work: DeckWork): boolean {
  return work.job.formats.some((f) => PAGE_FORMATS.includes(f) || f === 'handout')
}

/** marp-core's render of the deck's current Markdown, requested once. */
export function renderDeck(work: DeckWork, { marp, theme }: Pick<PrintContext, 'marp' | 'theme'>): Promise<MarpRender> {
  const { markdown } = work.slides
  if (work.rendered?.markdown !== markdown) {
    const render = marp.render(markdown, theme.css)
    work.rendered = { markdown, render }
    // A render lost with Marp's process (restarted for another deck) is asked for again next time.
    render.catch(() => {
      if (work.rendered?.render === render) work.rendered = undefined
    })
  }
  return work.rendered.render
}

/**
 * Checks that every slide fits, from the cache or measured in the browser, repairs overflowing
 * slides (continuation slides, then denser type), then prints the PDF and the handout from the
 * final slides.
 */
export async function fitAndPrint(work: DeckWork, context: PrintContext): Promise<Printed> {
  const { browser, theme } = context
  const attempt = work.attempt
  const inStep = <T>(name: string, run: () => Promise<T>) => inAttempt(attempt, name, run)
  const acquire = async (kind: PageKind) => {
    const page = await browser.acquire(kind)
    // A tab that arrives after the try was given up is closed, not kept by a try that no one waits for.
    if (attempt.abandoned) void page.close().catch(() => undefined)
    else attempt.pages.add(page)
    return page
  }
  const release = async (kind: PageKind, page: Page, clean: boolean) => {
    attempt.pages.delete(page)
    await browser.release(kind, page, clean && !attempt.abandoned)
  }
  const handoutModule = work.job.formats.includes('handout') ? import('../browser/handout.ts') : undefined
  let page: Page | undefined
  let loaded = ''
  const load = async () => {
    const acquired = page ? undefined : inStep('opening a tab', () => acquire('deck'))
    // A failure to open the page is reported below, after the render.
    acquired?.catch(() => undefined)
    const printable = toPrintable(work)
    const html = render.printableHtml(printable, theme, await inStep(WAITING_FOR_MARP, () => renderDeck(work, context)))
    page ??= await acquired
    await inStep('loading the deck', () => render.loadIsolated(page as Page, html, `${printable.label}: the deck`))
    loaded = work.slides.markdown
    return printable
  }
  let succeeded = false
  try {
    const overflows = await fitSlides(work.slides, replanner(work.job), context.fitCache, theme.hash, async () => {
      const printable = await load()
      return inStep('measuring the slides', () => render.measureSlides(page as Page, printable))
    })
    work.fitted.resolve()
    verifyFits(work, overflows)
    // The handout prints in a tab of its own while this one prints the deck.
    const handout = handoutModule?.then(async ({ renderHandout, toHandoutSlide }) => {
      const input = handoutInput(work, theme, await renderDeck(work, context), toHandoutSlide)
      const handoutPage = await inStep('opening a tab for the handout', () => acquire('handout'))
      let clean = false
      try {
        const pdf = await inStep('printing the handout', async () => renderHandout((await browser.get()).browser, input, handoutPage))
        clean = true
        return pdf
      } finally {
        await release('handout', handoutPage, clean)
      }
    })
    const [handoutPdf, printed] = await Promise.all([handout, printDeck(work, attempt, context, load, () => page as Page, loaded !== work.slides.markdown)])
    succeeded = true
    return { ...printed, handout: handoutPdf }
  } finally {
    if (page) await release('deck', page, succeeded)
  }
}

/**
 * fitAndPrint within --timeout, counted from the deck's start and covering every step (Marp's
 * render, loading, measuring, printing, the handout). A try that times out or fails for the
 * browser gives up its tabs (pages.ts replaces the browser if they do not close) and throws.
 */
export async function fitAndPrintInTime(work: DeckWork, context: PrintContext): Promise<Printed> {
  const attempt = newAttempt()
  work.attempt = attempt
  const message = (limit: string) =>
    `${work.label}: did not finish within ${limit} ${describeSteps(attempt.steps)}; browser: ${context.browser.describe()}. Raise --timeout for a slow machine, or run "ortug doctor" to check the browser.`
  try {
    return await withDeadline(fitAndPrint(work, context), startDeadline(context.timeoutMs), message)
  } catch (error) {
    attempt.abandoned = true
    if (isFinal(error)) throw error
    const fault = asBrowserFault(error, `${work.label}: ${describeSteps(attempt.steps)}`)
    // Marp's process renders one deck at a time: one stuck in it holds up every other deck.
    if (attempt.steps.has(WAITING_FOR_MARP)) context.marp.close()
    // The capture window is shared by every deck: one stuck in it takes a new browser.
    if (attempt.steps.has(IN_CAPTURE_WINDOW.load) || attempt.steps.has(IN_CAPTURE_WINDOW.shoot)) await context.browser.restart()
    else await context.browser.discard(attempt.pages)
    throw fault
  }
}

/**
 * Prints decks so that one office's fault stays that office's. In the pool, a deck that fails for
 * the browser (a timeout, a crash) may have failed for a neighbour that hung the browser they
 * shared: `inPool` gives undefined, and the deck is tried again `alone`, after `restart()`, one
 * at a time. Failing alone fails its office (an office fault, exit 1) and restarts the browser;
 * failing alone right after a restart for another office ends the run (BrowserUnusable).
 */
export function createPrinter(context: PrintContext) {
  /** The office whose deck failed alone and had the browser restarted, until a deck prints in the new one. */
  let restartedFor: string | undefined
  const print = async (work: DeckWork) => {
    // --timeout counts the deck's work: the browser's start-up is not part of it.
    await context.browser.get()
    const printed = await fitAndPrintInTime(work, context)
    restartedFor = undefined
    return printed
  }
  return {
    async inPool(work: DeckWork): Promise<Printed | undefined> {
      try {
        return await print(work)
      } catch (error) {
        if (isFinal(error) || endsRun(error)) throw error
        return undefined
      }
    },
    restart: () => context.browser.restart(),
    async alone(work: DeckWork): Promise<Printed> {
      try {
        return await print(work)
      } catch (error) {
        if (isFinal(error) || endsRun(error)) throw error
        const office = work.job.office.id
        if (restartedFor !== undefined && restartedFor !== office) throw asBrowserBroken(error, restartedFor)
        await context.browser.restart()
        restartedFor = office
        throw asOfficeFault(error)
      }
    },
  }
}

/** Runs one step of a try, remembered while it runs so a timeout can say where it stuck. */
export async function inAttempt<T>(attempt: Attempt, name: string, run: () => Promise<T>): Promise<T> {
  if (attempt.abandoned) throw new OrtugError('ENVIRONMENT', `given up before ${name}`)
  attempt.steps.add(name)
  try {
    const result = await run()
    if (attempt.abandoned) throw new OrtugError('ENVIRONMENT', `given up during ${name}`)
    return result
  } finally {
    attempt.steps.delete(name)
  }
}

export function describeSteps(steps: ReadonlySet<string>): string {
  return steps.size > 0 ? `while ${[...steps].join(' and ')}` : 'between steps'
}

// --- internal ---

function newAttempt(): Attempt {
  return { steps: new Set(), pages: new Set(), abandoned: false }
}

function replanner(job: DeckJob) {
  return (tuning: FitState['tuning']) => {
    const deck = planDeck(job.essay, job.storyboard, job.office, tuning)
    return { deck, markdown: job.renderMarkdown(deck) }
  }
}

/**
 * The PDF from the tab that holds the deck after the fit check; the catalogue's thumbnail, slide
 * images and overview from the capture window (pages.ts says why not from the tab).
 */
async function printDeck(
  work: DeckWork,
  attempt: Attempt,
  context: PrintContext,
  load: () => Promise<unknown>,
  page: () => Page,
  stale: boolean,
): Promise<Printed> {
  const { job } = work
  if (!job.formats.some((f) => PAGE_FORMATS.includes(f))) return {}
  if (stale) await load()
  const deckPage = page()
  const { width, height } = render.SLIDE_SIZES[job.office.aspect]
  // The catalogue waits for thumbnails, the office's outputs do not.
  const thumbnail = captureThumbnail(work, context)
  const images = job.formats.includes('png') || job.formats.includes('overview') ? captureSlides(work, attempt, context) : undefined
  // Awaited below; if the PDF fails first, this keeps its failure from counting as unhandled.
  images?.catch(() => undefined)
  let pdf: Uint8Array | undefined
  if (job.formats.includes('pdf')) {
    const { finalizePdf } = await import('../browser/pdf.ts')
    const printed = await inAttempt(attempt, 'printing the PDF', () =>
      deckPage.pdf({ width: `${width}px`, height: `${height}px`, printBackground: true, preferCSSPageSize: true, tagged: true }),
    )
    const outline = work.slides.deck.slides.map((s) => s.title)
    const info = { title: job.essay.meta.title, author: job.essay.meta.author, subject: job.office.name, lang: job.essay.meta.lang, date: job.sourceDate }
    pdf = await finalizePdf(printed, { ...info, outline, expectedPages: outline.length }, work.label)
  }
  return { pdf, thumbnail, ...(await images) }
}

/** The title slide, small; a deck without a thumbnail is still built (the catalogue shows its name). */
async function captureThumbnail(work: DeckWork, context: PrintContext): Promise<Uint8Array | undefined> {
  const { width, height } = render.SLIDE_SIZES[work.job.office.aspect]
  const printable = toPrintable(work)
  const rendered = renderDeck(work, context)
  const shot = async (capturePage: Page) => {
    const { css, html } = await rendered
    // The title slide alone, drawn at the thumbnail's size.
    const titleSlide = { css, html: `<div class="marpit">${render.splitSlides(html)[0] ?? ''}</div>` }
    await render.showForCapture(capturePage, printable, context.theme, titleSlide, `${work.label}: the title slide`, THUMB_WIDTH)
    return capturePage.screenshot({ type: 'webp', quality: 80, clip: { x: 0, y: 0, width: THUMB_WIDTH, height: Math.round((height * THUMB_WIDTH) / width) } })
  }
  // The timeout counts from the thumbnail's turn in the capture window, not from its place in the queue.
  const take = () =>
    context.browser.capture((capturePage) =>
      context.isWanted(work)
        ? withTimeout(
            shot(capturePage),
            thumbnailTryLimitMs(context.timeoutMs),
            (limit) => `the screenshot did not finish within ${limit}; browser: ${context.browser.describe()}`,
          )
        : Promise.resolve(undefined),
    )
  try {
    // A second try, in a new capture window: the first may have failed for another deck that hung
    // the browser, or with a browser restarted under it.
    return await take().catch(take)
  } catch (error) {
    if (context.isWanted(work)) context.warn(`no thumbnail for ${work.label} in the catalogue: ${(error as Error).message.split('\n')[0]}`)
    return undefined
  }
}

/** Every slide as a PNG, and the overview, from the whole deck loaded in the capture window. */
async function captureSlides(work: DeckWork, attempt: Attempt, context: PrintContext): Promise<Pick<Printed, 'slideImages' | 'overview'>> {
  const { job } = work
  const rendered = await renderDeck(work, context)
  attempt.steps.add('waiting for the capture window')
  return context.browser.capture(async (page) => {
    attempt.steps.delete('waiting for the capture window')
    await inAttempt(attempt, IN_CAPTURE_WINDOW.load, () => render.showForCapture(page, toPrintable(work), context.theme, rendered, `${work.label}: the deck`))
    return inAttempt(attempt, IN_CAPTURE_WINDOW.shoot, async () => ({
      slideImages: job.formats.includes('png') ? await render.screenshotSlides(page, work.slides.deck.slides.length, job.office.aspect) : undefined,
      overview: job.formats.includes('overview') ? await render.screenshotOverview(page, job.office.aspect) : undefined,
    }))
  })
}

function handoutInput({ job, slides }: DeckWork, theme: Theme, rendered: MarpRender, toHandoutSlide: (slide: Slide) => HandoutSlide): HandoutInput {
  const session = job.office.session
  return {
    rendered,
    fontCss: theme.fonts,
    template: job.templates.handout,
    aspect: job.office.aspect,
    lang: job.essay.meta.lang,
    date: job.sourceDate,
    layout: job.handout.layout,
    paper: job.handout.paper,
    office: { name: job.office.name },
    essay: { title: job.essay.meta.title, author: job.essay.meta.author },
    session: session && { date: session.date && formatDateIndonesian(session.date), venue: session.venue, trainers: session.trainers },
    slides: slides.deck.slides.map(toHandoutSlide),
    reading: job.essay.sections.map((section) => ({ heading: section.heading, paragraphs: readingParagraphs(section.blocks) })),
  }
}

function toPrintable({ job, slides, label }: DeckWork): render.PrintableDeck {
  return {
    aspect: job.office.aspect,
    lang: job.essay.meta.lang,
    label,
    slideTitles: slides.deck.slides.map((s) => s.title),
    layouts: slides.deck.slides.map((s) => s.layout),
  }
}
