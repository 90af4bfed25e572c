import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { type BenchBrowser, BROWSER_KINDS, parseKinds, resolveExtra, resolveKinds } from './browsers.ts'
import { benchFloor } from './floor.ts'
import { benchNational, NATIONAL, type NationalResults, QUICK_NATIONAL } from './national.ts'
import { buildCapabilities, REPO } from './ortug.ts'
import { measurePdfFinishing } from './pdf.ts'
import { benchPreview } from './preview.ts'
import { type Breakdown, formatBreakdown, readBreakdown } from './profile.ts'
import { copyProject, listEssays, listOffices } from './project.ts'
import type { RunRecord } from './report.ts'
import { checkAbsoluteTargets, checkTargets, formatTable, median, ratios, round, type Scenario, type ScenarioSummary, summarize } from './report.ts'
import {
  benchCold,
  benchColdWithoutHandouts,
  benchColdWithPptx,
  benchMarp,
  benchOneOffice,
  benchUnchanged,
  type ColdBuild,
  type Context,
  log,
  type Options,
  prepareMarkdown,
} from './scenarios.ts'

// `npm run bench`: marp-cli scripted by hand versus ortug build, each with every browser kind
// (the installed Chrome/Chromium, the npm-shipped headless shell), then ortug unchanged, one
// office changed, without handouts, with the PowerPoint deck, a synthetic national build, its shards and their merge,
// all on throwaway copies of the project.

const QUICK_OFFICES = 3
const USAGE = `usage: npm run bench -- [--runs N] [--loop-runs N] [--kinds installed,bundled] [--extra-browser path]... [--quick] [--skip-national] [--keep]

  --runs N               runs per ortug scenario; the median is reported (default 3)
  --loop-runs N          runs of the marp-cli loop per browser, minutes each (default 1)
  --kinds k,..           browser kinds to compare: ${BROWSER_KINDS.join(', ')} (default: each one found)
  --extra-browser path   one more cold build with --browser-path path (b-extra), e.g.
                         /usr/lib/chromium/chromium-headless-shell; may be given more than once
  --quick                ${QUICK_OFFICES} offices and ${QUICK_NATIONAL} synthetic offices, for developing the benchmark
  --skip-national        skip (e) to (i), the ${NATIONAL} synthetic offices, shards and merge (take minutes)
  --keep                 keep the temporary folders and print where they are
`
const RESULTS_FILE = path.join(REPO, 'bench', 'results.json')

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string', default: '3' },
      'loop-runs': { type: 'string', default: '1' },
      kinds: { type: 'string' },
      'extra-browser': { type: 'string', multiple: true, default: [] },
      quick: { type: 'boolean', default: false },
      'skip-national': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) return undefined
  return {
    runs: parseCount('--runs', values.runs),
    loopRuns: parseCount('--loop-runs', values['loop-runs']),
    quick: values.quick,
    skipNational: values['skip-national'],
    keep: values.keep,
    kinds: values.kinds === undefined ? undefined : parseKinds(values.kinds),
    extraBrowsers: values['extra-browser'],
  }
}

