import type { Page } from 'puppeteer-core'
import type { HandoutInput, HandoutSlide } from '../browser/handout.ts'
import * as render from '../browser/page.ts'
import type { PageKind } from '../browser/pages.ts'
import { type FitCache, type FitState, fitSlides, startFromHint } from '../plan/fit.ts'
import { readingParagraphs } from '../plan/notes.ts'
import { planDeck } from '../plan/plan.ts'
import { formatDateIndonesian } from '../render/markdown.ts'
import type { MarpRender } from '../render/marp.ts'
import type { Theme } from '../render/theme.ts'
import { PAGE_FORMATS } from '../shared/formats.ts'
import { profiler, type Stage } from '../shared/profile.ts'
import { asBrowserBroken, asBrowserFault, asOfficeFault, deferred, endsRun, isFinal, startDeadline, withDeadline } from '../shared/tasks.ts'
import type { Measured, Overflow, Slide } from '../shared/types.ts'
import { captureSlides, captureThumbnail, IN_CAPTURE_WINDOW } from './capture.ts'
import {
  type Attempt,
  type DeckWork,
  describeSteps,
  inAttempt,
  newAttempt,
  type PrintContext,
  type Printed,
  renderDeck,
  toPrintable,
  verifyFits,
  WAITING_FOR_MARP,
} from './deck-work.ts'
import type { DeckJob } from './jobs.ts'

// One deck in the browser: the fit check (from the cache or measured, with repairs), the PDF and
// the handout printed from tabs, screenshots from the capture window (capture.ts).

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
  const overflows = await fitSlides(work.slides, replanner(work.job), cache, themeHash)
  // A deck that started from a hint in an earlier build has only its hinted slides in the cache.
  if (overflows || !startFromHint(work.slides, replanner(work.job), cache, themeHash)) return overflows
  return fitSlides(work.slides, replanner(work.job), cache, themeHash)
}

/** Starts a deck not yet measured where a deck like it ended its fit, in this build or the one before (fit-hints.ts). */
export function takeHint(work: DeckWork, { fitCache, theme }: Pick<PrintContext, 'fitCache' | 'theme'>): void {
  startFromHint(work.slides, replanner(work.job), fitCache, theme.hash)
}

/** Whether the deck needs the browser at all once its fit is known. */
export function needsBrowser(job: DeckJob): boolean {
  return job.formats.some((f) => PAGE_FORMATS.includes(f) || f === 'handout')
}

/**
 * Checks that every slide fits, from the cache or measured in the browser, repairs overflowing
 * slides (continuation slides, then denser type), then prints the PDF and the handout from the
 * final slides.
 */
export async function fitAndPrint(work: DeckWork, context: PrintContext): Promise<Printed> {
  const tabs = attemptTabs(work.attempt, context)
  const handoutModule = work.job.formats.includes('handout') ? import('../browser/handout.ts') : undefined
  const deckTab = new DeckTab(work, context, tabs)
  let succeeded = false
  takeHint(work, context)
  try {
    const overflows = await fitSlides(work.slides, replanner(work.job), context.fitCache, context.theme.hash, deckTab.measurer())
    work.fitted.resolve()
    verifyFits(work, overflows)
    // The handout prints in a tab of its own while this one prints the deck.
    const handout = handoutModule && printHandout(work, context, tabs, handoutModule)
    const [handoutPdf, printed] = await Promise.all([handout, printDeck(work, context, deckTab, tabs.attempt)])
    succeeded = true
    return { ...printed, handout: handoutPdf }
  } finally {
    if (deckTab.page) await tabs.release('deck', deckTab.page, succeeded)
  }
}

type Tabs = ReturnType<typeof attemptTabs>

/** Tabs for one try: a tab that arrives after the try was given up is closed, not kept by a try no one waits for. */
function attemptTabs(attempt: Attempt, { browser }: PrintContext) {
  return {
    attempt,
    step: <T>(name: string, run: () => Promise<T>) => inAttempt(attempt, name, run),
    async acquire(kind: PageKind): Promise<Page> {
      const page = await browser.acquire(kind)
      if (attempt.abandoned) void page.close().catch(() => undefined)
      else attempt.pages.add(page)
      return page
    },
    async release(kind: PageKind, page: Page, clean: boolean): Promise<void> {
      attempt.pages.delete(page)
      await browser.release(kind, page, clean && !attempt.abandoned)
    },
  }
}

/** The deck's own tab: loaded with the slides as they stand, measured, then printed. */
class DeckTab {
  page?: Page
  /** The HTML and Markdown loaded last. */
  html = ''
  loaded = ''

  constructor(
    private readonly work: DeckWork,
    private readonly context: PrintContext,
    private readonly tabs: Tabs,
  ) {}

