import { HOUSE_COLORS } from './schema.ts'
import type { Manifest, ManifestEntry } from './types.ts'

// dist/index.html: every office and its decks with a thumbnail of the title slide, links to each
// output, sizes and the build date, and a search box. One self-contained file that works from
// file:// (thumbnails are data: URIs, the script is inline).

export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string)

const FORMAT_LABELS: Record<string, string> = {
  html: 'Presentasi',
  pdf: 'PDF slide',
  handout: 'Handout',
  md: 'Markdown',
  pptx: 'PowerPoint',
  overview: 'Ikhtisar',
  png: 'Gambar',
}
const FORMAT_ORDER = Object.keys(FORMAT_LABELS)

const formatBytes = (bytes: number) => (bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`)

/** `thumbnails` maps "office/essay" to an image data: URI. */
export function renderCatalogue(manifest: Manifest, thumbnails: ReadonlyMap<string, string> = new Map()): string {
  const offices = new Map<string, ManifestEntry[]>()
  for (const entry of manifest.outputs) offices.set(entry.office, [...(offices.get(entry.office) ?? []), entry])
  const cards = [...offices.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([office, entries]) => renderOffice(office, entries, thumbnails))
    .join('\n')
  const built = new Date(manifest.builtAt)
  const date = Number.isNaN(built.getTime()) ? manifest.builtAt : built.toISOString().slice(0, 16).replace('T', ' ')
  return `<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Katalog materi orientasi</title>
<style>
:root { --primary: ${HOUSE_COLORS.primary}; --ink: #1d2330; --muted: #5d6473; --rule: #e6e1d6; }
* { box-sizing: border-box; }
body { font: 16px/1.5 "Segoe UI", system-ui, sans-serif; margin: 0; color: var(--ink); background: #f6f4ef; }
header { background: var(--primary); color: #fff; padding: 1.5rem 2rem; }
header h1 { margin: 0 0 .25rem; font-size: 1.6rem; }
header p { margin: 0; opacity: .85; }
main { max-width: 1200px; margin: 0 auto; padding: 1.5rem 2rem 3rem; }
input[type=search] { font: inherit; width: 100%; max-width: 28rem; padding: .55rem .8rem; border: 1px solid #c9c3b6; border-radius: 6px; margin-bottom: 1.25rem; }
.offices { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 1.25rem; }
.office { background: #fff; border: 1px solid var(--rule); border-radius: 8px; padding: 1rem; }
.office h2 { font-size: 1.1rem; margin: 0 0 .75rem; }
.deck { display: flex; gap: .9rem; align-items: flex-start; }
.deck + .deck { margin-top: 1rem; padding-top: 1rem; border-top: 1px solid var(--rule); }
.deck img { width: 144px; aspect-ratio: 16 / 9; object-fit: contain; background: #eee; border: 1px solid var(--rule); flex: none; }
.deck h3 { font-size: .95rem; margin: 0 0 .35rem; }
.deck ul { list-style: none; margin: 0; padding: 0; font-size: .92rem; }
.deck li small { color: var(--muted); }
a { color: var(--primary); }
#empty { color: var(--muted); }
</style></head><body>
<header><h1>Katalog materi orientasi</h1><p>${offices.size} kantor · dibuat ${escapeHtml(date)} UTC</p></header>
<main>
<input type="search" id="filter" placeholder="Cari kantor…" aria-label="Cari kantor">
<p id="empty" hidden>Tidak ada kantor yang cocok.</p>
<div class="offices">
${cards}
</div>
</main>
<script>
const input = document.getElementById('filter')
input.addEventListener('input', () => {
  const query = input.value.trim().toLowerCase()
  let shown = 0
  for (const card of document.querySelectorAll('.office')) {
    card.hidden = !card.dataset.search.includes(query)
    if (!card.hidden) shown++
  }
  document.getElementById('empty').hidden = shown > 0
})
</script>
</body></html>
`
}

function renderOffice(office: string, entries: ManifestEntry[], thumbnails: ReadonlyMap<string, string>): string {
  const name = entries[0]?.officeName ?? office
  const decks = new Map<string, ManifestEntry[]>()
  for (const entry of entries) decks.set(entry.essay, [...(decks.get(entry.essay) ?? []), entry])
  const body = [...decks.entries()]
    .map(([essay, outputs]) => {
      const thumbnail = thumbnails.get(`${office}/${essay}`)
      const links = outputs
        .filter((o) => o.format in FORMAT_LABELS)
        .sort((a, b) => FORMAT_ORDER.indexOf(a.format) - FORMAT_ORDER.indexOf(b.format) || a.path.localeCompare(b.path))
        .map((o) => `<li><a href="${escapeHtml(o.path)}">${FORMAT_LABELS[o.format]}</a> <small>${formatBytes(o.bytes)}</small></li>`)
        .join('')
      const title = outputs[0]?.essayTitle ?? essay
      const image = thumbnail ? `<img src="${thumbnail}" alt="Slide judul: ${escapeHtml(title)}">` : ''
      return `<div class="deck">${image}<div><h3>${escapeHtml(title)}</h3><ul>${links}</ul></div></div>`
    })
    .join('')
  const search = `${office} ${name}`.toLowerCase()
  return `<section class="office" data-search="${escapeHtml(search)}"><h2>${escapeHtml(name)}</h2>${body}</section>`
}
