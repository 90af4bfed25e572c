import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeNationalOffices } from '../../scripts/national.ts'
import { type DeckJob, planJobs } from '../../src/pipeline/jobs.ts'
import { BATCH_DECKS, type PipelineHooks, runPipeline } from '../../src/pipeline/pipeline.ts'
import { loadProject, loadTheme } from '../../src/pipeline/project.ts'
import { emptyFitCache } from '../../src/plan/fit.ts'
import { startMarpWorker } from '../../src/render/marp.ts'
import type { Theme } from '../../src/render/theme.ts'
import { makeProject, removeProject } from '../helpers.ts'

// The pipeline's batches (src/pipeline/pipeline.ts): a batch is handed over (its last thumbnails,
// its offices committed) while the next one prints, so the browser is not idle in between; hand-overs
// run one at a time and in order; and a run that fails returns only once nothing is being handed
// over, so that the caller never cleans up under a write. Markdown only: no browser, no marp-cli.

const OFFICES = 60
const WAIT_MS = 10_000

let dir: string
let jobs: DeckJob[]
let theme: Theme
/** Decks in the first batch: batches end at an office's last deck once they hold BATCH_DECKS. */
let firstBatch: number

beforeAll(async () => {
  dir = await makeProject()
  await writeNationalOffices(path.join(dir, 'content'), OFFICES)
  const project = await loadProject(dir)
  jobs = (await planJobs(project, project.offices, { formats: ['md'] })).jobs
  theme = await loadTheme(project)
  firstBatch = jobs.findIndex((job, i) => i + 1 >= BATCH_DECKS && jobs[i + 1]?.office.id !== job.office.id) + 1
})
afterAll(() => removeProject(dir))

/** Runs the pipeline with `hooks`; `printed` counts the decks done so far (the progress lines), and `onPrinted` hears of each. */
async function run(
  hooks: (printed: () => number) => PipelineHooks,
  options: { signal?: AbortSignal; onPrinted?: (count: number) => void } = {},
): Promise<void> {
  let printed = 0
  const progress = () => {
    printed++
    options.onPrinted?.(printed)
  }
  const logger = { info() {}, warn() {}, error() {}, done() {}, progress }
  const marp = startMarpWorker()
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'ortug-batches-'))
  try {
    await runPipeline(
      jobs,
      { marp, theme, fitCache: emptyFitCache(), fit: false, jobs: 2, timeoutMs: 30_000, workDir, logger, signal: options.signal },
      hooks(() => printed),
    )
  } finally {
    marp.close()
    await rm(workDir, { recursive: true, force: true })
  }
}

/** No failure is expected: one ends the run. */
const rethrow = (_office: string, error: unknown): never => {
  throw error
}

/** Resolves true once `ready()` holds, false after WAIT_MS. */
async function until(ready: () => boolean): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < WAIT_MS; await new Promise((resolve) => setTimeout(resolve, 10))) if (ready()) return true
  return false
}

describe('batches', () => {
  it('the next batch prints while the one before is handed over; hand-overs run one at a time, office after office in order', async () => {
    expect(firstBatch).toBeGreaterThanOrEqual(BATCH_DECKS)
    expect(jobs.length).toBeGreaterThan(firstBatch)
    const handedOver: string[] = []
    let active = 0
    let most = 0
    let sawNextBatch: boolean | undefined
    await run((printed) => ({
      onFailure: rethrow,
      onOffice: async (office) => {
        most = Math.max(most, ++active)
        // The first office's hand-over waits for a deck of the next batch to be printed.
        sawNextBatch ??= await until(() => printed() > firstBatch)
        handedOver.push(office)
        active--
      },
    }))
    expect(sawNextBatch).toBe(true)
    expect(most).toBe(1)
    expect(handedOver).toEqual([...new Set(jobs.map((job) => job.office.id))])
  })

  it('a run interrupted while the next batch prints returns once the hand-over under way is done, and hands over nothing more', async () => {
    const controller = new AbortController()
    const events: string[] = []
    // Interrupted as the next batch's first deck is done, while the first office is still being written.
    const onPrinted = (count: number) => count === firstBatch + 1 && controller.abort()
    const running = run(
      (printed) => ({
        onFailure: rethrow,
        onOffice: async (office) => {
          events.push(`hand-over ${office}`)
          if (events.length > 1) return
          await until(() => printed() > firstBatch)
          await new Promise((resolve) => setTimeout(resolve, 300))
          events.push('written')
        },
      }),
      { signal: controller.signal, onPrinted },
    )
    await expect(running).rejects.toThrow()
    events.push('returned')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(controller.signal.aborted).toBe(true)
    expect(events.slice(-2)).toEqual(['written', 'returned'])
    expect(events.filter((event) => event.startsWith('hand-over'))).toHaveLength(1)
  })
})