  /** Loads the slides as they stand; the time counts as `stage`. */
  async load(stage: Stage): Promise<{ page: Page; printable: render.PrintableDeck }> {
    const { work, context, tabs } = this
    const acquiring = this.page ? Promise.resolve(this.page) : tabs.step('opening a tab', () => tabs.acquire('deck'))
    // A failure to open the page is reported below, after the render.
    acquiring.catch(() => undefined)
    const printable = toPrintable(work)
    const html = render.printableHtml(printable, await tabs.step(WAITING_FOR_MARP, () => renderDeck(work, context)))
    const page = await acquiring
    this.page = page
    await profiler().time(stage, work.label, () =>
      tabs.step('loading the deck', () => render.loadIsolated(page, html, `${printable.label}: the deck`, context.theme.fonts)),
    )
    this.html = html
    this.loaded = work.slides.markdown
    return { page, printable }
  }

  /** Measures for the fit check: the first round is the measurement, later ones a repair (re-render) or larger type (fill). */
  measurer(): () => Promise<Measured> {
    let round = 0
    let overflowed = false
    return async () => {
      const stage: Stage = round++ === 0 ? 'fit measurement' : overflowed ? 'fit re-render' : 'fill'
      const { page, printable } = await this.load(stage === 'fit measurement' ? 'page load' : stage)
      const measured = await profiler().time(stage, this.work.label, () => this.tabs.step('measuring the slides', () => render.measureSlides(page, printable)))
      overflowed = measured.overflows.length > 0
      return measured
    }
  }

  /** The tab with the final slides loaded. */
  async final(): Promise<Page> {
    if (this.page && this.loaded === this.work.slides.markdown) return this.page
    return (await this.load('page load')).page
  }
}

/** The handout, laid out and printed in a tab of its own. */
async function printHandout(work: DeckWork, context: PrintContext, tabs: Tabs, module: Promise<typeof import('../browser/handout.ts')>): Promise<Uint8Array> {
  const { renderHandout, toHandoutSlide } = await module
  const input = handoutInput(work, context.theme, await renderDeck(work, context), toHandoutSlide)
  const page = await tabs.step('opening a tab for the handout', () => tabs.acquire('handout'))
  let clean = false
  try {
    const pdf = await tabs.step('printing the handout', async () => renderHandout((await context.browser.get()).browser, input, page))
    clean = true
    return pdf
  } finally {
    await tabs.release('handout', page, clean)
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

// --- internal ---

function replanner(job: DeckJob) {
  return (tuning: FitState['tuning']) => {
    const deck = planDeck(job.essay, job.storyboard, job.office, tuning)
    return { deck, markdown: job.renderMarkdown(deck) }
  }
}

/**
 * The PDF from the tab that holds the deck after the fit check; the catalogue's thumbnail, slide
 * images and overview from the capture window (capture.ts).
 */
async function printDeck(work: DeckWork, context: PrintContext, deckTab: DeckTab, attempt: Attempt): Promise<Printed> {
  const { job } = work
  if (!job.formats.some((f) => PAGE_FORMATS.includes(f))) return {}
  const deckPage = await deckTab.final()
  // The catalogue waits for thumbnails, the office's outputs do not.
  const thumbnail = captureThumbnail(work, context)
  const images = job.formats.includes('png') || job.formats.includes('overview') ? captureSlides(work, attempt, context) : undefined
  // Awaited below; if the PDF fails first, this keeps its failure from counting as unhandled.
  images?.catch(() => undefined)
  const pdf = job.formats.includes('pdf') ? await printPdf(work, attempt, deckPage, deckTab.html) : undefined
  return { pdf, thumbnail, ...(await images) }
}

async function printPdf(work: DeckWork, attempt: Attempt, page: Page, html: string): Promise<Uint8Array> {
  const { job } = work
  const { width, height } = render.SLIDE_SIZES[job.office.aspect]
  const size = { width: `${width}px`, height: `${height}px` }
  const { finalizePdf } = await import('../browser/pdf.ts')
  await profiler().page('deck', work.label, size, () => html)
  const printed = await profiler().time('deck print', work.label, () =>
    inAttempt(attempt, 'printing the PDF', () => page.pdf({ ...size, printBackground: true, preferCSSPageSize: true, tagged: true })),
  )
  const outline = work.slides.deck.slides.map((s) => s.title)
  const info = { title: job.essay.meta.title, author: job.essay.meta.author, subject: job.office.name, lang: job.essay.meta.lang, date: job.sourceDate }
  return profiler().time('PDF finishing', work.label, () => finalizePdf(printed, { ...info, outline, expectedPages: outline.length }, work.label))
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
