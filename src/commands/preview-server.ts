import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { BUILTIN_TEMPLATES, type Selection } from '../content/project.ts'
import {
  describeProblem,
  EVENTS_PATH,
  injectPreview,
  type PreviewDeck,
  type Problem,
  renderBanner,
  renderIndexPage,
  renderProblemsPage,
  sendHtml,
} from '../output/preview-pages.ts'
import { loadTheme } from '../pipeline/build.ts'
import { planJobs } from '../pipeline/jobs.ts'
import { runPipeline } from '../pipeline/pipeline.ts'
import { loadProject } from '../pipeline/project.ts'
import { emptyFitCache } from '../plan/fit.ts'
import type { MarpWorker } from '../render/marp.ts'
import { collectErrors, fail, OrtugError, OrtugErrors } from '../shared/error.ts'
import { sha256 } from '../shared/hash.ts'
import { createLogger, type Logger } from '../shared/log.ts'

// `ortug preview`: one office's decks rendered in memory (never into dist/) and served on
// 127.0.0.1. Content and templates are watched; each change rebuilds the decks, and open pages
// learn the new version through Server-Sent Events and reload themselves. A build that fails is
// shown on the page and in the terminal, and the server keeps running.

/** Tried first when no --port is given, so a restarted preview keeps its URL; any free port if taken. */
export const DEFAULT_PORT = 8080
/** Editors save in several steps (truncate, write, rename): one rebuild per burst of events. */
const DEBOUNCE_MS = 100
const RE_PORT = /^\d{1,5}$/

export interface PreviewOptions {
  root: string
  office: string
  essay?: string
  /** undefined: DEFAULT_PORT, or any free port when it is taken; 0: any free port. */
  port?: number
  logger: Logger
}

export interface Preview {
  url: string
  /** Stops watching, ends open connections, closes the server and removes the work folder. */
  close(): Promise<void>
}

