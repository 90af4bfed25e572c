import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { type BrowserChoice, resolveBrowser } from '../src/browser.ts'
import { countPdfPages, describeMarp, listMarkdown, marpEnv, runMarpLoop, verifyMarpOutputs, writeComposedTheme } from './marp.ts'
import { type BuildCapabilities, buildCapabilities, describe, ortug, REPO, verifyBuild } from './ortug.ts'
import { copyProject, createSyntheticProject, editOffice, listEssays, listOffices, syntheticOffices } from './project.ts'
import { formatTable, type RunRecord, ratios, round, type Scenario, type ScenarioSummary, summarize } from './report.ts'

// `npm run bench`: marp-cli scripted by hand versus ortug build (cold, unchanged, one office
// changed) and a synthetic national build, all on throwaway copies of the project.

const NATIONAL = 552
const QUICK_OFFICES = 3
const QUICK_NATIONAL = 24
const USAGE = `usage: npm run bench -- [--runs N] [--quick] [--skip-national] [--keep]

  --runs N          runs per scenario; the median is reported (default 3)
  --quick           ${QUICK_OFFICES} offices and ${QUICK_NATIONAL} synthetic offices, for developing the benchmark
  --skip-national   skip (e), the ${NATIONAL} synthetic offices (takes minutes)
  --keep            keep the temporary folders and print where they are
`
const RESULTS_FILE = path.join(REPO, 'bench', 'results.json')

interface Options {
  runs: number
  quick: boolean
  skipNational: boolean
  keep: boolean
}

interface Context {
  options: Options
  tmp: string
  /** Copy of content/ and templates/: the cwd of every ortug command. */
  project: string
  offices: string[]
  slugs: string[]
  capabilities: BuildCapabilities
  browser: BrowserChoice
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string', default: '3' },
      quick: { type: 'boolean', default: false },
      'skip-national': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) return undefined
  const runs = Number(values.runs)
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive whole number, not "${values.runs}"`)
  return { runs, quick: values.quick, skipNational: values['skip-national'], keep: values.keep }
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`)
}

/** `--office a,b,c` in quick mode; nothing (= every office) otherwise. */
function selection(ctx: Context): string[] {
  return ctx.options.quick ? ['--office', ctx.offices.join(',')] : []
}

function force(ctx: Context): string[] {
  return ctx.capabilities.force ? ['--force'] : []
}

async function repeat(ctx: Context, key: string, run: (i: number) => Promise<RunRecord>): Promise<RunRecord[]> {
  const records: RunRecord[] = []
  for (let i = 1; i <= ctx.options.runs; i++) {
    const record = await run(i)
    log(`(${key}) run ${i}/${ctx.options.runs}: ${record.seconds.toFixed(2)} s, peak tree RSS ${(record.peakTreeRssBytes / 2 ** 20).toFixed(0)} MiB`)
    records.push(record)
  }
  return records
}

/** (a) marp-cli once per deck per format, on the Markdown ortug writes. */
async function benchMarp(ctx: Context): Promise<Scenario & { pdfPages: number }> {
  const mdDir = path.join(ctx.tmp, 'a-markdown')
  await ortug('(a) ortug build --format md', ctx.project, ['build', '--format', 'md', '--out', mdDir, ...force(ctx), ...selection(ctx)])
  const decks = await listMarkdown(mdDir, ctx.offices)
  const theme = await writeComposedTheme(ctx.project, path.join(ctx.tmp, 'ortug.css'))
  const env = marpEnv(ctx.browser)
  let pdfPages = 0
  const runs = await repeat(ctx, 'a', async (i) => {
    const outDir = path.join(ctx.tmp, `a-run-${i}`)
    await mkdir(outDir, { recursive: true })
    const record = await runMarpLoop(`(a) run ${i}`, decks, theme, outDir, env)
    pdfPages = await verifyMarpOutputs(decks, outDir)
    return record
  })
  return { key: 'a', label: 'marp-cli loop (html + pdf)', offices: ctx.offices.length, command: describeMarp(ctx.browser, theme), runs, pdfPages }
}

/** (b) a cold build of every office, each run into a fresh folder. Returns the last folder for (c) and (d). */
async function benchCold(ctx: Context): Promise<{ scenario: Scenario; outDir: string; kinds: string[] }> {
  let outDir = ''
  let kinds: string[] = []
  const args = (dir: string) => ['build', '--out', dir, ...force(ctx), ...selection(ctx)]
  const runs = await repeat(ctx, 'b', async (i) => {
    outDir = path.join(ctx.tmp, `b-run-${i}`)
    const record = await ortug(`(b) run ${i}`, ctx.project, args(outDir))
    kinds = await verifyBuild(outDir, ctx.offices, ctx.slugs)
    return record
  })
  return { scenario: { key: 'b', label: 'ortug build, cold', offices: ctx.offices.length, command: describe(args('<fresh dir>')), runs }, outDir, kinds }
}

