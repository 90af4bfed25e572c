import path from 'node:path'
import { openBrowserPages } from '../browser/pages.ts'
import type { FitCache } from '../plan/fit.ts'
import { convertInTime, type MarpWorker } from '../render/marp.ts'
import { planTimings } from '../render/presenter.ts'
import type { Theme } from '../render/theme.ts'
import type { Logger } from '../shared/log.ts'
import { profiler } from '../shared/profile.ts'
import { asOfficeFault, checkAborted, endsRun, runPool } from '../shared/tasks.ts'
import type { Overflow } from '../shared/types.ts'
import { aheadOfTurn, batchByOffice, groupByOffice } from './batches.ts'
import { type DeckWork, type PrintContext, type Printed, renderDeck, verifyFits } from './deck-work.ts'
import { baseOf, type FinishedDeck, finish } from './finish.ts'
import type { DeckJob } from './jobs.ts'
import { createPrinter, fitFromCache, needsBrowser, startDeck, takeHint } from './print.ts'

// The stages every command shares, for a list of deck jobs: the fit check and printing in the
// build's browser, HTML from marp-cli, the native PPTX from the fitted slides, office by office. `ortug build` writes what comes
// out, `ortug check` only looks at the failures, `ortug preview` serves the HTML.

export interface PipelineOptions {
  marp: MarpWorker
  theme: Theme
  fitCache: FitCache
  /** Measure in the browser what the fit cache does not know (build, check); the preview shows slides as planned. */
  fit: boolean
  /** Decks in the browser at once. */
  jobs: number
  /** Go on with an office's other decks after one failed (check lists every problem); a build stops that office. */
  keepGoing?: boolean
  timeoutMs: number
  /** Where marp-cli reads and writes (a folder of its own per batch is made inside). */
  workDir: string
  browserPath?: string
  env?: NodeJS.ProcessEnv
  signal?: AbortSignal
  logger: Logger
}

export type { FinishedDeck } from './finish.ts'

export interface PipelineHooks {
  /** A deck or an office failed; throwing ends the whole run. */
  onFailure(office: string, error: unknown): void
  /** Every deck of an office is done; an office with a failure is not passed on. */
  onOffice(office: string, decks: readonly FinishedDeck[]): Promise<void>
  /**
   * Takes the browser's closing (which never rejects) instead of waiting for it, so that the
   * caller's last steps run meanwhile; the caller then waits for it. Without it, or when the run
   * throws (nothing of the caller's is left to overlap), the run waits.
   */
  onBrowserClosing?(closing: Promise<void>): void
}

/** Decks per batch: enough to keep marp-cli's per-call start-up small, few enough to bound memory. */
export const BATCH_DECKS = 48

/** Runs the jobs through the browser and Marp in batches of whole offices, handing each office over when done. */
export async function runPipeline(jobs: readonly DeckJob[], options: PipelineOptions, hooks: PipelineHooks): Promise<void> {
  const run = new PipelineRun(options, hooks)
  // One batch hands over (its last thumbnails, the commits) while the next prints: the browser
  // is not left idle between batches. Hand-overs run one at a time, in order.
  let handingOver: Promise<void> = Promise.resolve()
  try {
    const works = await run.start(jobs)
    for (const [number, batch] of batchByOffice(works, BATCH_DECKS).entries()) {
      const handOver = await run.printBatch(batch, number + 1, works.length)
      await handingOver
      handingOver = handOver()
      // A hand-over that fails ends the run: the batch printing meanwhile stops taking decks.
      handingOver.catch(() => (run.stopping = true))
    }
    await handingOver
  } catch (error) {
    run.stopping = true
    // Nothing may still be writing when the caller cleans up after a failed run.
    await handingOver.catch(() => undefined)
    throw error
  } finally {
    // Closing a full Chrome takes about 0.3 s: the caller may go on with what needs no browser.
    const closing = run.browser.close().catch(() => undefined)
    if (hooks.onBrowserClosing && !run.stopping) hooks.onBrowserClosing(closing)
    else await closing
  }
}

