import type { Page } from 'puppeteer-core'
import { OrtugError } from '../shared/error.ts'
import { profiler } from '../shared/profile.ts'
import { BrowserUnusable, withTimeout } from '../shared/tasks.ts'
import { describeBrowser, type LaunchedBrowser } from './launch.ts'

// The build's one browser and its pages. Work that any tab can do (loading, measuring, printing
// PDFs) runs in pooled tabs, several at once. Screenshots run one at a time in a window of their
// own: in the new headless mode of an installed Chrome or Edge, only the front tab of a window is
// composited, so a screenshot of a background tab may never be answered
// (https://github.com/puppeteer/puppeteer/issues/10109), and a window per tab makes the browser
// composite every page it loads (a one-off run: a 28-office build took 17.5 s instead of 9.2 s).

/** Deck pages and handout pages are pooled apart: a handout page is left in print media. */
export type PageKind = 'deck' | 'handout'

export interface BrowserPages {
  /** The browser, launched on first use. */
  get(): Promise<LaunchedBrowser>
  /** Launches the browser now and opens pages for the pools, without waiting. */
  warm(pages: Record<PageKind, number>): void
  /** A tab of this kind from the pool, or a new one: opening a page costs about 80 ms. */
  acquire(kind: PageKind): Promise<Page>
  /** Back to the pool after a clean use; after a failure a page is closed instead. */
  release(kind: PageKind, page: Page, clean: boolean): Promise<void>
  /** Runs `work` on the capture window, one at a time: the only page screenshots are taken of. */
  capture<T>(work: (page: Page) => Promise<T>): Promise<T>
  /** "Chrome/156… (new headless) at /usr/bin/chromium, installed", or why there is none yet. */
  describe(): string
  /**
   * Gives up a stuck deck's tabs: each is closed within a couple of seconds, or else the whole
   * browser is replaced (a tab that does not close is a browser that does not answer), unless
   * that browser was replaced already.
   */
  discard(pages: Iterable<Page>): Promise<void>
  /** Ends the browser at once; the next use launches a fresh one. */
  restart(): Promise<void>
  close(): Promise<void>
}

export interface BrowserPagesOptions {
  browserPath?: string
  /** Where CHROME_PATH and ORTUG_BROWSER are read from. */
  env?: NodeJS.ProcessEnv
  timeoutMs: number
  signal?: AbortSignal
}

/**
 * Renderers keep the documents pages printed until V8 collects garbage, which it does late:
 * a collection after every this many decks (about 0.1 s) keeps each renderer near 200 MB
 * instead of growing by a few MB a deck.
 */
const COLLECT_EVERY = 16

/** How long a stuck tab may take to close before the whole browser is replaced. */
const DISCARD_MS = 2000

/** The build's one browser, launched on first use (a build whose slides are all known needs none). */
export function openBrowserPages(options: BrowserPagesOptions): BrowserPages {
  return new PagePool(options)
}

const PAGE_KINDS = ['deck', 'handout'] as const

class PagePool implements BrowserPages {
  private launched: Promise<LaunchedBrowser> | undefined
  private ready: LaunchedBrowser | undefined
  private idle: Record<PageKind, Page[]> = { deck: [], handout: [] }
  /** Pages being opened by warm(): acquire() takes one of these before opening another. */
  private opening: Record<PageKind, Promise<Page | undefined>[]> = { deck: [], handout: [] }
  private releases = 0
  private captureWindow: Promise<Page> | undefined
  private captures: Promise<unknown> = Promise.resolve()

  constructor(private readonly options: BrowserPagesOptions) {}

  get(): Promise<LaunchedBrowser> {
    if (this.launched) return this.launched
    const launching: Promise<LaunchedBrowser> = this.launch().then((browser) => {
      // A browser replaced (restart) while it was starting is not the one to describe.
      if (this.launched === launching) this.ready = browser
      return browser
    })
    this.launched = launching
    return launching
  }

  async restart(): Promise<void> {
    const stuck = this.launched
    this.launched = undefined
    this.ready = undefined
    this.captureWindow = undefined
    this.idle = { deck: [], handout: [] }
    this.opening = { deck: [], handout: [] }
    const old = await stuck?.catch(() => undefined)
    old?.kill()
    await old?.close()
  }