/** (f) the cold build without handouts: (b) − (f) is what handouts cost. */
async function benchColdWithoutHandouts(ctx: Context): Promise<Scenario> {
  const args = (dir: string) => ['build', '--format', 'md,html,pdf', '--out', dir, ...force(ctx), ...selection(ctx)]
  const runs = await repeat(ctx, 'f', async (i) => ortug(`(f) run ${i}`, ctx.project, args(path.join(ctx.tmp, `f-run-${i}`))))
  return { key: 'f', label: 'ortug build, cold, without handouts', offices: ctx.offices.length, command: describe(args('<fresh dir>')), runs }
}

/** (c) the same build again into the same folder, nothing changed. */
async function benchUnchanged(ctx: Context, outDir: string): Promise<Scenario> {
  const args = ['build', '--out', outDir, ...selection(ctx)]
  const runs = await repeat(ctx, 'c', async (i) => {
    const record = await ortug(`(c) run ${i}`, ctx.project, args)
    await verifyBuild(outDir, ctx.offices, ctx.slugs)
    return record
  })
  return {
    key: 'c',
    label: 'ortug build, nothing changed',
    offices: ctx.offices.length,
    command: describe(['build', '--out', '<dir of b>', ...selection(ctx)]),
    runs,
  }
}

/** (d) the same build after renaming one office; checks that its Markdown has the new name. */
async function benchOneOffice(ctx: Context, outDir: string, kinds: readonly string[]): Promise<Scenario & { changedOffice: string }> {
  const office = ctx.offices[0]!
  const args = ['build', '--out', outDir, ...selection(ctx)]
  const runs = await repeat(ctx, 'd', async (i) => {
    const name = await editOffice(ctx.project, office, String(i))
    const record = await ortug(`(d) run ${i}`, ctx.project, args)
    await verifyBuild(outDir, ctx.offices, ctx.slugs)
    if (kinds.includes('.md')) await expectInMarkdown(path.join(outDir, office), ctx.slugs, name)
    return record
  })
  const label = 'ortug build, one office changed'
  return {
    key: 'd',
    label,
    offices: ctx.offices.length,
    command: `(rename ${office}) ${describe(['build', '--out', '<dir of b>', ...selection(ctx)])}`,
    runs,
    changedOffice: office,
  }
}

async function expectInMarkdown(dir: string, slugs: readonly string[], text: string): Promise<void> {
  for (const slug of slugs) {
    const markdown = await readFile(path.join(dir, `${slug}.md`), 'utf8')
    if (!markdown.includes(text)) throw new Error(`${dir}/${slug}.md was not rebuilt after the office changed: "${text}" is missing`)
  }
}

/** (e) a cold build of a synthetic national content set. */
async function benchNational(ctx: Context): Promise<Scenario> {
  const count = ctx.options.quick ? QUICK_NATIONAL : NATIONAL
  const project = await createSyntheticProject(REPO, path.join(ctx.tmp, 'national'), count)
  const offices = syntheticOffices(count).map((o) => o.id)
  const args = (dir: string) => ['build', '--out', dir, ...force(ctx)]
  const runs = await repeat(ctx, 'e', async (i) => {
    const outDir = path.join(ctx.tmp, `e-run-${i}`)
    const record = await ortug(`(e) run ${i}`, project, args(outDir))
    await verifyBuild(outDir, offices, ctx.slugs)
    return record
  })
  return { key: 'e', label: `ortug build, cold, ${count} synthetic offices`, offices: count, command: describe(args('<fresh dir>')), runs }
}

/** Cross-check: ortug's own PDFs have as many pages as marp-cli's. */
async function ortugPdfPages(outDir: string, ctx: Context): Promise<number> {
  let pages = 0
  for (const office of ctx.offices) for (const slug of ctx.slugs) pages += await countPdfPages(path.join(outDir, office, `${slug}.pdf`))
  return pages
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim()
  } catch {
    return ''
  }
}