/** One run's state: which offices failed, which decks need the browser, what the fit cache settled. */
class PipelineRun {
  readonly browser
  stopping = false
  private readonly failed = new Set<string>()
  private readonly inBrowser = new Set<DeckWork>()
  private readonly known = new Map<DeckWork, Overflow[]>()
  private readonly context: PrintContext
  private readonly printer
  private done = 0

  constructor(
    private readonly options: PipelineOptions,
    private readonly hooks: PipelineHooks,
  ) {
    this.browser = openBrowserPages(options)
    const isWanted = (work: DeckWork) => !this.stopping && !options.signal?.aborted && !this.failed.has(work.job.office.id)
    this.context = { ...options, browser: this.browser, warn: options.logger.warn, isWanted }
    this.printer = createPrinter(this.context)
  }

  /**
   * Each deck's first plan, and what the fit cache knows: that settles many decks at once. A deck
   * that fails here (a template error) fails its office, not the run. The browser starts now if
   * any deck needs it, and opens the tabs the first decks will use.
   */
  async start(jobs: readonly DeckJob[]): Promise<DeckWork[]> {
    const { options } = this
    const endPlanning = profiler().start('reading and planning')
    const works: DeckWork[] = []
    for (const job of jobs) {
      if (this.skipped(job.office.id)) continue
      try {
        const work = startDeck(job)
        const overflows = options.fit ? await fitFromCache(work, options.fitCache, options.theme.hash) : []
        if (overflows) {
          this.known.set(work, overflows)
          // Fitted from the cache: its slides are final now, and marp-cli may convert it at once.
          work.fitted.resolve()
        }
        if (!overflows || needsBrowser(work.job)) this.inBrowser.add(work)
        works.push(work)
      } catch (error) {
        this.fail(job.office.id, error)
      }
    }
    endPlanning()
    const handouts = works.filter((work) => work.job.formats.includes('handout')).length
    if (this.inBrowser.size > 0) this.browser.warm({ deck: Math.min(this.inBrowser.size, options.jobs), handout: Math.min(handouts, options.jobs) })
    return works
  }

  /** Prints a batch and waits for its HTML; returns its hand-over, which the caller starts once the batch before is handed over. */
  async printBatch(batch: readonly DeckWork[], number: number, total: number): Promise<() => Promise<void>> {
    // marp-cli's HTML starts at once.
    const marpOutputs = this.convert(batch, number)
    // Handled below; this keeps an early rejection from counting as unhandled meanwhile.
    marpOutputs.catch(() => undefined)
    let printed: Map<DeckWork, Printed>
    try {
      printed = await this.print(batch, total)
    } finally {
      // marp-cli works in workDir: it must be done before the caller removes that.
      for (const work of batch) work.fitted.resolve()
      await marpOutputs.catch(() => undefined)
    }
    this.options.logger.done()
    checkAborted(this.options.signal)
    const converted = await this.converted(batch, marpOutputs)
    return () => this.handOver(batch, printed, converted)
  }

  private convert(batch: readonly DeckWork[], number: number): ReturnType<typeof convertInTime> {
    const { options } = this
    const decks = batch.map((work) => ({
      base: baseOf(work),
      office: work.job.office.id,
      formats: work.job.formats,
      markdown: () => work.slides.markdown,
      timings: () => planTimings(work.slides.deck.slides),
      fitted: work.fitted.promise,
    }))
    return convertInTime(timedConversions(options.marp), decks, {
      workDir: path.join(options.workDir, `marp-${number}`),
      themeCss: options.theme.css,
      fontCss: options.theme.fonts,
      failed: (office) => this.failed.has(office),
      timeoutMs: options.timeoutMs,
    })
  }

