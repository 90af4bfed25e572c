import os from 'node:os'
import path from 'node:path'
import type { Selection } from '../content/project.ts'
import { readFitCache } from '../output/fit-cache.ts'
import { startMarpWorker } from '../render/marp.ts'
import { collectErrors, type OrtugError } from '../shared/error.ts'
import { createLogger } from '../shared/log.ts'
import { planJobs } from './jobs.ts'
import { runPipeline } from './pipeline.ts'
import { loadProject, loadTheme } from './project.ts'

// `ortug check`: the build's stages without its outputs.

export interface CheckOptions extends Selection {
  root: string
  /** Where a previous build's fit cache may be read from (never written). */
  outDir: string
  fit: boolean
  browserPath?: string
  env?: NodeJS.ProcessEnv
  timeoutMs: number
  jobs: number
}

/** Everything a build verifies, without writing anything: content, templates and (with `fit`) that every slide fits. */
export async function check(options: CheckOptions): Promise<{ problems: OrtugError[]; warnings: string[]; decks: number; offices: number; essays: number }> {
  const project = await loadProject(options.root, options)
  const problems: OrtugError[] = [...project.problems]
  // A derived deck's weak spots: where a storyboard written by hand (ortug storyboard) would help.
  const warnings = project.essays.flatMap(({ essay, weakSpots }) =>
    weakSpots.map((spot) => `${path.relative(options.root, essay.file)}: section "${spot.section}" (derived deck): ${spot.message}`),
  )
  const { jobs, errors } = await planJobs(project, project.offices, { formats: [] })
  problems.push(...errors)
  // Every deck is planned and its Markdown filled (template errors show here); with `fit`, measured.
  // Without it, nothing needs the browser or Marp, and neither starts.
  const marp = startMarpWorker()
  try {
    await runPipeline(
      jobs,
      {
        ...options,
        marp,
        theme: await loadTheme(project),
        fitCache: await readFitCache(options.outDir),
        keepGoing: true,
        // No format is made, so marp-cli never writes here.
        workDir: path.join(os.tmpdir(), 'ortug-check'),
        logger: createLogger({ quiet: true, stream: { write: () => true } }),
      },
      { onFailure: (_office, error) => problems.push(...collectErrors(error)), onOffice: async () => undefined },
    )
  } finally {
    marp.close()
  }
  return { problems, warnings, decks: jobs.length, offices: project.offices.length, essays: project.essays.length }
}
