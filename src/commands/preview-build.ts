import type { Selection } from '../content/project.ts'
import { describeProblem, type PreviewDeck, type Problem } from '../output/preview-pages.ts'
import { planJobs } from '../pipeline/jobs.ts'
import { type FinishedDeck, runPipeline } from '../pipeline/pipeline.ts'
import { loadProject, loadTheme } from '../pipeline/project.ts'
import { emptyFitCache } from '../plan/fit.ts'
import type { MarpWorker } from '../render/marp.ts'
import { collectErrors, fail, OrtugError, OrtugErrors } from '../shared/error.ts'
import { sha256 } from '../shared/hash.ts'
import { createLogger, type Logger } from '../shared/log.ts'
import { describeThrown } from './values.ts'

// The preview's build step: one office's decks rendered in memory, and the view the server shows.

/** What the server shows: the last build's decks, or its problems. */
export type View = { kind: 'decks'; officeName: string; decks: PreviewDeck[] } | { kind: 'problems'; problems: Problem[] }

/** A build's outcome: its view, or the problems that stopped it. */
export type BuildOutcome = { view: View } | { errors: OrtugError[] }

/** What every build of one preview shares. */
export interface PreviewBuild {
  root: string
  selection: Selection
  /** Where marp-cli writes; the preview removes it when it closes. */
  workDir: string
  marp: MarpWorker
  /** --timeout, in ms: each deck's work. */
  timeoutMs: number
  logger: Logger
}

/** Builds the decks; a problem, or a bug, becomes the outcome instead of a throw. */
export async function attemptBuild(build: PreviewBuild): Promise<BuildOutcome> {
  try {
    return { view: await renderPreview(build) }
  } catch (error) {
    return { errors: toOrtugErrors(error, build.logger) }
  }
}

/** The view shown and its version; `version` changes only when the view does, so pages reload only then. */
export class PreviewState {
  view: View = { kind: 'problems', problems: [] }
  version = ''
  private key = ''
  private builds = 0
  private readonly started = Date.now().toString(36)

  constructor(private readonly root: string) {}

  /** Takes a build's outcome; true when what the pages show has changed. */
  async accept(outcome: BuildOutcome): Promise<boolean> {
    const next: View =
      'view' in outcome ? outcome.view : { kind: 'problems', problems: await Promise.all(outcome.errors.map((e) => describeProblem(e, this.root))) }
    const nextKey = sha256(JSON.stringify(next))
    if (nextKey === this.key) return false
    this.key = nextKey
    this.view = next
    this.version = `${this.started}-${++this.builds}`
    return true
  }
}

/**
 * The build's pipeline for one office, without the fit check (it needs the browser and seconds
 * per deck): the page banner says so.
 */
async function renderPreview({ root, selection, workDir, marp, timeoutMs }: PreviewBuild): Promise<View> {
  const project = await loadProject(root, selection)
  if (project.problems.length > 0) throw new OrtugErrors(project.problems)
  const entry = project.offices[0] ?? fail('CONTENT', `office "${selection.offices?.[0]}" did not load`)
  if (project.essays.length === 0) fail('CONTENT', 'there are no essays to preview: write one as content/essays/<slug>.md')
  const { jobs, errors } = await planJobs(project, [entry], { formats: ['html'] })
  if (errors.length > 0) throw new OrtugErrors(errors)
  const decks: PreviewDeck[] = []
  const problems: OrtugError[] = []
  const logger = createLogger({ quiet: true, stream: { write: () => true } })
  const options = { marp, theme: await loadTheme(project), fitCache: emptyFitCache(), fit: false, jobs: 1, timeoutMs, workDir, logger }
  await runPipeline(jobs, options, {
    onFailure: (_office, error) => problems.push(...collectErrors(error)),
    async onOffice(_office, finished) {
      decks.push(...finished.map(toPreviewDeck))
    },
  })
  if (problems.length > 0) throw new OrtugErrors(problems)
  return { kind: 'decks', officeName: entry.office.name, decks }
}

function toPreviewDeck({ job, deck, outputs }: FinishedDeck): PreviewDeck {
  const html = outputs.html ?? fail('ENVIRONMENT', `marp-cli wrote no HTML for ${job.essay.slug}`)
  const { slug, meta } = job.essay
  return { slug, title: meta.title, author: meta.author, slides: deck.slides.length, html: Buffer.from(html).toString('utf8') }
}

function toOrtugErrors(error: unknown, logger: Logger): OrtugError[] {
  try {
    return collectErrors(error)
  } catch {
    // A bug, not bad input: keep the stack in the terminal, keep the server running.
    logger.error(describeThrown(error))
    return [new OrtugError('ENVIRONMENT', `internal error: ${error instanceof Error ? error.message : String(error)}`)]
  }
}