  /** Fit and print each deck in the pool; decks that failed for the browser are tried again alone once the others are done (print.ts). */
  private async print(batch: readonly DeckWork[], total: number): Promise<Map<DeckWork, Printed>> {
    const printed = new Map<DeckWork, Printed>()
    const suspects: DeckWork[] = []
    // Marp's process renders one deck at a time: asked for a whole batch's first renders at once, it
    // would keep a deck's later renders (its fit rounds) waiting behind them. So each deck's first
    // render is asked for as many decks ahead as are in the browser at once (aheadOfTurn).
    const renderAhead = aheadOfTurn(
      batch.filter((work) => this.inBrowser.has(work)),
      this.options.jobs,
      (work) => {
        if (this.options.fit) takeHint(work, this.context)
        void renderDeck(work, this.context).catch(() => undefined)
      },
    )
    await runPool(batch, this.options.jobs, async (work) => {
      renderAhead(work)
      checkAborted(this.options.signal)
      if (this.skipped(work.job.office.id)) return work.fitted.resolve()
      let suspect = false
      await this.settle(work, async () => {
        if (!this.inBrowser.has(work)) return verifyFits(work, this.known.get(work))
        const result = await this.printer.inPool(work)
        if (result) printed.set(work, result)
        else suspect = true
      })
      if (suspect) return void suspects.push(work)
      work.fitted.resolve()
      this.progress(work, total)
    })
    if (suspects.length > 0) await this.printer.restart()
    for (const work of suspects) {
      checkAborted(this.options.signal)
      if (!this.failed.has(work.job.office.id)) await this.settle(work, async () => void printed.set(work, await this.printer.alone(work)))
      work.fitted.resolve()
      this.progress(work, total)
    }
    return printed
  }

  private converted(batch: readonly DeckWork[], marpOutputs: ReturnType<typeof convertInTime>): Promise<ReadonlyMap<string, Uint8Array>> {
    return marpOutputs.then(
      ({ outputs, failures }) => {
        for (const [office, error] of failures) this.fail(office, asOfficeFault(error))
        return outputs
      },
      (error) => {
        for (const work of batch) this.fail(work.job.office.id, error)
        return new Map<string, Uint8Array>()
      },
    )
  }

  /** Hands each office of the batch over whole, then lets go of the batch's renders. */
  private async handOver(batch: readonly DeckWork[], printed: ReadonlyMap<DeckWork, Printed>, converted: ReadonlyMap<string, Uint8Array>): Promise<void> {
    const thumbnails: Promise<unknown>[] = []
    for (const [office, decks] of groupByOffice(batch)) {
      if (this.failed.has(office)) continue
      checkAborted(this.options.signal)
      let finished: FinishedDeck[]
      try {
        finished = await Promise.all(decks.map((work) => finish(work, printed.get(work) ?? {}, converted, this.options.theme)))
      } catch (error) {
        if (endsRun(error)) throw error
        this.fail(office, error)
        continue
      }
      for (const { thumbnail } of finished) if (thumbnail) thumbnails.push(thumbnail)
      await this.hooks.onOffice(office, finished).catch((error) => this.fail(office, error))
    }
    // The capture window takes a batch's thumbnails while its last decks print; waiting for them
    // here keeps its queue, and the renders it holds, to one batch.
    await Promise.allSettled(thumbnails)
    // Once handed over, a deck's render is no longer needed in memory.
    for (const work of batch) work.rendered = undefined
  }

  /** A failure that ends the run is thrown; any other fails the deck's office. */
  private async settle(work: DeckWork, step: () => Promise<void>): Promise<void> {
    try {
      await step()
    } catch (error) {
      if (endsRun(error)) throw error
      this.fail(work.job.office.id, error)
    }
  }

  private fail(office: string, error: unknown): void {
    this.failed.add(office)
    this.hooks.onFailure(office, error)
  }

  private skipped(office: string): boolean {
    return this.failed.has(office) && !this.options.keepGoing
  }

  private progress(work: DeckWork, total: number): void {
    this.options.logger.progress(`[${++this.done}/${total}] ${work.label}`)
  }
}

// --- internal ---

/** marp-cli's conversions, timed for the profile (src/shared/profile.ts) when it is on. */
function timedConversions(marp: MarpWorker): MarpWorker {
  if (!profiler().on) return marp
  return { ...marp, convert: (decks, workDir, options) => profiler().time('marp-cli HTML', undefined, () => marp.convert(decks, workDir, options)) }
}