function parseCount(flag: string, value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive whole number, not "${value}"`)
  return n
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim()
  } catch {
    return ''
  }
}

async function machineFacts(browsers: readonly BenchBrowser[]) {
  const cpus = os.cpus()
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    availableParallelism: os.availableParallelism(),
    totalMemoryBytes: os.totalmem(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    runningAsRoot: process.getuid?.() === 0,
    browsers: Object.fromEntries(
      browsers.map((b) => [
        b.name,
        {
          path: b.choice.executablePath,
          source: b.choice.source,
          headless: b.choice.headless,
          version: b.version,
          reason: b.choice.reason,
          howOrtugIsTold: `${b.envPrefix}${b.args.join(' ')}`.trim(),
        },
      ]),
    ),
    marpCli: (JSON.parse(await readFile(path.join(REPO, 'node_modules', '@marp-team', 'marp-cli', 'package.json'), 'utf8')) as { version: string }).version,
    loadAverageAtStart: os.loadavg().map((l) => round(l)),
  }
}

/** Median seconds per office that the PowerPoint deck adds to a cold build: ((p) − (f)) / offices. */
function pptxCost(summaries: readonly ScenarioSummary[]): number | undefined {
  const p = summaries.find((s) => s.key === 'p')
  const f = summaries.find((s) => s.key === 'f')
  return p && f ? round((p.medianSeconds - f.medianSeconds) / p.offices, 3) : undefined
}

/** Median seconds per office that handouts add to the main browser's cold build: ((b) − (f)) / offices. */
function handoutCost(summaries: readonly ScenarioSummary[], mainKind: string): number | undefined {
  const b = summaries.find((s) => s.key === `b-${mainKind}`)
  const f = summaries.find((s) => s.key === 'f')
  return b && f ? round((b.medianSeconds - f.medianSeconds) / b.offices, 3) : undefined
}

function printReport(summaries: ScenarioSummary[], ratioValues: Record<string, number>, mainKind: string, merge?: NationalResults['merge']): void {
  process.stdout.write(`\n${formatTable(summaries, ratioValues)}\n\n`)
  process.stdout.write(`handouts add ${handoutCost(summaries, mainKind)} s per office to a cold build ((b-${mainKind}) - (f)) / offices\n`)
  process.stdout.write(`the PowerPoint deck adds ${pptxCost(summaries)} s per office to a cold build ((p) - (f)) / offices\n`)
  if (merge) {
    const line = (name: string, m: typeof merge.full) =>
      `${name}: ${m.offices} offices, ${m.outputs} outputs in ${m.medianSeconds} s = ${m.msPerOutput} ms/output`
    process.stdout.write(
      `merge-manifests of 4 shards: ${line('(i)', merge.full)}; ${line('(i-quarter)', merge.quarter)}; between them ${merge.marginalMsPerOutput} ms per extra output\n`,
    )
  }
  for (const s of summaries) process.stdout.write(`(${s.key}) ${s.command}\n`)
  process.stdout.write(`\nwrote ${path.relative(process.cwd(), RESULTS_FILE)}\n`)
}

interface KindBreakdown {
  /** The run whose trace is shown: the one with the median wall time. */
  run: number
  seconds: number
  breakdown: Breakdown
  cpu?: RunRecord['cpu']
}

/** The stage breakdown of a cold build's median run. */
async function breakdownOf(scenario: Scenario): Promise<KindBreakdown> {
  const mid = median(scenario.runs.map((r) => r.seconds))
  const index = scenario.runs.findIndex((r) => r.seconds >= mid)
  const run = scenario.runs[index] ?? scenario.runs[0]
  if (!run?.trace) throw new Error(`(${scenario.key}) has no trace`)
  return { run: index + 1, seconds: round(run.seconds, 3), breakdown: await readBreakdown(run.trace), cpu: run.cpu }
}

function printBreakdowns(breakdowns: Record<string, KindBreakdown>): void {
  for (const [kind, b] of Object.entries(breakdowns)) {
    const scenario = kind === 'd' ? '(d) one office changed' : `(b-${kind}) cold`
    process.stdout.write(`\n${formatBreakdown(`where the time goes: ${scenario}, run ${b.run}, ORTUG_PROFILE trace`, b.breakdown, b.seconds, b.cpu)}\n`)
  }
}

function printTargets(summaries: readonly ScenarioSummary[], ratioValues: Record<string, number>): void {
  const all = { ...checkTargets(ratioValues), ...checkAbsoluteTargets(summaries) }
  process.stdout.write('\ntargets (issue 26):\n')
  for (const [name, t] of Object.entries(all)) process.stdout.write(`  ${name}: ${t.value} (${t.target}: ${t.met ? 'met' : 'NOT met'})\n`)
  process.stdout.write(
    `load average now: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  )
}

