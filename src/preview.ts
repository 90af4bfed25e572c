import { existsSync, type FSWatcher, readdirSync, statSync, watch } from 'node:fs'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { escapeHtml } from './catalogue.ts'
import { BUILTIN_TEMPLATES, loadProject, readText, type Selection } from './content.ts'
import { collectErrors, fail, formatLocation, type Location, OrtugError, OrtugErrors } from './error.ts'
import type { Logger } from './log.ts'
import { compileDeckTemplates } from './markdown.ts'
import { sha256 } from './output.ts'
import { planDeck } from './plan.ts'
import type { MarpWorker } from './render.ts'
import { loadFontFaceCss } from './theme.ts'

// `ortug preview`: one office's decks rendered in memory (never into dist/) and served on
// 127.0.0.1. Content and templates are watched; each change rebuilds the decks, and open pages
// learn the new version through Server-Sent Events and reload themselves. A build that fails is
// shown on the page and in the terminal, and the server keeps running.

/** Tried first when no --port is given, so a restarted preview keeps its URL; any free port if taken. */
export const DEFAULT_PORT = 8080
/** Editors save in several steps (truncate, write, rename): one rebuild per burst of events. */
const DEBOUNCE_MS = 100
const EVENTS_PATH = '/__ortug/events'
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

interface PreviewDeck {
  slug: string
  title: string
  author: string
  slides: number
  html: string
}