/** What the server shows: the last build's decks, or its problems. `version` changes when that does. */
type View = { kind: 'decks'; officeName: string; decks: PreviewDeck[] } | { kind: 'problems'; problems: Problem[] }

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
  const { root, logger } = options
  const selection: Selection = { offices: [options.office], essays: options.essay === undefined ? undefined : [options.essay] }
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'ortug-preview-'))
  // One Marp process for the preview's life: a rebuild then converts in a fraction of a second.
  const marp = (await import('../render/marp.ts')).startMarpWorker()
  const started = Date.now().toString(36)
  let builds = 0
  let key = ''
  let view: View
  let version = ''

  // 1. The first build; a wrong --office or --essay stops here, bad content is shown on the page.
  const first = await attemptBuild()
  if ('errors' in first && first.errors.some((e) => e.kind === 'USAGE')) {
    marp.close()
    await rm(workDir, { recursive: true, force: true })
    throw new OrtugErrors(first.errors)
  }
  await accept(first)
  if ('errors' in first) reportProblems(first.errors, 'the first build')

  // 2. The server: pages read the current view; open pages hold an event stream.
  const clients = new Set<ServerResponse>()
  let port: number
  const server = createServer((request, response) => {
    try {
      respond(request, response)
    } catch (error) {
      logger.error((error as Error).stack ?? String(error))
      if (!response.headersSent) sendHtml(response, 500, renderProblemsPage([{ message: 'kesalahan internal; lihat terminal' }], version))
    }
  })
  port = await listen(server, options.port).catch(async (error) => {
    marp.close()
    await rm(workDir, { recursive: true, force: true })
    throw error
  })
  server.on('error', (error) => logger.error(`the preview server: ${error.message}`))

  // 3. One watcher for content/ and templates/ of the project (created, removed or replaced
  //    later too) and the built-in templates; a rebuild after a quiet moment.
  const changed = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  let building: Promise<void> | undefined
  let again = false
  let closed = false
  const onChange = (file: string) => {
    if (closed) return
    changed.add(file)
    clearTimeout(timer)
    timer = setTimeout(() => void rebuild(), DEBOUNCE_MS)
  }
  const watcher = await watchProject(root, (file) => onChange(path.relative(root, file)))

  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      if (closed) return
      closed = true
      clearTimeout(timer)
      for (const client of clients) client.end()
      const serverClosed = new Promise((resolve) => server.close(resolve))
      server.closeAllConnections()
      await serverClosed
      await building
      await watcher.close()
      marp.close()
      await rm(workDir, { recursive: true, force: true })
    },
  }

  // ---- steps of the preview, sharing its state ----

  async function attemptBuild(): Promise<{ view: View } | { errors: OrtugError[] }> {
    try {
      return { view: await renderPreview(root, selection, workDir, marp) }
    } catch (error) {
      return { errors: toOrtugErrors(error, logger) }
    }
  }

  /** Takes a build's result; open pages reload only when what they show has changed. */
  async function accept(result: { view: View } | { errors: OrtugError[] }): Promise<boolean> {
    const next: View = 'view' in result ? result.view : { kind: 'problems', problems: await Promise.all(result.errors.map((e) => describeProblem(e, root))) }
    const nextKey = sha256(JSON.stringify(next))
    if (nextKey === key) return false
    key = nextKey
    view = next
    version = `${started}-${++builds}`
    return true
  }

  /** One rebuild at a time; changes during a rebuild cause one more when it ends. */
  async function rebuild(): Promise<void> {
    if (building) {
      again = true
      return
    }
    building = (async () => {
      do {
        again = false
        // Editors' temp files are gone by now: name the files that exist.
        const files = [...changed].filter((file) => existsSync(path.resolve(root, file)))
        changed.clear()
        const begun = performance.now()
        const result = await attemptBuild()
        if (closed) return
        const updated = await accept(result)
        const ms = Math.round(performance.now() - begun)
        const cause = files.length > 1 ? `${files[0]} and ${files.length - 1} more` : (files[0] ?? 'a file')
        if (!updated) continue
        if ('errors' in result) reportProblems(result.errors, `${cause} changed`)
        else logger.info(`${cause} changed: rebuilt in ${ms} ms, reloading ${clients.size} page(s)`)
        broadcast()
      } while (again && !closed)
    })()
    try {
      await building
    } finally {
      building = undefined
    }
  }

  function reportProblems(errors: readonly OrtugError[], when: string): void {
    for (const error of errors) logger.error(error.format())
    logger.info(`${when}: ${errors.length} problem(s), shown on the page until fixed`)
  }

  function broadcast(): void {
    for (const client of clients) client.write(`event: version\ndata: ${version}\n\n`)
  }

  function respond(request: IncomingMessage, response: ServerResponse): void {
    // Only pages opened from this machine by this address: a foreign Host header is DNS rebinding.
    if (request.headers.host !== `127.0.0.1:${port}` && request.headers.host !== `localhost:${port}`) {
      response.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('forbidden: open the preview at 127.0.0.1\n')
      return
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n')
      return
    }
    const { pathname } = new URL(request.url ?? '/', 'http://127.0.0.1')
    if (pathname === EVENTS_PATH) {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
      response.write(`retry: 1000\nevent: version\ndata: ${version}\n\n`)
      clients.add(response)
      response.on('close', () => clients.delete(response))
      return
    }
    if (pathname === '/favicon.ico') {
      response.writeHead(204).end()
      return
    }
    const page = selectPage(pathname)
    sendHtml(response, page.status, page.html)
  }

  /** One deck: at / too; several: an index at /, each deck at /<slug>; a failed build: its problems everywhere. */
  function selectPage(pathname: string): { status: number; html: string } {
    if (view.kind === 'problems') return { status: 500, html: renderProblemsPage(view.problems, version) }
    const deck = pathname === '/' && view.decks.length === 1 ? view.decks[0] : view.decks.find((d) => pathname === `/${encodeURIComponent(d.slug)}`)
    if (deck) return { status: 200, html: injectPreview(deck.html, renderBanner(view.officeName, options.office), version) }
    if (pathname === '/') return { status: 200, html: renderIndexPage(view.officeName, view.decks, version) }
    return { status: 404, html: renderIndexPage(view.officeName, view.decks, version, `Tidak ada dek di ${pathname}.`) }
  }
}

