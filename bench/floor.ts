import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Page } from 'puppeteer-core'
import { launchBrowser } from '../src/browser/launch.ts'
import { loadIsolated } from '../src/browser/page.ts'
import { loadFontFaceCss } from '../src/render/theme.ts'
import { type PageRecord, readTrace } from '../src/shared/profile.ts'
import { defaultJobs, runPool } from '../src/shared/tasks.ts'
import type { BenchBrowser } from './browsers.ts'
import { cpuSince, readCpu } from './process.ts'
import type { RunRecord, Scenario } from './report.ts'
import { browserLabel, type Context, repeat } from './scenarios.ts'

// The floor: the least a build of these PDFs can cost on this machine with this browser. The pages
// a cold build printed (kept with ORTUG_PROFILE_PAGES by one more build, not timed: each deck's page as loaded, each handout's
// as laid out) are printed again with the same browser, launched as ortug launches it, and the
// same parallelism (--jobs decks at once, each deck's PDF beside its handout, tabs reused), and
// nothing else: no Marp, no fit check, no finishing, no files. Timed in this process, from the
// launch to the browser's close.

interface KeptPage {
  kind: PageRecord['page']
  html: string
  pdf: PageRecord['pdf']
}

/** The pages of a build, as pairs: a deck's page and its handout's (in the order they were printed). */
export async function readKeptPages(traceFile: string, pagesDir: string): Promise<{ decks: KeptPage[]; handouts: KeptPage[] }> {
  const { pages } = readTrace(await readFile(traceFile, 'utf8'))
  const load = async (record: PageRecord) => ({ kind: record.page, html: await readFile(path.join(pagesDir, record.file), 'utf8'), pdf: record.pdf })
  return {
    decks: await Promise.all(pages.filter((p) => p.page === 'deck').map(load)),
    handouts: await Promise.all(pages.filter((p) => p.page === 'handout').map(load)),
  }
}

/** (floor-K): the kept pages printed alone, --runs times. */
export async function benchFloor(ctx: Context, browser: BenchBrowser, traceFile: string, pagesDir: string): Promise<Scenario> {
  const key = `floor-${browser.name}`
  const pages = await readKeptPages(traceFile, pagesDir)
  if (pages.decks.length === 0) throw new Error(`(${key}) the cold build kept no pages in ${pagesDir}`)
  const runs = await repeat(key, ctx.options.runs, () => printAlone(browser, pages, defaultJobs()))
  return {
    key,
    label: `floor: ${pages.decks.length} decks' and ${pages.handouts.length} handouts' pages printed alone`,
    browser: browserLabel(browser),
    offices: ctx.offices.length,
    command: `(in the bench process, RSS not sampled) the pages one more b-${browser.name} build printed, ${defaultJobs()} decks at once`,
    runs,
  }
}

async function printAlone(browser: BenchBrowser, pages: { decks: KeptPage[]; handouts: KeptPage[] }, jobs: number): Promise<RunRecord> {
  const cpu = readCpu()
  const fonts = await loadFontFaceCss()
  const started = performance.now()
  const launched = await launchBrowser(browser.choice, 120_000)
  try {
    const idle: Page[] = []
    const tab = async () => idle.pop() ?? (await launched.browser.newPage(browser.choice.headless === 'new' ? { background: true } : undefined))
    const print = async (page: KeptPage | undefined) => {
      if (!page) return
      const own = await tab()
      // Loaded as the build loads its pages: the tab keeps the theme's fonts from one page to the next.
      await loadIsolated(own, page.html, `the kept ${page.kind} page`, fonts)
      // As print.ts prints a deck and handout.ts a handout.
      const layout = page.kind === 'deck' ? { preferCSSPageSize: true } : { margin: { top: 0, right: 0, bottom: 0, left: 0 } }
      await own.pdf({ ...page.pdf, ...layout, printBackground: true, tagged: true })
      idle.push(own)
    }
    const indexes = pages.decks.map((_, i) => i)
    await runPool(indexes, jobs, async (i) => void (await Promise.all([print(pages.decks[i]), print(pages.handouts[i])])))
  } finally {
    await launched.close()
  }
  const seconds = (performance.now() - started) / 1000
  return { seconds, peakTreeRssBytes: 0, peakProcesses: 0, commands: 0, cpu: cpuSince(cpu) }
}
