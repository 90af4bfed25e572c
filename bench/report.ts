import type { CpuUse } from './process.ts'

// Summaries of the timed runs: medians, ratios, the printed table.

/** A letter, then the browser for scenarios run with each (a-installed, b-bundled, b-extra) or the set size (i-quarter). */
export type ScenarioKey = string

export interface RunRecord {
  /** Wall clock of the whole scenario run, seconds. */
  seconds: number
  /** Highest RSS sum of a command's process tree during the run, bytes. */
  peakTreeRssBytes: number
  /** The PSS sum at that RSS peak (shared pages counted once); absent where not sampled. */
  peakTreePssBytes?: number
  peakProcesses: number
  /** Child processes started for this run. */
  commands: number
  /** What `ortug build --json` reported as its own duration (without process start and exit). */
  ortugSeconds?: number
  cpu?: CpuUse
  /** The stage timer's trace of the run (ORTUG_PROFILE), when it was on. */
  trace?: string
}

export interface Scenario {
  key: ScenarioKey
  label: string
  /** The browser it ran with, e.g. "installed (new headless)"; none for merge-manifests. */
  browser?: string
  offices: number
  command: string
  runs: RunRecord[]
}

export interface ScenarioSummary extends Scenario {
  medianSeconds: number
  minSeconds: number
  maxSeconds: number
  medianOrtugSeconds?: number
  secondsPerOffice: number
  peakTreeRssBytes: number
  peakTreePssBytes: number
  peakProcesses: number
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values')
  const sorted = [...values].sort((x, y) => x - y)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export function summarize(scenario: Scenario): ScenarioSummary {
  const seconds = scenario.runs.map((r) => r.seconds)
  const ortugSeconds = scenario.runs.map((r) => r.ortugSeconds).filter((s): s is number => s !== undefined)
  const medianSeconds = median(seconds)
  return {
    ...scenario,
    medianSeconds,
    minSeconds: Math.min(...seconds),
    maxSeconds: Math.max(...seconds),
    medianOrtugSeconds: ortugSeconds.length === seconds.length ? median(ortugSeconds) : undefined,
    secondsPerOffice: medianSeconds / scenario.offices,
    peakTreeRssBytes: Math.max(...scenario.runs.map((r) => r.peakTreeRssBytes)),
    peakTreePssBytes: Math.max(...scenario.runs.map((r) => r.peakTreePssBytes ?? 0)),
    peakProcesses: Math.max(...scenario.runs.map((r) => r.peakProcesses)),
  }
}

/** Issue 26's targets for ratios: the loop at least 10× the build with the same browser; the cold build at most 1.5× its floor. */
export const TARGETS: Record<string, { at: 'least' | 'most'; value: number }> = {
  loop: { at: 'least', value: 10 },
  floor: { at: 'most', value: 1.5 },
}

/** Issue 26's targets in seconds and bytes: one office after an edit, a preview save, the national build (e). */
export function checkAbsoluteTargets(summaries: readonly ScenarioSummary[]): Record<string, { target: string; value: number; met: boolean }> {
  const byKey = new Map(summaries.map((s) => [s.key, s]))
  const result: Record<string, { target: string; value: number; met: boolean }> = {}
  const check = (name: string, value: number | undefined, most: number, unit: string) => {
    if (value !== undefined) result[name] = { target: `<= ${most} ${unit}`, value: round(value, 3), met: value <= most }
  }
  check('d: one office changed, s', byKey.get('d')?.medianSeconds, 2, 's')
  check('v: preview save visible, s', byKey.get('v')?.medianSeconds, 1, 's')
  check('e: national, s per office', byKey.get('e')?.secondsPerOffice, 0.3, 's')
  const e = byKey.get('e')
  check('e: national, peak tree RSS, MiB', e && e.peakTreeRssBytes / 2 ** 20, 1024, 'MiB')
  // Not the issue's measure (summed RSS), shown beside it: the same peak with shared pages counted once.
  if (e && e.peakTreePssBytes > 0) check('e: national, peak tree PSS, MiB', e.peakTreePssBytes / 2 ** 20, 1024, 'MiB')
  return result
}

/**
 * a-K/b-K for each browser kind K; b-installed/b-bundled; b-extra/b-bundled and b-installed/b-extra; c/b and d/b
 * against the main kind's cold build; i/i-quarter (near 4, the ratio of their outputs, when the merge is linear and its fixed cost small).
 */
export function ratios(summaries: readonly ScenarioSummary[], mainKind: string): Record<string, number> {
  const byKey = new Map(summaries.map((s) => [s.key, s.medianSeconds]))
  const result: Record<string, number> = {}
  const add = (over: string, under: string, name = `${over}/${under}`) => {
    const x = byKey.get(over)
    const y = byKey.get(under)
    if (x !== undefined && y !== undefined && y > 0) result[name] = round(x / y, 3)
  }
  for (const s of summaries) if (s.key.startsWith('a-')) add(s.key, `b-${s.key.slice(2)}`)
  for (const s of summaries) if (s.key.startsWith('floor-')) add(`b-${s.key.slice(6)}`, s.key)
  add('b-installed', 'b-bundled')
  // With Debian's own headless shell as the extra: installed/extra is the cost of new headless mode
  // in the same Chromium build, extra/bundled the difference between the two builds of a shell.
  for (const s of summaries) {
    if (!s.key.startsWith('b-extra')) continue
    add(s.key, 'b-bundled')
    add('b-installed', s.key)
  }
  add('c', `b-${mainKind}`, 'c/b')
  add('d', `b-${mainKind}`, 'd/b')
  add('i', 'i-quarter')
  return result
}

/** The target a ratio is held to, if any. */
export function targetOf(ratio: string): { at: 'least' | 'most'; value: number } | undefined {
  if (/^a-(.+)\/b-\1$/.test(ratio)) return TARGETS.loop
  if (/^b-(.+)\/floor-\1$/.test(ratio)) return TARGETS.floor
  return TARGETS[ratio]
}

/** Ratio name → target and whether the measured value meets it, for results.json. */
export function checkTargets(ratioValues: Record<string, number>): Record<string, { target: string; value: number; met: boolean }> {
  const result: Record<string, { target: string; value: number; met: boolean }> = {}
  for (const [name, value] of Object.entries(ratioValues)) {
    const target = targetOf(name)
    if (!target) continue
    result[name] = {
      target: `${target.at === 'least' ? '>=' : '<='} ${target.value}`,
      value,
      met: target.at === 'least' ? value >= target.value : value <= target.value,
    }
  }
  return result
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`

export function formatTable(summaries: readonly ScenarioSummary[], ratioValues: Record<string, number>): string {
  const header = ['', 'scenario', 'browser', 'offices', 'runs', 'median s', 'min s', 'max s', 'in-ortug s', 's/office', 'peak tree RSS', 'PSS', 'procs']
  const rows = summaries.map((s) => [
    `(${s.key})`,
    s.label,
    s.browser ?? '-',
    String(s.offices),
    String(s.runs.length),
    s.medianSeconds.toFixed(2),
    s.minSeconds.toFixed(2),
    s.maxSeconds.toFixed(2),
    s.medianOrtugSeconds === undefined ? '-' : s.medianOrtugSeconds.toFixed(2),
    s.secondsPerOffice.toFixed(3),
    mb(s.peakTreeRssBytes),
    s.peakTreePssBytes > 0 ? mb(s.peakTreePssBytes) : '-',
    String(s.peakProcesses),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)))
  const line = (cells: string[]) => cells.map((c, i) => (i <= 2 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ')
  const checks = checkTargets(ratioValues)
  const nameWidth = Math.max(0, ...Object.keys(ratioValues).map((k) => k.length))
  const ratioLines = Object.entries(ratioValues).map(([k, v]) => {
    const check = checks[k]
    return `  ${k.padEnd(nameWidth)}  ${v.toFixed(3).padStart(8)}${check ? `  (target ${check.target}: ${check.met ? 'met' : 'NOT met'})` : ''}`
  })
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', 'ratios of medians:', ...ratioLines].join('\n')
}