  async discard(pages: Iterable<Page>): Promise<void> {
    const closing = [...pages]
    for (const kind of PAGE_KINDS) this.idle[kind] = this.idle[kind].filter((page) => !closing.includes(page))
    const closed = await Promise.all(closing.map(closeWithin))
    // A tab of a browser already replaced cannot close either: that says nothing of the one in use.
    if (closing.some((page, index) => !closed[index] && this.isOfCurrentBrowser(page))) await this.restart()
  }

  async acquire(kind: PageKind): Promise<Page> {
    for (;;) {
      const page = this.idle[kind].pop() ?? (await this.opening[kind].shift())
      if (!page) return this.newTab()
      if (this.isCurrent(page)) return page
    }
  }

  warm(pages: Record<PageKind, number>): void {
    this.get().catch(() => undefined)
    for (const kind of PAGE_KINDS) {
      // A page that fails to open is opened again, or the failure reported, by acquire().
      for (let i = 0; i < pages[kind]; i++) this.opening[kind].push(this.newTab().catch(() => undefined))
    }
  }

  async release(kind: PageKind, page: Page, clean: boolean): Promise<void> {
    // A deck given up on (--timeout) may let go of its page after the browser was replaced: a page of
    // the old browser must never serve another deck ("Attempted to use detached Frame").
    if (!clean || !this.isCurrent(page)) return void (await page.close().catch(() => undefined))
    if (++this.releases % COLLECT_EVERY === 0) {
      const session = await page.createCDPSession()
      await session.send('HeapProfiler.collectGarbage')
      await session.detach()
    }
    this.idle[kind].push(page)
  }

  capture<T>(work: (page: Page) => Promise<T>): Promise<T> {
    const result = this.captures.then(() => this.captureNow(work))
    this.captures = result.catch(() => undefined)
    return result
  }

  describe(): string {
    return this.ready ? describeBrowser(this.ready.choice, this.ready.version) : 'the browser (not started yet)'
  }

  async close(): Promise<void> {
    // Tabs still opening are waited for, so that none opens after the close; not for long, and not
    // at all in an interrupted run: its browser was killed (launch()), and a tab it was opening then
    // never opens (it held the build past its grace time, leaving staging and the lock behind).
    const opening = Promise.all(Object.values(this.opening).flat())
    if (!this.options.signal?.aborted) await withTimeout(opening, DISCARD_MS, () => 'tabs did not open').catch(() => undefined)
    await (await this.launched?.catch(() => undefined))?.close()
  }

  /** An open page of the browser in use now, not of one replaced by restart(). */
  private isCurrent(page: Page): boolean {
    return !page.isClosed() && this.isOfCurrentBrowser(page)
  }

  private isOfCurrentBrowser(page: Page): boolean {
    return this.ready !== undefined && page.browser() === this.ready.browser
  }

  private async launch(): Promise<LaunchedBrowser> {
    const { launchBrowser, resolveBrowser } = await import('./launch.ts')
    const browser = await resolveBrowser(this.options.browserPath, this.options.env)
      .then((choice) => profiler().time('browser start', undefined, () => launchBrowser(choice, this.options.timeoutMs)))
      .catch((error) => {
        throw error instanceof OrtugError ? new BrowserUnusable(error.message, error) : error
      })
    this.options.signal?.addEventListener('abort', browser.kill)
    return browser
  }

  /** A new tab lands in the window focused last, which may be the capture window: opened in the background it does not hide the capture page there (a hidden page draws no frames). */
  private async newTab(): Promise<Page> {
    const { browser, choice } = await this.get()
    return browser.newPage(choice.headless === 'new' ? { background: true } : undefined)
  }

  private async captureNow<T>(work: (page: Page) => Promise<T>): Promise<T> {
    this.captureWindow ??= this.get().then(({ browser, choice }) => (choice.headless === 'new' ? browser.newPage({ type: 'window' }) : browser.newPage()))
    const window = this.captureWindow
    const page = await window.catch((error) => {
      this.captureWindow = undefined
      throw error
    })
    try {
      return await work(page)
    } catch (error) {
      // A capture that failed (a timeout) may have left the window stuck: the next one gets a new window.
      if (this.captureWindow === window) {
        this.captureWindow = undefined
        if (!(await closeWithin(page))) await this.restart()
      }
      throw error
    }
  }
}

function closeWithin(page: Page): Promise<boolean> {
  return withTimeout(page.close(), DISCARD_MS, () => 'a stuck tab did not close').then(
    () => true,
    () => false,
  )
}
