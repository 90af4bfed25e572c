import type { Selection } from '../content/project.ts'
import { renderCatalogue } from '../output/catalogue.ts'
import { FIT_CACHE, mergeFitCaches, readFitCache, serializeFitCache } from '../output/fit-cache.ts'
import { manifestAndCatalogue, mergeManifest, previousOutputs, readKeptOutputs, readManifestFile, resolveBuildTime } from '../output/manifest.ts'
import { verifyOutputFolders } from '../output/output-paths.ts'
import { resolveShard } from '../output/shard-record.ts'
import { openStaging, type Staging } from '../output/staging.ts'
import { readThumbnails, thumbnailPath } from '../output/thumbnails.ts'
import { emptyFitCache, type FitCache } from '../plan/fit.ts'
import { type MarpWorker, startMarpWorker } from '../render/marp.ts'
import type { Theme } from '../render/theme.ts'
import { codeOf, type Faults } from '../shared/disk.ts'
import { collectErrors, fail, OrtugError, OrtugErrors } from '../shared/error.ts'
import { type Format, outputFiles } from '../shared/formats.ts'
import type { Logger } from '../shared/log.ts'
import { profiler } from '../shared/profile.ts'
import type { HandoutLayout, Manifest, ManifestEntry, OutputFile, Paper } from '../shared/types.ts'
import { type DeckJob, manifestEntry, planJobs } from './jobs.ts'
import { type FinishedDeck, runPipeline } from './pipeline.ts'
import { loadProject, loadTheme, type Project } from './project.ts'

// `ortug build`: load, decide what is out of date, run the pipeline
// (pipeline.ts), and for a build stage each office as it is done, then the manifest, the
// catalogue and the fit cache, and commit them all at once (output.ts).

export interface BuildOptions extends Selection {
  root: string
  outDir: string
  formats: readonly Format[]
  browserPath?: string
  /** Where CHROME_PATH and ORTUG_BROWSER are read from (the process's environment by default). */
  env?: NodeJS.ProcessEnv
  timeoutMs: number
  jobs: number
  /** Ignore the cache: rebuild and re-measure everything. */
  force?: boolean
  /** Handout layout and paper for every office, instead of each office's own setting. */
  handout?: { layout?: HandoutLayout; paper?: Paper }
  /** Build only the k-th of n shares of the offices (1-based). */
  shard?: { index: number; count: number }
  signal?: AbortSignal
  logger: Logger
  /** Where a test stops the commit (tests/fault-build.ts); `ortug build` passes none. */
  faults?: Faults
}

export interface BuildResult {
  built: ManifestEntry[]
  /** Outputs that were up to date and not rebuilt. */
  unchanged: number
  failures: OrtugError[]
  offices: number
  seconds: number
}

/** Loads, plans and renders the selected offices × essays that changed, then writes them office by office. */
export async function build(options: BuildOptions): Promise<BuildResult> {
  // Marp's process takes most of a second to load: it starts with the build, unless only Markdown
  // is asked for, and is stopped again if nothing needs rebuilding.
  const marp = startMarpWorker(options.signal)
  if (options.formats.some((format) => format !== 'md')) marp.start()
  let staging: Staging | undefined
  try {
    // The lock, and completing or undoing what an interrupted build left, come before the
    // manifest and the cache are read.
    staging = await openStaging(options.outDir, { signal: options.signal, faults: options.faults })
    return await buildWith(marp, options, staging)
  } catch (error) {
    throw asDiskFull(error, options.outDir)
  } finally {
    await staging?.dispose()
    marp.close()
  }
}

// --- internal ---