async function runAll(ctx: Context, kinds: readonly BenchBrowser[], extras: readonly BenchBrowser[]) {
  const markdown = await prepareMarkdown(ctx)
  const scenarios: Scenario[] = []
  const checks: Record<string, { marpPdfPages: number; ortugPdfPages?: number; ortugOutputKinds: string[] }> = {}
  let mainCold: ColdBuild | undefined
  const breakdowns: Record<string, KindBreakdown> = {}
  for (const browser of kinds) {
    const a = await benchMarp(ctx, markdown, browser)
    const b = await benchCold(ctx, browser)
    const floor = await benchFloor(ctx, browser, b.profile.trace, b.profile.pages)
    scenarios.push(a, b.scenario, floor)
    breakdowns[browser.name] = await breakdownOf(b.scenario)
    checks[browser.name] = { marpPdfPages: a.pdfPages, ortugPdfPages: b.pdfPages, ortugOutputKinds: b.kinds }
    if (b.pdfPages !== undefined && b.pdfPages !== a.pdfPages) log(`note (${browser.name}): marp-cli's PDFs have ${a.pdfPages} pages, ortug's ${b.pdfPages}`)
    if (browser === ctx.main) mainCold = b
  }
  for (const browser of extras) scenarios.push((await benchCold(ctx, browser)).scenario)
  if (!mainCold) throw new Error(`no cold build with the main browser (${ctx.main.name})`)
  const pdfFinishing = mainCold.kinds.includes('.pdf') ? await measurePdfFinishing(mainCold.outDir, ctx.offices) : undefined
  if (pdfFinishing)
    log(
      `PDF finishing, median per PDF of ${pdfFinishing.pdfs}: incremental update ${pdfFinishing.incrementalMs} ms, pdf-lib re-write ${pdfFinishing.pdfLibMs} ms`,
    )
  scenarios.push(await benchUnchanged(ctx, mainCold.outDir))
  const d = await benchOneOffice(ctx, mainCold.outDir, mainCold.kinds)
  breakdowns.d = await breakdownOf(d)
  scenarios.push(d, await benchPreview(ctx), await benchColdWithoutHandouts(ctx), await benchColdWithPptx(ctx))
  const national = ctx.options.skipNational ? undefined : await benchNational(ctx)
  if (national) scenarios.push(...national.scenarios)
  return { scenarios, checks, changedOffice: d.changedOffice, merge: national?.merge, pdfFinishing, breakdowns }
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2))
  if (!options) {
    process.stdout.write(USAGE)
    return 0
  }
  const startedAt = new Date().toISOString()
  const kinds = await resolveKinds(options.kinds ?? BROWSER_KINDS, options.kinds !== undefined, log)
  const extras = await resolveExtra(options.extraBrowsers)
  const main = kinds.find((b) => b.name === 'installed') ?? (kinds[0] as BenchBrowser)
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'ortug-bench-'))
  try {
    const project = await copyProject(REPO, path.join(tmp, 'project'))
    const allOffices = await listOffices(project)
    const ctx: Context = {
      options,
      tmp,
      project,
      offices: options.quick ? allOffices.slice(0, QUICK_OFFICES) : allOffices,
      slugs: await listEssays(project),
      capabilities: await buildCapabilities(),
      main,
    }
    const machine = await machineFacts([...kinds, ...extras])
    log(
      `${ctx.offices.length} offices, ${ctx.slugs.length} essay(s), ${options.runs} run(s) each, ${options.loopRuns} of the marp-cli loop; main browser ${main.name}`,
    )
    for (const b of [...kinds, ...extras]) log(`browser ${b.name}: ${b.version} (${b.choice.headless}) at ${b.choice.executablePath} (${b.choice.source})`)
    log(`ortug build --force: ${ctx.capabilities.force ? 'yes' : 'no'}; handout format: ${ctx.capabilities.handout ? 'yes' : 'no'}; temp ${tmp}`)
    const { scenarios, checks, changedOffice, merge, pdfFinishing, breakdowns } = await runAll(ctx, kinds, extras)
    const summaries = scenarios.map(summarize)
    const ratioValues = ratios(summaries, main.name)
    const results = {
      startedAt,
      finishedAt: new Date().toISOString(),
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      options,
      browserKinds: kinds.map((b) => b.name),
      extraBrowsers: extras.map((b) => b.name),
      mainKind: main.name,
      notes: [
        `a-K: the marp-cli loop with browser K (--loop-runs runs); b-K: ortug build, cold, with ORTUG_BROWSER=K (--runs runs, median)`,
        "p: (f) with --format pptx too; (p) - (f) is the PowerPoint deck's cost",
        `c, d, f, p, e, g, h ran with the main browser (${main.name}); c/b and d/b are against b-${main.name}`,
        'g, h: one shard of n, as one process on this machine (CI would run each shard on its own machine); one run each',
        'i, i-quarter: merge-manifests of 4 shards built with --format md,html, on the full and a quarter-size synthetic set',
        'b-K runs with ORTUG_PROFILE: breakdowns.K is the stage trace of its median run (sum over decks, wall = union of intervals)',
        'floor-K: the pages one more b-K build printed (ORTUG_PROFILE_PAGES), printed again alone with browser K, --jobs decks at once, timed from launch to close',
        'v: ortug preview, from renaming the office to the page showing the new name (main browser; the preview does not print)',
      ],
      machine: { ...machine, loadAverageAtEnd: os.loadavg().map((l) => round(l)) },
      ortug: { commit: git(['rev-parse', 'HEAD']), uncommittedFiles: git(['status', '--porcelain']).split('\n').filter(Boolean).length, ...ctx.capabilities },
      changedOffice,
      checks,
      scenarios: Object.fromEntries(summaries.map((s) => [s.key, s])),
      ratios: ratioValues,
      targets: { ...checkTargets(ratioValues), ...checkAbsoluteTargets(summaries) },
      breakdowns,
      secondsPerOffice: Object.fromEntries(summaries.map((s) => [s.key, round(s.secondsPerOffice, 4)])),
      peakTreeRssBytes: Object.fromEntries(summaries.map((s) => [s.key, s.peakTreeRssBytes])),
      peakTreePssBytes: Object.fromEntries(summaries.map((s) => [s.key, s.peakTreePssBytes])),
      handoutSecondsPerOffice: handoutCost(summaries, main.name),
      pptxSecondsPerOffice: pptxCost(summaries),
      merge,
      pdfFinishing,
    }
    await writeFile(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`)
    printReport(summaries, ratioValues, main.name, merge)
    printBreakdowns(breakdowns)
    printTargets(summaries, ratioValues)
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
