import { readFile } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import path from 'node:path'
import { formatLocation, type Location, type OrtugError } from '../shared/error.ts'
import { HOUSE_COLORS } from '../shared/schema.ts'
import { escapeHtml } from './catalogue.ts'

// The preview's pages: a deck with its banner and reload script, the index of decks, and the
// problems of a failed build with the lines around each.

export const EVENTS_PATH = '/__ortug/events'

export interface PreviewDeck {
  slug: string
  title: string
  author: string
  slides: number
  html: string
}

export interface Problem {
  where?: string
  message: string
  /** The lines around the problem, with a marker, when the file can be read. */
  excerpt?: string
}

export async function describeProblem(error: OrtugError, root: string): Promise<Problem> {
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

export function sendHtml(response: ServerResponse, status: number, html: string): void {
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

export function renderBanner(officeName: string, officeId: string): string {
  return `<div id="ortug-preview" role="status">Pratinjau ${escapeHtml(officeName)} · tanpa cek muat: teks panjang bisa meluap di sini dan dipecah saat build; <code>ortug check --office ${escapeHtml(officeId)}</code> memeriksanya <button type="button" aria-label="Sembunyikan catatan ini">×</button></div>
<style>
#ortug-preview { position: fixed; top: 8px; right: 8px; z-index: 2147483647; max-width: 40rem; font: 12px/1.4 system-ui, sans-serif; color: #fff; background: rgba(29, 35, 48, .88); padding: 4px 6px 4px 10px; border-radius: 4px; }
#ortug-preview code { font-size: 11px; }
#ortug-preview button { font: inherit; color: inherit; background: none; border: 0; cursor: pointer; padding: 0 4px; }
@media print { #ortug-preview { display: none; } }
</style>`
}

export function injectPreview(html: string, extra: string, version: string): string {
  const tail = `${extra}${reloadScript(version)}`
  const at = html.lastIndexOf('</body>')
  return at === -1 ? html + tail : html.slice(0, at) + tail + html.slice(at)
}

const PAGE_STYLE = `
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f4ef; }
main { max-width: 60rem; margin: 0 auto; padding: 2rem; }
h1 { font-size: 1.4rem; margin: 0 0 1rem; }
a { color: ${HOUSE_COLORS.primary}; }
li { margin: .4rem 0; }
small { color: #5d6473; }
.problem { background: #fff; border: 1px solid #e6e1d6; border-left: 4px solid #c62828; border-radius: 4px; padding: .75rem 1rem; margin: 1rem 0; }
.where { font: 14px/1.4 ui-monospace, monospace; color: ${HOUSE_COLORS.primary}; font-weight: 600; }
.message { white-space: pre-wrap; margin: .4rem 0; font: 15px/1.5 ui-monospace, monospace; }
.excerpt { overflow-x: auto; background: #1d2330; color: #f4f1ea; padding: .6rem .8rem; border-radius: 4px; font: 13px/1.45 ui-monospace, monospace; }
`

function renderPage(title: string, body: string, version: string): string {
  return `<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${PAGE_STYLE}</style></head>
<body><main>${body}</main>${reloadScript(version)}</body></html>
`
}

export function renderIndexPage(officeName: string, decks: readonly PreviewDeck[], version: string, notice?: string): string {
  const items = decks
    .map(
      (d) =>
        `<li><a href="/${escapeHtml(encodeURIComponent(d.slug))}">${escapeHtml(d.title)}</a> <small>${escapeHtml(d.author)} · ${d.slides} slide · ${escapeHtml(d.slug)}</small></li>`,
    )
    .join('\n')
  const lead = notice ? `<p>${escapeHtml(notice)}</p>` : ''
  return renderPage(`Pratinjau: ${officeName}`, `<h1>Pratinjau: ${escapeHtml(officeName)}</h1>${lead}<ul>\n${items}\n</ul>`, version)
}

export function renderProblemsPage(problems: readonly Problem[], version: string): string {
  const items = problems
    .map(
      (p) =>
        `<section class="problem">${p.where ? `<div class="where">${escapeHtml(p.where)}</div>` : ''}<p class="message">${escapeHtml(p.message)}</p>${
          p.excerpt ? `<pre class="excerpt">${escapeHtml(p.excerpt)}</pre>` : ''
        }</section>`,
    )
    .join('\n')
  const heading = `Masalah: ${problems.length}. Pratinjau dibuat ulang begitu perbaikan disimpan.`
  return renderPage(`Pratinjau: ${problems.length} masalah`, `<h1>${escapeHtml(heading)}</h1>\n${items}`, version)
}