/**
 * The build's pipeline for one office, without the fit check (it needs the browser and seconds
 * per deck): the page banner says so.
 */
async function renderPreview(root: string, selection: Selection, workDir: string, marp: MarpWorker): Promise<View> {
  const project = await loadProject(root, selection)
  if (project.problems.length > 0) throw new OrtugErrors(project.problems)
  const entry = project.offices[0] ?? fail('CONTENT', `office "${selection.offices?.[0]}" did not load`)
  if (project.essays.length === 0) fail('CONTENT', 'there are no essays to preview: write one as content/essays/<slug>.md')
  const { jobs, errors } = await planJobs(project, [entry], { formats: ['html'] })
  if (errors.length > 0) throw new OrtugErrors(errors)
  const decks: PreviewDeck[] = []
  const problems: OrtugError[] = []
  const options = { marp, theme: await loadTheme(project), fitCache: emptyFitCache(), fit: false, jobs: 1, timeoutMs: 120_000, workDir }
  await runPipeline(
    jobs,
    { ...options, logger: createLogger({ quiet: true, stream: { write: () => true } }) },
    {
      onFailure: (_office, error) => problems.push(...collectErrors(error)),
      async onOffice(_office, finished) {
        for (const { job, deck, outputs } of finished) {
          const html = outputs.html ?? fail('ENVIRONMENT', `marp-cli wrote no HTML for ${job.essay.slug}`)
          const { slug, meta } = job.essay
          decks.push({ slug, title: meta.title, author: meta.author, slides: deck.slides.length, html: Buffer.from(html).toString('utf8') })
        }
      },
    },
  )
  if (problems.length > 0) throw new OrtugErrors(problems)
  return { kind: 'decks', officeName: entry.office.name, decks }
}

/**
 * Calls `onChange` with every file created, changed or removed under the project's content/ and
 * templates/ (also when those folders appear, go or are replaced) and the built-in templates.
 * chokidar, not fs.watch: Node 20's recursive watch on Linux goes silent after an editor's atomic
 * save (https://github.com/nodejs/node/issues/48437).
 */
async function watchProject(root: string, onChange: (file: string) => void): Promise<{ close(): Promise<void> }> {
  const { watch } = await import('chokidar')
  const watched = new Set(['content', 'templates'])
  const outside = (file: string) => {
    const relative = path.relative(root, file)
    return relative !== '' && !relative.startsWith('..') && !watched.has(relative.split(path.sep)[0] as string)
  }
  const watcher = watch([root, BUILTIN_TEMPLATES], { ignoreInitial: true, ignored: outside, atomic: true })
  watcher.on('all', (_event, file) => onChange(file))
  watcher.on('error', () => undefined)
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()))
  return { close: () => watcher.close() }
}

/** Binds to 127.0.0.1 only; returns the port. */
async function listen(server: Server, port: number | undefined): Promise<number> {
  const attempt = (p: number) =>
    new Promise<number>((resolve, reject) => {
      const onError = (error: Error) => {
        server.off('listening', onListening)
        reject(error)
      }
      const onListening = () => {
        server.off('error', onError)
        resolve((server.address() as AddressInfo).port)
      }
      server.once('error', onError).once('listening', onListening).listen(p, '127.0.0.1')
    })
  try {
    if (port !== undefined) return await attempt(port)
    return await attempt(DEFAULT_PORT).catch((error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? attempt(0) : Promise.reject(error)))
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code
    const reason = code === 'EADDRINUSE' ? 'is in use' : code === 'EACCES' ? 'needs privileges' : `cannot be used (${code ?? cause})`
    fail('ENVIRONMENT', `port ${port ?? DEFAULT_PORT} on 127.0.0.1 ${reason}: choose another with --port, or --port 0 for any free port`, { cause })
  }
}

// ---- internal helpers ----

function toOrtugErrors(error: unknown, logger: Logger): OrtugError[] {
  try {
    return collectErrors(error)
  } catch {
    // A bug, not bad input: keep the stack in the terminal, keep the server running.
    logger.error((error as Error)?.stack ?? String(error))
    return [new OrtugError('ENVIRONMENT', `internal error: ${(error as Error)?.message ?? String(error)}`)]
  }
}
