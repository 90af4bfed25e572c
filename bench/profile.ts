import { readFile } from 'node:fs/promises'
import { readTrace, STAGES, type Stage, type StageRecord } from '../src/shared/profile.ts'
import type { CpuUse } from './process.ts'
import { round } from './report.ts'

// Where a cold build's time goes: the stage timer's trace (ORTUG_PROFILE, src/shared/profile.ts)
// of one run, per stage summed over decks and as wall time (the union of its intervals: time in
// which at least one deck was in that stage), and how busy the cores were.

export interface StageSummary {
  stage: Stage
  count: number
  /** Seconds, summed over decks (stages overlap across decks: the sum can exceed the wall). */
  sumSeconds: number
  /** Seconds in which at least one deck was in this stage. */
  wallSeconds: number
}

export interface Breakdown {
  /** From the first stage's start to the last stage's end. */
  tracedSeconds: number
  stages: StageSummary[]
}

export async function readBreakdown(file: string): Promise<Breakdown> {
  return summarizeStages(readTrace(await readFile(file, 'utf8')).stages)
}

export function summarizeStages(records: readonly StageRecord[]): Breakdown {
  const first = Math.min(...records.map((r) => r.start))
  const last = Math.max(...records.map((r) => r.end))
  const stages = STAGES.flatMap((stage) => {
    const own = records.filter((r) => r.stage === stage)
    if (own.length === 0) return []
    const sum = own.reduce((total, r) => total + (r.end - r.start), 0)
    return [{ stage, count: own.length, sumSeconds: round(sum / 1000, 3), wallSeconds: round(unionMs(own) / 1000, 3) }]
  })
  return { tracedSeconds: records.length > 0 ? round((last - first) / 1000, 3) : 0, stages }
}

/** The length of the union of the intervals. */
function unionMs(records: readonly StageRecord[]): number {
  const sorted = [...records].sort((a, b) => a.start - b.start)
  let total = 0
  let end = Number.NEGATIVE_INFINITY
  for (const { start, end: stop } of sorted) {
    if (stop <= end) continue
    total += stop - Math.max(start, end)
    end = stop
  }
  return total
}

export function formatBreakdown(title: string, breakdown: Breakdown, wallSeconds: number, cpu?: CpuUse): string {
  const rows = breakdown.stages.map((s) => [
    s.stage,
    String(s.count),
    s.sumSeconds.toFixed(2),
    s.wallSeconds.toFixed(2),
    `${Math.round((100 * s.wallSeconds) / wallSeconds)} %`,
  ])
  const header = ['stage', 'n', 'sum s', 'wall s', 'of run']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ')
  const lines = [title, line(header), ...rows.map(line), `traced ${breakdown.tracedSeconds.toFixed(2)} s of a ${wallSeconds.toFixed(2)} s run`]
  if (cpu) lines.push(describeCpu(cpu, wallSeconds))
  return lines.map((l) => `  ${l}`).join('\n')
}

export function describeCpu(cpu: CpuUse, wallSeconds: number): string {
  const cores = cpu.coreBusy.map((busy, i) => `cpu${i} ${Math.round(busy * 100)} %`).join(', ')
  return `CPU: ortug's process tree ${cpu.treeSeconds.toFixed(1)} s = ${(cpu.treeSeconds / wallSeconds).toFixed(2)} of ${cpu.coreBusy.length} cores on average; each core busy (any process): ${cores}`
}
