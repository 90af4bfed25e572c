import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { EVENTS_PATH, injectPreview, renderBanner, renderIndexPage, renderProblemsPage, sendHtml } from '../output/preview-pages.ts'
import { codeOf } from '../shared/disk.ts'
import { fail } from '../shared/error.ts'
import type { Logger } from '../shared/log.ts'
import type { PreviewState } from './preview-build.ts'
import { describeThrown } from './values.ts'

// The preview's server, on 127.0.0.1 only: pages read the current view; open pages hold an event
// stream and learn each new version through it.

/** Tried first when no --port is given, so a restarted preview keeps its URL; any free port if taken. */
export const DEFAULT_PORT = 8080

export class PreviewServer {
  private readonly clients = new Set<ServerResponse>()
  private readonly server: Server
  private port = 0

  constructor(
    private readonly state: PreviewState,
    private readonly officeId: string,
    private readonly logger: Logger,
  ) {
    this.server = createServer((request, response) => this.respondSafely(request, response))
  }

  /** Binds to `port` (undefined: DEFAULT_PORT, or any free one when it is taken); returns the URL. */
  async listen(port: number | undefined): Promise<string> {
    this.port = await listen(this.server, port)
    this.server.on('error', (error) => this.logger.error(`the preview server: ${error.message}`))
    return `http://127.0.0.1:${this.port}/`
  }

  /** How many pages are open. */
  get pages(): number {
    return this.clients.size
  }

  /** Tells every open page the current version: they reload. */
  broadcast(): void {
    for (const client of this.clients) client.write(`event: version\ndata: ${this.state.version}\n\n`)
  }

  /** Ends open connections and closes the server. */
  async close(): Promise<void> {
    for (const client of this.clients) client.end()
    const closed = new Promise((resolve) => this.server.close(resolve))
    this.server.closeAllConnections()
    await closed
  }

  private respondSafely(request: IncomingMessage, response: ServerResponse): void {
    try {
      this.respond(request, response)
    } catch (error) {
      this.logger.error(describeThrown(error))
      if (!response.headersSent) sendHtml(response, 500, renderProblemsPage([{ message: 'kesalahan internal; lihat terminal' }], this.state.version))
    }
  }

  private respond(request: IncomingMessage, response: ServerResponse): void {
    // Only pages opened from this machine by this address: a foreign Host header is DNS rebinding.
    if (request.headers.host !== `127.0.0.1:${this.port}` && request.headers.host !== `localhost:${this.port}`) {
      response.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('forbidden: open the preview at 127.0.0.1\n')
      return
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n')
      return
    }
    const { pathname } = new URL(request.url ?? '/', 'http://127.0.0.1')
    if (pathname === EVENTS_PATH) {
      this.openEvents(response)
      return
    }
    if (pathname === '/favicon.ico') {
      response.writeHead(204).end()
      return
    }
    const page = this.selectPage(pathname)
    sendHtml(response, page.status, page.html)
  }

  private openEvents(response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
    response.write(`retry: 1000\nevent: version\ndata: ${this.state.version}\n\n`)
    this.clients.add(response)
    response.on('close', () => this.clients.delete(response))
  }

  /** One deck: at / too; several: an index at /, each deck at /<slug>; a failed build: its problems everywhere. */
  private selectPage(pathname: string): { status: number; html: string } {
    const { view, version } = this.state
    if (view.kind === 'problems') return { status: 500, html: renderProblemsPage(view.problems, version) }
    const deck = pathname === '/' && view.decks.length === 1 ? view.decks[0] : view.decks.find((d) => pathname === `/${encodeURIComponent(d.slug)}`)
    if (deck) return { status: 200, html: injectPreview(deck.html, renderBanner(view.officeName, this.officeId), version) }
    if (pathname === '/') return { status: 200, html: renderIndexPage(view.officeName, view.decks, version) }
    return { status: 404, html: renderIndexPage(view.officeName, view.decks, version, `Tidak ada dek di ${pathname}.`) }
  }
}

/** Binds to 127.0.0.1 only; returns the port. */
async function listen(server: Server, port: number | undefined): Promise<number> {
  try {
    if (port !== undefined) return await listenOn(server, port)
    return await listenOn(server, DEFAULT_PORT).catch((error: unknown) => (codeOf(error) === 'EADDRINUSE' ? listenOn(server, 0) : Promise.reject(error)))
  } catch (cause) {
    const code = codeOf(cause)
    const reason = code === 'EADDRINUSE' ? 'is in use' : code === 'EACCES' ? 'needs privileges' : `cannot be used (${code})`
    fail('ENVIRONMENT', `port ${port ?? DEFAULT_PORT} on 127.0.0.1 ${reason}: choose another with --port, or --port 0 for any free port`, { cause })
  }
}

function listenOn(server: Server, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening)
      reject(error)
    }
    const onListening = () => {
      server.off('error', onError)
      const address = server.address()
      // Listening on a TCP port, the address is always an object; a string is a pipe's path.
      if (address === null || typeof address === 'string') reject(new Error(`the server listens on ${address}, not on a port`))
      else resolve(address.port)
    }
    server.once('error', onError).once('listening', onListening).listen(port, '127.0.0.1')
  })
}