async function machineFacts(browser: BrowserChoice) {
  const cpus = os.cpus()
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    availableParallelism: os.availableParallelism(),
    totalMemoryBytes: os.totalmem(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    runningAsRoot: process.getuid?.() === 0,
    browser: { path: browser.executablePath, source: browser.source, headless: browser.headless },
    marpCli: (JSON.parse(await readFile(path.join(REPO, 'node_modules', '@marp-team', 'marp-cli', 'package.json'), 'utf8')) as { version: string }).version,
    loadAverageAtStart: os.loadavg().map((l) => round(l)),
  }
}

/** Median seconds per office that handouts add to a cold build: ((b) − (f)) / offices. */
function handoutCost(summaries: readonly ScenarioSummary[]): number | undefined {
  const b = summaries.find((s) => s.key === 'b')
  const f = summaries.find((s) => s.key === 'f')
  return b && f ? round((b.medianSeconds - f.medianSeconds) / b.offices, 3) : undefined
}

function printReport(summaries: ScenarioSummary[], ratioValues: Record<string, number>): void {
  process.stdout.write(`\n${formatTable(summaries, ratioValues)}\n\n`)
  process.stdout.write(`handouts add ${handoutCost(summaries)} s per office to a cold build ((b) - (f)) / offices\n`)
  for (const s of summaries) process.stdout.write(`(${s.key}) ${s.command}\n`)
  process.stdout.write(`\nwrote ${path.relative(process.cwd(), RESULTS_FILE)}\n`)
}

async function runAll(ctx: Context) {
  const a = await benchMarp(ctx)
  const b = await benchCold(ctx)
  const pdfKind = b.kinds.includes('.pdf')
  const checks = { marpPdfPages: a.pdfPages, ortugPdfPages: pdfKind ? await ortugPdfPages(b.outDir, ctx) : undefined, ortugOutputKinds: b.kinds }
  if (checks.ortugPdfPages !== undefined && checks.ortugPdfPages !== checks.marpPdfPages) {
    log(`note: marp-cli's PDFs have ${checks.marpPdfPages} pages, ortug's ${checks.ortugPdfPages}`)
  }
  const c = await benchUnchanged(ctx, b.outDir)
  const d = await benchOneOffice(ctx, b.outDir, b.kinds)
  const f = await benchColdWithoutHandouts(ctx)
  const e = ctx.options.skipNational ? undefined : await benchNational(ctx)
  return { scenarios: [a, b.scenario, c, d, ...(e ? [e] : []), f], checks, changedOffice: d.changedOffice }
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2))
  if (!options) {
    process.stdout.write(USAGE)
    return 0
  }
  const startedAt = new Date().toISOString()
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'ortug-bench-'))
  try {
    const project = await copyProject(REPO, path.join(tmp, 'project'))
    const allOffices = await listOffices(project)
    const browser = await resolveBrowser()
    const ctx: Context = {
      options,
      tmp,
      project,
      offices: options.quick ? allOffices.slice(0, QUICK_OFFICES) : allOffices,
      slugs: await listEssays(project),
      capabilities: await buildCapabilities(),
      browser,
    }
    const machine = await machineFacts(browser)
    log(`${ctx.offices.length} offices, ${ctx.slugs.length} essay(s), ${options.runs} run(s) each; browser ${browser.executablePath} (${browser.source})`)
    log(`ortug build --force: ${ctx.capabilities.force ? 'yes' : 'no'}; handout format: ${ctx.capabilities.handout ? 'yes' : 'no'}; temp ${tmp}`)
    const { scenarios, checks, changedOffice } = await runAll(ctx)
    const summaries = scenarios.map(summarize)
    const ratioValues = ratios(summaries)
    const results = {
      startedAt,
      finishedAt: new Date().toISOString(),
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      options,
      machine: { ...machine, loadAverageAtEnd: os.loadavg().map((l) => round(l)) },
      ortug: { commit: git(['rev-parse', 'HEAD']), uncommittedFiles: git(['status', '--porcelain']).split('\n').filter(Boolean).length, ...ctx.capabilities },
      changedOffice,
      checks,
      scenarios: Object.fromEntries(summaries.map((s) => [s.key, s])),
      ratios: ratioValues,
      secondsPerOffice: Object.fromEntries(summaries.map((s) => [s.key, round(s.secondsPerOffice, 4)])),
      peakTreeRssBytes: Object.fromEntries(summaries.map((s) => [s.key, s.peakTreeRssBytes])),
      handoutSecondsPerOffice: handoutCost(summaries),
    }
    await writeFile(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`)
    printReport(summaries, ratioValues)
    return 0
  } finally {
    if (options.keep) log(`kept ${tmp}`)
    else await rm(tmp, { recursive: true, force: true })
  }
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`[bench] FAILED: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  },
)