async function buildWith(marp: MarpWorker, options: BuildOptions, staging: Staging): Promise<BuildResult> {
  const started = performance.now()
  const endPlanning = profiler().start('reading and planning')
  // Read once, after the lock: the shard record, the previous outputs and the thumbnails come from it.
  const stored = await readManifestFile(options.outDir, options.logger.warn)
  const { project, shard, failures } = await loadSelected(options, stored)
  const plan = await planOutOfDate(project, shard, stored, options)
  failures.push(...plan.errors)
  endPlanning()
  const result = (built: ManifestEntry[]): BuildResult => {
    const seconds = (performance.now() - started) / 1000
    return { built, unchanged: plan.unchanged, failures, offices: shard.offices.length, seconds }
  }
  if (plan.jobs.length === 0 && !shard.restamp) {
    options.logger.info(`nothing to rebuild: ${plan.unchanged} output(s) up to date`)
    return result([])
  }
  const fits = await readFits(options)
  try {
    const theme = await loadTheme(project)
    const staged = await renderAndStage(plan, { marp, theme, fitCache: fits.cache, staging, failures }, options)
    try {
      // A build that made no office leaves the output folder as it was.
      if (staged.built.length === 0 && plan.jobs.length > 0) return result(staged.built)
      await profiler().time('commit', undefined, () => commitTopLevel(staged, { plan, shard, fits, theme, staging }, options))
      return result(staged.built)
    } finally {
      await staged.browserClosed
    }
  } finally {
    await staging.dispose()
  }
}

type Shard = Awaited<ReturnType<typeof resolveShard>>

/** 1. Loads and verifies everything; an office that does not load is reported, the others go on. */
async function loadSelected(options: BuildOptions, stored: Manifest | undefined): Promise<{ project: Project; shard: Shard; failures: OrtugError[] }> {
  const project = await loadProject(options.root, options)
  if (project.essays.length === 0 || project.offices.length === 0) {
    if (project.problems.length > 0) throw new OrtugErrors(project.problems)
    fail('CONTENT', 'nothing to build: no essays or no offices are selected')
  }
  const shard = await resolveShard(project, options, stored)
  // Before any deck is rendered: a file or a link where an office's folder goes is refused (exit 3).
  await verifyOutputFolders(
    options.outDir,
    shard.offices.map(({ office }) => office.id),
  )
  return { project, shard, failures: [...project.problems] }
}

interface BuildPlan {
  jobs: DeckJob[]
  unchanged: number
  errors: OrtugError[]
  /** The manifest's entries before this build. */
  previous: ManifestEntry[]
  recordedThumbnails: Record<string, string> | undefined
}

/**
 * 2. What is out of date: an output is kept when its inputs' key and its bytes match the manifest.
 * --force rebuilds and re-measures what is selected; the other offices' entries are kept.
 */
async function planOutOfDate(project: Project, shard: Shard, stored: Manifest | undefined, options: BuildOptions): Promise<BuildPlan> {
  const previous = await previousOutputs(options.outDir, stored, options.logger.warn)
  const recordedThumbnails = stored?.thumbnails
  const freshness = { previous, outDir: options.outDir, force: options.force }
  const sourceDateEpoch = (options.env ?? process.env).SOURCE_DATE_EPOCH
  const planned = await planJobs(project, shard.offices, { formats: options.formats, handout: options.handout, freshness, sourceDateEpoch })
  return { ...planned, previous, recordedThumbnails }
}

/** The fit cache as stored, and the one this build measures into (empty with --force). */
async function readFits(options: BuildOptions): Promise<{ stored: FitCache; cache: FitCache }> {
  const stored = await readFitCache(options.outDir, options.logger.warn)
  return { stored, cache: options.force ? emptyFitCache() : stored }
}

interface RenderContext {
  marp: MarpWorker
  theme: Theme
  fitCache: FitCache
  staging: Staging
  /** Where an office's failure goes; the build goes on with the other offices. */
  failures: OrtugError[]
}

interface Staged {
  built: ManifestEntry[]
  /** The catalogue's thumbnails, captured after their decks were staged. */
  thumbnails: Promise<OutputFile[]>[]
  /** The build's browser closing while the build commits; waited for before the build returns. */
  browserClosed: Promise<void>
}

/** 3. The pipeline; 4. each office is staged once all its outputs are complete. */
async function renderAndStage(plan: BuildPlan, context: RenderContext, options: BuildOptions): Promise<Staged> {
  const { marp, theme, fitCache, staging, failures } = context
  const staged: Staged = { built: [], thumbnails: [], browserClosed: Promise.resolve() }
  await runPipeline(
    plan.jobs,
    { ...options, marp, theme, fitCache, fit: true, workDir: staging.dir },
    {
      onFailure: (office, error) => failures.push(...officeFailure(office, error, options.signal)),
      onOffice: (office, decks) => stageOffice(office, decks, { staging, previous: plan.previous, outDir: options.outDir }, staged),
      onBrowserClosing: (closing) => {
        staged.browserClosed = closing
      },
    },
  )
  return staged
}

