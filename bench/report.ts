// Summaries of the timed runs: medians, ratios, the printed table.

export type ScenarioKey = 'a' | 'b' | 'c' | 'd' | 'e' | 'f'

export interface RunRecord {
  /** Wall clock of the whole scenario run, seconds. */
  seconds: number
  /** Highest RSS sum of a command's process tree during the run, bytes. */
  peakTreeRssBytes: number
  peakProcesses: number
  /** Child processes started for this run. */
  commands: number
  /** What `ortug build --json` reported as its own duration (without process start and exit). */
  ortugSeconds?: number
}

export interface Scenario {
  key: ScenarioKey
  label: string
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
    peakProcesses: Math.max(...scenario.runs.map((r) => r.peakProcesses)),
  }
}

/** Each scenario's median divided by the cold build's (b). */
export function ratios(summaries: readonly ScenarioSummary[]): Record<string, number> {
  const cold = summaries.find((s) => s.key === 'b')
  if (!cold) return {}
  const result: Record<string, number> = {}
  for (const s of summaries) if (['a', 'c', 'd'].includes(s.key)) result[`${s.key}/b`] = round(s.medianSeconds / cold.medianSeconds, 3)
  return result
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`

export function formatTable(summaries: readonly ScenarioSummary[], ratioValues: Record<string, number>): string {
  const header = ['', 'scenario', 'offices', 'runs', 'median s', 'min s', 'max s', 'in-ortug s', 's/office', 'peak tree RSS', 'procs']
  const rows = summaries.map((s) => [
    `(${s.key})`,
    s.label,
    String(s.offices),
    String(s.runs.length),
    s.medianSeconds.toFixed(2),
    s.minSeconds.toFixed(2),
    s.maxSeconds.toFixed(2),
    s.medianOrtugSeconds === undefined ? '-' : s.medianOrtugSeconds.toFixed(2),
    s.secondsPerOffice.toFixed(3),
    mb(s.peakTreeRssBytes),
    String(s.peakProcesses),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)))
  const line = (cells: string[]) => cells.map((c, i) => (i <= 1 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ')
  const ratioLine = Object.entries(ratioValues)
    .map(([k, v]) => `${k} = ${v.toFixed(3)}`)
    .join('   ')
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', `ratios (medians): ${ratioLine}`].join('\n')
}