interface Problem {
  where?: string
  message: string
  /** The lines around the problem, with a marker, when the file can be read. */
  excerpt?: string
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
  const fontFaceCss = await loadFontFaceCss()
  // One Marp process for the preview's life: a rebuild then converts in a fraction of a second.
  const marp = (await import('./render.ts')).startMarpWorker()
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
      if (!response.headersSent) sendHtml(response, 500, renderProblemsPage([{ message: 'internal error; see the terminal' }], version))
    }
  })
  port = await listen(server, options.port).catch(async (error) => {
    marp.close()
    await rm(workDir, { recursive: true, force: true })
    throw error
  })
  server.on('error', (error) => logger.error(`the preview server: ${error.message}`))

  // 3. Watchers: content/ and the templates folder (the theme is inside it), rebuilt after a quiet moment.
  const watchers = new Map<string, { close(): void }>()
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
  await syncWatchers()

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
      // A rebuild under way may still add watchers: close them after it.
      await building
      for (const watcher of watchers.values()) watcher.close()
      marp.close()
      await rm(workDir, { recursive: true, force: true })
    },
  }

  // ---- steps of the preview, sharing its state ----

  async function attemptBuild(): Promise<{ view: View } | { errors: OrtugError[] }> {
    try {
      return { view: await renderPreview(root, selection, workDir, fontFaceCss, marp) }
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
        await syncWatchers()
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

  /** Watches the folders the project uses now: a templates/ folder created later replaces the built-in one. */
  async function syncWatchers(): Promise<void> {
    const local = path.join(root, 'templates')
    const wanted = [path.join(root, 'content'), (await isDirectory(local)) ? local : BUILTIN_TEMPLATES]
    for (const [dir, watcher] of watchers) {
      if (dir !== root && !wanted.includes(dir)) {
        watcher.close()
        watchers.delete(dir)
      }
    }
    if (closed) return
    if (!watchers.has(root)) {
      // The project folder itself, not in depth: only for content/ or templates/ appearing, going or being replaced.
      const watcher = watch(root, (_event, name) => {
        const folder = String(name)
        if (folder !== 'content' && folder !== 'templates') return
        watchers.get(path.join(root, folder))?.close()
        watchers.delete(path.join(root, folder))
        onChange(folder)
      })
      watcher.on('error', () => undefined)
      watchers.set(root, watcher)
    }
    for (const dir of wanted) {
      if (watchers.has(dir) || !(await isDirectory(dir))) continue
      watchers.set(
        dir,
        watchTree(dir, (file) => onChange(path.relative(root, file))),
      )
    }
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
    return { status: 404, html: renderIndexPage(view.officeName, view.decks, version, `No deck at ${pathname}.`) }
  }
}

/**
 * Load → plan → Markdown → HTML for one office, like a build, but without the fit check (it needs
 * the browser and seconds per deck): the page banner says so.
 */
async function renderPreview(root: string, selection: Selection, workDir: string, fontFaceCss: string, marp: MarpWorker): Promise<View> {
  const project = await loadProject(root, selection)
  if (project.problems.length > 0) throw new OrtugErrors(project.problems)
  const entry = project.offices[0] ?? fail('CONTENT', `office "${selection.offices?.[0]}" did not load`)
  if (project.essays.length === 0) fail('CONTENT', 'there are no essays to preview: write one as content/essays/<slug>.md')
  const renderMarkdown = compileDeckTemplates(entry.templates)
  const decks = project.essays.map(({ essay, storyboard }) => {
    const deck = planDeck(essay, storyboard, entry.office)
    return { essay, slides: deck.slides.length, markdown: renderMarkdown(deck) }
  })
  // marp-cli converts every file of its input folder: start from an empty one.
  await rm(workDir, { recursive: true, force: true })
  const html = await marp.convert(
    decks.map((d) => ({ base: d.essay.slug, markdown: d.markdown })),
    workDir,
    { format: 'html', themeCss: await readText(project.themeFile), fontCss: fontFaceCss },
  )
  return {
    kind: 'decks',
    officeName: entry.office.name,
    decks: decks.map(({ essay, slides }) => ({
      slug: essay.slug,
      title: essay.meta.title,
      author: essay.meta.author,
      slides,
      html: Buffer.from(html.get(essay.slug) ?? fail('ENVIRONMENT', `marp-cli wrote no HTML for ${essay.slug}`)).toString('utf8'),
    })),
  }
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

async function describeProblem(error: OrtugError, root: string): Promise<Problem> {
  const { location } = error
  if (!location) return { message: error.message }
  const relative = path.relative(root, location.file)
  const where = formatLocation({ ...location, file: relative.startsWith('..') ? location.file : relative.split(path.sep).join('/') })
  return { where, message: error.message, excerpt: await readExcerpt(location) }
}

/** Two lines before the problem and one after, numbered, with a caret under the column. */
async function readExcerpt({ file, line, column }: Location): Promise<string | undefined> {
  if (line === undefined) return undefined
  const text = await readFile(file, 'utf8').catch(() => undefined)
  if (text === undefined) return undefined
  const lines = text.split(/\r?\n/)
  const last = Math.min(lines.length, line + 1)
  const width = String(last).length
  const out: string[] = []
  for (let n = Math.max(1, line - 2); n <= last; n++) {
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${lines[n - 1]}`)
    if (n === line && column !== undefined) out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, column - 1))}^`)
  }
  return out.join('\n')
}

/**
 * Calls `onChange` with the path of every file created, changed or removed under `dir`. On Linux
 * with one watcher per folder: Node 20's recursive watch there follows files, not folders, and
 * goes silent after an editor's atomic save (a temp file renamed over the original), see
 * https://github.com/nodejs/node/issues/48437. Elsewhere the system watches recursively itself.
 */
function watchTree(dir: string, onChange: (file: string) => void): { close(): void } {
  if (process.platform !== 'linux') {
    const watcher = watch(dir, { recursive: true }, (_event, name) => onChange(name ? path.join(dir, String(name)) : dir))
    watcher.on('error', () => onChange(dir))
    return { close: () => watcher.close() }
  }
  const folders = new Map<string, FSWatcher>()
  const unwatch = (folder: string) => {
    for (const [watched, watcher] of folders) {
      if (watched === folder || watched.startsWith(folder + path.sep)) {
        watcher.close()
        folders.delete(watched)
      }
    }
  }
  const add = (folder: string) => {
    if (folders.has(folder) || !isDirectorySync(folder)) return
    let watcher: FSWatcher
    try {
      watcher = watch(folder, (_event, name) => {
        const file = name ? path.join(folder, String(name)) : folder
        // A folder created, removed or renamed: watch what is there now.
        if (folders.has(file)) unwatch(file)
        add(file)
        onChange(file)
      })
    } catch {
      return
    }
    watcher.on('error', () => unwatch(folder))
    folders.set(folder, watcher)
    for (const entry of readdirSync(folder, { withFileTypes: true })) if (entry.isDirectory()) add(path.join(folder, entry.name))
  }
  add(dir)
  return { close: () => unwatch(dir) }
}

function isDirectorySync(file: string): boolean {
  try {
    return statSync(file).isDirectory()
  } catch {
    return false
  }
}

function sendHtml(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).end(html)
}