/**
 * Bad content, and a deck that timed out or crashed again alone (the pipeline's office faults,
 * exit 1), fail their office only: its problems. The environment (marp-cli failing, the disk)
 * and an interrupt end the build: thrown.
 */
function officeFailure(office: string, error: unknown, signal: AbortSignal | undefined): OrtugError[] {
  if (signal?.aborted || (error instanceof OrtugError && error.kind === 'ENVIRONMENT')) {
    throw error instanceof OrtugError ? new OrtugError(error.kind, `${office}: ${error.message}`, { cause: error }) : error
  }
  return collectErrors(error).map((e) => new OrtugError(e.kind, `${office}: ${e.message}`, { location: e.location, cause: e }))
}

/** Stages one office's new outputs with the ones it keeps, and records them in `staged`. */
async function stageOffice(
  office: string,
  decks: readonly FinishedDeck[],
  { staging, previous, outDir }: { staging: Staging; previous: readonly ManifestEntry[]; outDir: string },
  staged: Staged,
): Promise<void> {
  const files = decks.flatMap(({ job, outputs }) =>
    job.formats.flatMap((format) => outputFiles(office, job.essay.slug, format, outputs).map((file) => ({ job, format, file }))),
  )
  // Files of a rebuilt output that this build does not make again (fewer slide images).
  const rebuilt = (e: ManifestEntry) => decks.some(({ job }) => job.essay.slug === e.essay && job.formats.some((format) => format === e.format))
  const obsolete = previous.filter((e) => e.office === office && rebuilt(e)).map((e) => e.path)
  const made = files.map(({ file }) => file)
  const kept = await readKeptOutputs(outDir, previous, office, new Set([...made.map((f) => f.path), ...obsolete]))
  await profiler().time('commit', office, () => staging.stageOffice(office, [...made, ...kept]))
  staged.built.push(...files.map(({ job, format, file }) => manifestEntry(job, format, file)))
  for (const { job, thumbnail } of decks) {
    staged.thumbnails.push(Promise.resolve(thumbnail).then((bytes) => (bytes ? [{ path: thumbnailPath(office, job.essay.slug), bytes }] : [])))
  }
}

/**
 * 5. Manifest, catalogue and fit cache; entries of outputs this build did not touch are kept.
 * Then everything staged moves into place at once.
 */
async function commitTopLevel(
  staged: Staged,
  { plan, shard, fits, theme, staging }: { plan: BuildPlan; shard: Shard; fits: { stored: FitCache; cache: FitCache }; theme: Theme; staging: Staging },
  options: BuildOptions,
): Promise<void> {
  const manifest = await mergeManifest(options.outDir, staged.built, plan.previous, shard.record, resolveBuildTime(options.env ?? process.env))
  const { stored, cache } = fits
  const fitCache = mergeFitCaches([stored, cache])
  const newThumbnails = (await Promise.all(staged.thumbnails)).flat()
  const { images, hashes } = await readThumbnails(options.outDir, manifest, newThumbnails, plan.recordedThumbnails)
  if (Object.keys(hashes).length > 0) manifest.thumbnails = hashes
  // The catalogue uses the decks' fonts, already read with the theme.
  const catalogue = renderCatalogue(manifest, images, theme.fonts)
  await staging.stageTopLevel([...newThumbnails, { path: FIT_CACHE, bytes: serializeFitCache(fitCache) }, ...manifestAndCatalogue(manifest, catalogue)])
  await staging.commit()
}

/** A full disk met before the commit point, outside output.ts (the pipeline's own files live in staging too). */
function asDiskFull(error: unknown, outDir: string): unknown {
  if (error instanceof OrtugError) return error
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const code = codeOf(cause)
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      return new OrtugError('ENVIRONMENT', `the disk of ${outDir} is full (${code}): free some space, then build again; the previous outputs are unchanged`, {
        cause: error,
      })
    }
  }
  return error
}
