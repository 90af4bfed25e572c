import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fail, type OrtugError, OrtugErrors } from '../shared/error.ts'
import type { Logger } from '../shared/log.ts'
import { attemptBuild, type PreviewBuild, PreviewState } from './preview-build.ts'
import { PreviewServer } from './preview-http.ts'
import { RebuildQueue, watchProject } from './preview-watch.ts'

// `ortug preview`: one office's decks rendered in memory (never into dist/) and served on
// 127.0.0.1. Content and templates are watched; each change rebuilds the decks, and open pages
// learn the new version through Server-Sent Events and reload themselves. A build that fails is
// shown on the page and in the terminal, and the server keeps running. The steps: the build
// (preview-build.ts), the server (preview-http.ts), the watcher and its rebuilds (preview-watch.ts).

const RE_PORT = /^\d{1,5}$/

export interface PreviewOptions {
  root: string
  office: string
  essay?: string
  /** undefined: DEFAULT_PORT, or any free port when it is taken; 0: any free port. */
  port?: number
  /** --timeout, in ms: each deck's work in every rebuild. */
  timeoutMs: number
  logger: Logger
}

export interface Preview {
  url: string
  /** Stops watching, ends open connections, closes the server and removes the work folder. */
  close(): Promise<void>
}

/** `--port`: 1–65535, or 0 for any free port; undefined when not given. */
export function parsePort(value: unknown): number | undefined {
  if (value === undefined) return undefined
  const port = Number(value)
  if (typeof value !== 'string' || !RE_PORT.test(value) || port > 65535) {
    fail('USAGE', `--port must be a port number from 1 to 65535, or 0 for any free port; got "${String(value)}"`)
  }
  return port
}

/** Builds the office's decks once, then serves and rebuilds them until `close()`. */
export async function startPreview(options: PreviewOptions): Promise<Preview> {
  const build = await openBuild(options)
  const dispose = async () => {
    build.marp.close()
    await rm(build.workDir, { recursive: true, force: true })
  }
  const state = new PreviewState(options.root)
  const server = new PreviewServer(state, options.office, options.logger)
  const url = await firstBuild(build, state)
    .then(() => server.listen(options.port))
    .catch(async (error: unknown) => {
      await dispose()
      throw error
    })
  const rebuilds = new RebuildQueue(options.root, (files) => rebuild(build, state, server, rebuilds, files))
  const watcher = await watchProject(options.root, (file) => rebuilds.add(path.relative(options.root, file)))
  let closing: Promise<void> | undefined
  const close = async () => {
    const building = rebuilds.close()
    await server.close()
    await building
    await watcher.close()
    await dispose()
  }
  return { url, close: () => (closing ??= close()) }
}

/** The work folder and the one Marp process for the preview's life: a rebuild then converts in a fraction of a second. */
async function openBuild({ root, office, essay, timeoutMs, logger }: PreviewOptions): Promise<PreviewBuild> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'ortug-preview-'))
  const marp = (await import('../render/marp.ts')).startMarpWorker()
  return { root, selection: { offices: [office], essays: essay === undefined ? undefined : [essay] }, workDir, marp, timeoutMs, logger }
}

/** A wrong --office or --essay stops the preview here; bad content is shown on the page. */
async function firstBuild(build: PreviewBuild, state: PreviewState): Promise<void> {
  const outcome = await attemptBuild(build)
  if ('errors' in outcome && outcome.errors.some((e) => e.kind === 'USAGE')) throw new OrtugErrors(outcome.errors)
  await state.accept(outcome)
  if ('errors' in outcome) reportProblems(build.logger, outcome.errors, 'the first build')
}

/** One rebuild for `files`: open pages reload when what they show has changed. */
async function rebuild(build: PreviewBuild, state: PreviewState, server: PreviewServer, queue: RebuildQueue, files: string[]): Promise<void> {
  const begun = performance.now()
  const outcome = await attemptBuild(build)
  if (queue.closed || !(await state.accept(outcome))) return
  const ms = Math.round(performance.now() - begun)
  const cause = files.length > 1 ? `${files[0]} and ${files.length - 1} more` : (files[0] ?? 'a file')
  if ('errors' in outcome) reportProblems(build.logger, outcome.errors, `${cause} changed`)
  else build.logger.info(`${cause} changed: rebuilt in ${ms} ms, reloading ${server.pages} page(s)`)
  server.broadcast()
}

function reportProblems(logger: Logger, errors: readonly OrtugError[], when: string): void {
  for (const error of errors) logger.error(error.format())
  logger.info(`${when}: ${errors.length} problem(s), shown on the page until fixed`)
}