/**
 * Reloads the page when the server's version differs from the one the page was served with; the
 * stream sends the version on connect too, so a rebuild during page load is not missed. Frames
 * (the presenter view's next-slide preview) reload with their parent and keep no stream open.
 */
function reloadScript(version: string): string {
  return `<script>(() => {
  const banner = document.getElementById('ortug-preview')
  if (window !== window.top || /[?&]view=/.test(location.search)) banner?.remove()
  else banner?.querySelector('button')?.addEventListener('click', () => banner.remove())
  if (window !== window.top) return
  const version = ${JSON.stringify(version)}
  new EventSource(${JSON.stringify(EVENTS_PATH)}).addEventListener('version', (event) => {
    if (event.data !== version) location.reload()
  })
})()</script>`
}

function renderBanner(officeName: string, officeId: string): string {
  return `<div id="ortug-preview" role="status">Preview of ${escapeHtml(officeName)} · fit check skipped: long text may overflow here and be split in the build; <code>ortug check --office ${escapeHtml(officeId)}</code> checks it <button type="button" aria-label="Hide this note">×</button></div>
<style>
#ortug-preview { position: fixed; top: 8px; right: 8px; z-index: 2147483647; max-width: 40rem; font: 12px/1.4 system-ui, sans-serif; color: #fff; background: rgba(29, 35, 48, .88); padding: 4px 6px 4px 10px; border-radius: 4px; }
#ortug-preview code { font-size: 11px; }
#ortug-preview button { font: inherit; color: inherit; background: none; border: 0; cursor: pointer; padding: 0 4px; }
@media print { #ortug-preview { display: none; } }
</style>`
}

function injectPreview(html: string, extra: string, version: string): string {
  const tail = `${extra}${reloadScript(version)}`
  const at = html.lastIndexOf('</body>')
  return at === -1 ? html + tail : html.slice(0, at) + tail + html.slice(at)
}

const PAGE_STYLE = `
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f4ef; }
main { max-width: 60rem; margin: 0 auto; padding: 2rem; }
h1 { font-size: 1.4rem; margin: 0 0 1rem; }
a { color: #8f1d21; }
li { margin: .4rem 0; }
small { color: #5d6473; }
.problem { background: #fff; border: 1px solid #e6e1d6; border-left: 4px solid #c62828; border-radius: 4px; padding: .75rem 1rem; margin: 1rem 0; }
.where { font: 14px/1.4 ui-monospace, monospace; color: #8f1d21; font-weight: 600; }
.message { white-space: pre-wrap; margin: .4rem 0; font: 15px/1.5 ui-monospace, monospace; }
.excerpt { overflow-x: auto; background: #1d2330; color: #f4f1ea; padding: .6rem .8rem; border-radius: 4px; font: 13px/1.45 ui-monospace, monospace; }
`

function renderPage(title: string, body: string, version: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${PAGE_STYLE}</style></head>
<body><main>${body}</main>${reloadScript(version)}</body></html>
`
}

function renderIndexPage(officeName: string, decks: readonly PreviewDeck[], version: string, notice?: string): string {
  const items = decks
    .map(
      (d) =>
        `<li><a href="/${escapeHtml(encodeURIComponent(d.slug))}">${escapeHtml(d.title)}</a> <small>${escapeHtml(d.author)} · ${d.slides} slides · ${escapeHtml(d.slug)}</small></li>`,
    )
    .join('\n')
  const lead = notice ? `<p>${escapeHtml(notice)}</p>` : ''
  return renderPage(`Preview: ${officeName}`, `<h1>Preview: ${escapeHtml(officeName)}</h1>${lead}<ul>\n${items}\n</ul>`, version)
}

function renderProblemsPage(problems: readonly Problem[], version: string): string {
  const items = problems
    .map(
      (p) =>
        `<section class="problem">${p.where ? `<div class="where">${escapeHtml(p.where)}</div>` : ''}<p class="message">${escapeHtml(p.message)}</p>${
          p.excerpt ? `<pre class="excerpt">${escapeHtml(p.excerpt)}</pre>` : ''
        }</section>`,
    )
    .join('\n')
  const heading = `${problems.length} problem${problems.length === 1 ? '' : 's'}: the preview rebuilds when you save a fix`
  return renderPage(`Preview: ${problems.length} problem(s)`, `<h1>${escapeHtml(heading)}</h1>\n${items}`, version)
}

async function isDirectory(dir: string): Promise<boolean> {
  return stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  )
}
