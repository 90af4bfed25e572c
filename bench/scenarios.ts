import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { BenchBrowser, BrowserKind } from './browsers.ts'
import { modeLabel } from './browsers.ts'
import { countPdfPages, describeMarp, listMarkdown, type MarkdownDeck, marpEnv, runMarpLoop, verifyMarpOutputs, writeComposedTheme } from './marp.ts'
import { type BuildCapabilities, describe, ortug, verifyBuild } from './ortug.ts'
import { editOffice } from './project.ts'
import type { RunRecord, Scenario } from './report.ts'

// Scenarios (a) to (f) on a copy of the repository's project: the marp-cli loop and the cold
// build with each browser, then unchanged, one office changed and no handouts with the main one.

export interface Options {
  runs: number
  /** Runs of the marp-cli loop (a), which takes minutes per run. */
  loopRuns: number
  quick: boolean
  skipNational: boolean
  keep: boolean
  /** Browser kinds asked for with --kinds; undefined means every kind that resolves. */
  kinds?: BrowserKind[]
  extraBrowsers: string[]
}

export interface Context {
  options: Options
  tmp: string
  /** Copy of content/ and templates/: the cwd of every ortug command. */
  project: string
  offices: string[]
  slugs: string[]
  capabilities: BuildCapabilities
  /** The browser of the scenarios run once: installed when available, else bundled. */
  main: BenchBrowser
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`)
}

/** `--office a,b,c` in quick mode; nothing (= every office) otherwise. */
function selection(ctx: Context): string[] {
  return ctx.options.quick ? ['--office', ctx.offices.join(',')] : []
}

export function force(ctx: Context): string[] {
  return ctx.capabilities.force ? ['--force'] : []
}

export async function repeat(key: string, runs: number, run: (i: number) => Promise<RunRecord>): Promise<RunRecord[]> {
  const records: RunRecord[] = []
  for (let i = 1; i <= runs; i++) {
    const record = await run(i)
    log(
      `(${key}) run ${i}/${runs}: ${record.seconds.toFixed(2)} s, peak tree RSS ${(record.peakTreeRssBytes / 2 ** 20).toFixed(0)} MiB${record.peakTreePssBytes ? `, PSS ${(record.peakTreePssBytes / 2 ** 20).toFixed(0)} MiB` : ''}`,
    )
    records.push(record)
  }
  return records
}

/** "installed (new headless)", "--browser-path chromium-headless-shell (headless shell)". */
export function browserLabel(browser: BenchBrowser): string {
  const what = browser.args.length > 0 ? `--browser-path ${path.basename(browser.choice.executablePath)}` : browser.name
  return `${what} (${modeLabel(browser.choice)})`
}

export interface Markdown {
  decks: MarkdownDeck[]
  theme: string
}

/** The Markdown and composed theme the marp-cli loop works on, written once for every browser. */
export async function prepareMarkdown(ctx: Context): Promise<Markdown> {
  const mdDir = path.join(ctx.tmp, 'a-markdown')
  const args = ['build', '--format', 'md', '--out', mdDir, ...force(ctx), ...selection(ctx)]
  await ortug('(a) ortug build --format md', ctx.project, args, ctx.main.env)
  return { decks: await listMarkdown(mdDir, ctx.offices), theme: await writeComposedTheme(ctx.project, path.join(ctx.tmp, 'ortug.css')) }
}

/** (a) marp-cli once per deck per format, on the Markdown ortug writes, with `browser`. */
export async function benchMarp(ctx: Context, markdown: Markdown, browser: BenchBrowser): Promise<Scenario & { pdfPages: number }> {
  const key = `a-${browser.name}`
  const env = marpEnv(browser.choice)
  let pdfPages = 0
  const runs = await repeat(key, ctx.options.loopRuns, async (i) => {
    const outDir = path.join(ctx.tmp, `${key}-run-${i}`)
    await mkdir(outDir, { recursive: true })
    const record = await runMarpLoop(`(${key}) run ${i}`, markdown.decks, markdown.theme, outDir, env)
    pdfPages = await verifyMarpOutputs(markdown.decks, outDir)
    return record
  })
  return {
    key,
    label: 'marp-cli loop (html + pdf)',
    browser: browserLabel(browser),
    offices: ctx.offices.length,
    command: describeMarp(browser.choice, markdown.theme),
    runs,
    pdfPages,
  }
}

export interface ColdBuild {
  scenario: Scenario
  /** The last run's folder, for (c) and (d). */
  outDir: string
  /** The stage timer's trace of the last run, and the pages it printed (for the floor). */
  profile: { trace: string; pages: string }
  /** Output kinds found, e.g. ".md", ".pdf", "-handout.pdf". */
  kinds: string[]
  pdfPages?: number
}

/** (b) a cold build of every office with `browser`, each run into a fresh folder. */
export async function benchCold(ctx: Context, browser: BenchBrowser): Promise<ColdBuild> {
  const key = `b-${browser.name}`
  let outDir = ''
  let kinds: string[] = []
  const args = (dir: string) => ['build', '--out', dir, ...force(ctx), ...selection(ctx), ...browser.args]
  const runs = await repeat(key, ctx.options.runs, async (i) => {
    outDir = path.join(ctx.tmp, `${key}-run-${i}`)
    const trace = path.join(ctx.tmp, `${key}-run-${i}.trace.jsonl`)
    const record = await ortug(`(${key}) run ${i}`, ctx.project, args(outDir), { ...browser.env, ORTUG_PROFILE: trace })
    kinds = await verifyBuild(outDir, ctx.offices, ctx.slugs)
    return { ...record, trace }
  })
  // Keeping the printed pages costs the build time (a handout's laid-out page is read back from
  // the browser): they come from one more build, not timed, for the floor.
  const profile = { trace: path.join(ctx.tmp, `${key}-pages.trace.jsonl`), pages: path.join(ctx.tmp, `${key}-pages`) }
  const pagesEnv = { ...browser.env, ORTUG_PROFILE: profile.trace, ORTUG_PROFILE_PAGES: profile.pages }
  await ortug(`(${key}) the pages for the floor`, ctx.project, args(path.join(ctx.tmp, `${key}-pages-out`)), pagesEnv)
  log(`(${key}) one more build, not timed, kept the pages it printed for the floor`)
  const pdfPages = kinds.includes('.pdf') ? await ortugPdfPages(ctx, outDir) : undefined
  const command = `${browser.envPrefix}${describe(args('<fresh dir>'))}`
  return {
    scenario: { key, label: 'ortug build, cold', browser: browserLabel(browser), offices: ctx.offices.length, command, runs },
    outDir,
    profile,
    kinds,
    pdfPages,
  }
}

/** Cross-check: ortug's own PDFs have as many pages as marp-cli's. */
async function ortugPdfPages(ctx: Context, outDir: string): Promise<number> {
  let pages = 0
  for (const office of ctx.offices) for (const slug of ctx.slugs) pages += await countPdfPages(path.join(outDir, office, `${slug}.pdf`))
  return pages
}

/** (f) the cold build without handouts: (b) − (f) is what handouts cost. */
export async function benchColdWithoutHandouts(ctx: Context): Promise<Scenario> {
  const args = (dir: string) => ['build', '--format', 'md,html,pdf', '--out', dir, ...force(ctx), ...selection(ctx)]
  const runs = await repeat('f', ctx.options.runs, (i) => ortug(`(f) run ${i}`, ctx.project, args(path.join(ctx.tmp, `f-run-${i}`)), ctx.main.env))
  const label = 'ortug build, cold, without handouts'
  return {
    key: 'f',
    label,
    browser: browserLabel(ctx.main),
    offices: ctx.offices.length,
    command: `${ctx.main.envPrefix}${describe(args('<fresh dir>'))}`,
    runs,
  }
}

/** (p) the cold build of (f) with the native PowerPoint deck too: (p) − (f) is what PPTX costs. */
export async function benchColdWithPptx(ctx: Context): Promise<Scenario> {
  const args = (dir: string) => ['build', '--format', 'md,html,pdf,pptx', '--out', dir, ...force(ctx), ...selection(ctx)]
  const runs = await repeat('p', ctx.options.runs, (i) => ortug(`(p) run ${i}`, ctx.project, args(path.join(ctx.tmp, `p-run-${i}`)), ctx.main.env))
  return {
    key: 'p',
    label: 'ortug build, cold, without handouts, with pptx',
    browser: browserLabel(ctx.main),
    offices: ctx.offices.length,
    command: `${ctx.main.envPrefix}${describe(args('<fresh dir>'))}`,
    runs,
  }
}

/** (c) the main browser's cold build again into the same folder, nothing changed. */
export async function benchUnchanged(ctx: Context, outDir: string): Promise<Scenario> {
  return benchRebuild(ctx, outDir, { key: 'c', label: 'ortug build, nothing changed' })
}

/** (d) the same build after renaming one office; checks that its Markdown has the new name. */
export async function benchOneOffice(ctx: Context, outDir: string, kinds: readonly string[]): Promise<Scenario & { changedOffice: string }> {
  const office = ctx.offices[0] as string
  const change = async (i: number) => {
    const name = await editOffice(ctx.project, office, String(i))
    return async () => {
      if (kinds.includes('.md')) await expectInMarkdown(path.join(outDir, office), ctx.slugs, name)
    }
  }
  const scenario = await benchRebuild(ctx, outDir, { key: 'd', label: 'ortug build, one office changed', note: `(rename ${office}) `, change })
  return { ...scenario, changedOffice: office }
}

/** The main browser's build into the folder of its cold build, after `change` (which returns a check of the result). */
async function benchRebuild(
  ctx: Context,
  outDir: string,
  scenario: { key: string; label: string; note?: string; change?: (run: number) => Promise<() => Promise<void>> },
): Promise<Scenario> {
  const args = ['build', '--out', outDir, ...selection(ctx)]
  const runs = await repeat(scenario.key, ctx.options.runs, async (i) => {
    const verifyChange = await scenario.change?.(i)
    const trace = path.join(ctx.tmp, `${scenario.key}-run-${i}.trace.jsonl`)
    const record = await ortug(`(${scenario.key}) run ${i}`, ctx.project, args, { ...ctx.main.env, ORTUG_PROFILE: trace })
    await verifyBuild(outDir, ctx.offices, ctx.slugs)
    await verifyChange?.()
    return { ...record, trace }
  })
  return {
    key: scenario.key,
    label: scenario.label,
    browser: browserLabel(ctx.main),
    offices: ctx.offices.length,
    command: `${scenario.note ?? ''}${ctx.main.envPrefix}${describe(['build', '--out', `<dir of b-${ctx.main.name}>`, ...selection(ctx)])}`,
    runs,
  }
}

async function expectInMarkdown(dir: string, slugs: readonly string[], text: string): Promise<void> {
  for (const slug of slugs) {
    const markdown = await readFile(path.join(dir, `${slug}.md`), 'utf8')
    if (!markdown.includes(text)) throw new Error(`${dir}/${slug}.md was not rebuilt after the office changed: "${text}" is missing`)
  }
}
