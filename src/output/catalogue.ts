import { formatBytes } from '../shared/bytes.ts'
import { compareOffices } from '../shared/collate.ts'
import { HOUSE_COLORS, LEVELS, RE_COLOR } from '../shared/schema.ts'
import type { Manifest, ManifestEntry, OfficeLevel } from '../shared/types.ts'

// dist/index.html: every office and its decks with a thumbnail of the title slide, links to each
// output, sizes and the build date, and a search box. One self-contained file that works from
// file:// (thumbnails are data: URIs, the script is inline).
//
// Offices that keep the house colours have title slides that differ only in a line of small
// type, so a card shows the office by its name, its level and its own colour swatches; the
// thumbnail is the office's real title slide (its colours and logo when it sets them).

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c)

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

const LEVEL_HEADINGS = { provinsi: 'Provinsi', kabupaten: 'Kabupaten', kota: 'Kota' } as const satisfies Record<OfficeLevel, string>
const MONTHS_ID = ['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agu', 'Sep', 'Okt', 'Nov', 'Des'] as const
/** Asia/Jakarta is UTC+7 all year (no daylight saving), so WIB needs no time-zone database. */
const WIB_OFFSET_MS = 7 * 60 * 60 * 1000
const RE_LEVEL_WORD = /\b(provinsi|kabupaten|kota)\b/i

/** "29 Nov 2026 09.40 WIB" (EYD writes time with a full stop); text that is not a date is returned as it is. */
export function formatWib(iso: string): string {
  const time = new Date(iso).getTime()
  if (Number.isNaN(time)) return iso
  const wib = new Date(time + WIB_OFFSET_MS)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${wib.getUTCDate()} ${MONTHS_ID[wib.getUTCMonth()]} ${wib.getUTCFullYear()} ${pad(wib.getUTCHours())}.${pad(wib.getUTCMinutes())} WIB`
}

interface OfficeCard {
  id: string
  name: string
  level: OfficeLevel | undefined
  colors: { primary: string; accent: string } | undefined
  entries: ManifestEntry[]
}

/**
 * The province first, then kabupaten, then kota, alphabetical by name within each. An entry from a
 * build before levels were recorded takes its level from its name ("KPU Kota …"), else comes last.
 */
export function orderOffices(manifest: Manifest): OfficeCard[] {
  const offices = new Map<string, OfficeCard>()
  for (const entry of manifest.outputs) {
    const card = offices.get(entry.office) ?? { id: entry.office, name: entry.officeName ?? entry.office, level: undefined, colors: undefined, entries: [] }
    card.level ??= levelOf(entry)
    card.colors ??= entry.officeColors && RE_COLOR.test(entry.officeColors.primary) && RE_COLOR.test(entry.officeColors.accent) ? entry.officeColors : undefined
    card.entries.push(entry)
    offices.set(entry.office, card)
  }
  return [...offices.values()].sort(compareOffices)
}

/**
 * `thumbnails` maps "office/essay" to an image data: URI (320 px wide: shown at 160 CSS px, sharp on
 * a 2× screen); `fontCss` the deck's `@font-face` rules, so the page speaks in the decks' type.
 */
export function renderCatalogue(manifest: Manifest, thumbnails: ReadonlyMap<string, string> = new Map(), fontCss = ''): string {
  const offices = orderOffices(manifest)
  const essays = essayTitles(manifest)
  // One essay: its title once, at the top. Several: each deck names its own.
  const single = essays.size === 1
  const groups: string[] = []
  for (const level of [...LEVELS, undefined]) {
    const members = offices.filter((card) => card.level === level)
    if (members.length === 0) continue
    const heading = level ? LEVEL_HEADINGS[level] : 'Lainnya'
    groups.push(
      `<section class="group"><h2 class="group-heading">${heading} <small class="count">${members.length}</small></h2>\n<div class="offices">\n${members.map((card) => renderOffice(card, thumbnails, single)).join('\n')}\n</div></section>`,
    )
  }
  const essayLine = single ? `<p class="essay">${escapeHtml([...essays.values()][0] ?? '')}</p>` : ''
  return `<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Katalog materi orientasi</title>
<style>${fontCss.replace(/<\/(style)/gi, '<\\/$1')}</style>
<style>
:root { --primary: ${HOUSE_COLORS.primary}; --accent: ${HOUSE_COLORS.accent}; --ink: #1d2330; --muted: #5d6473; --rule: #e6e1d6; }
${CATALOGUE_CSS}
</style></head><body>
<header><div class="wrap"><h1>Katalog materi orientasi</h1>${essayLine}<p class="meta">${offices.length} kantor · dibuat ${escapeHtml(formatWib(manifest.builtAt))}</p></div></header>
<main class="wrap">
<div class="tools">
<input type="search" id="filter" placeholder="Cari kantor…" aria-label="Cari kantor">
<details class="help"><summary>Cara presentasi dan mencetak</summary>
<p><strong>Presentasi:</strong> buka <em>Presentasi</em> di Chrome atau Edge, pindah slide dengan tombol panah; <kbd>p</kbd> membuka tampilan penyaji (catatan, slide berikutnya, waktu), <kbd>f</kbd> layar penuh, <kbd>t</kbd> memulai hitung mundur diskusi.</p>
<p><strong>Cetak:</strong> <em>Handout</em> adalah PDF untuk peserta (A4 atau F4, sesuai pengaturan kantor): cetak dengan skala 100%, bolak-balik. <em>PDF slide</em> berisi satu slide per halaman.</p>
</details>
</div>
<p id="empty" hidden>Tidak ada kantor yang cocok.</p>
${groups.join('\n')}
</main>
<script>${CATALOGUE_SCRIPT}</script>
</body></html>
`
}

/**
 * A compact grid: each office its thumbnail (160 CSS px, its image's half) beside its name, its
 * links below; three or four a row on a desktop, one a row on a phone. Links and the search box are at least
 * 44 px tall, the size a finger can hit.
 */
const CATALOGUE_CSS = `* { box-sizing: border-box; }
body { font: 17px/1.45 "Source Sans 3", "Segoe UI", system-ui, sans-serif; margin: 0; color: var(--ink); background: #f6f4ef; }
.wrap { max-width: 1400px; margin: 0 auto; padding-left: 1.25rem; padding-right: 1.25rem; }
header { background: var(--primary); color: #fff; border-bottom: 5px solid var(--accent); }
header .wrap { padding-top: 1.1rem; padding-bottom: 1.1rem; }
header h1 { margin: 0; font-size: 1.15rem; font-weight: 600; letter-spacing: .02em; opacity: .9; }
header .essay { margin: .2rem 0 .3rem; font-size: 1.6rem; font-weight: 700; line-height: 1.2; text-wrap: balance; }
header .meta { margin: 0; opacity: .85; }
main { padding-bottom: 3rem; }
.tools { display: flex; flex-wrap: wrap; align-items: flex-start; gap: .75rem 1.5rem; margin: 1.25rem 0 .5rem; }
input[type=search] { font: inherit; flex: 0 1 24rem; min-width: 0; width: 100%; min-height: 44px; padding: .5rem .8rem; border: 1px solid #b9b3a6; border-radius: 6px; }
.help { flex: 1 1 22rem; }
.help summary { display: flex; align-items: center; min-height: 44px; cursor: pointer; color: var(--primary); font-weight: 600; }
.help p { margin: 0 0 .5rem; max-width: 60rem; }
kbd { font: .85em/1 ui-monospace, monospace; padding: .15em .4em; border: 1px solid #c9c3b6; border-bottom-width: 2px; border-radius: 4px; background: #faf8f3; }
.group-heading { font-size: 1.2rem; margin: 1.25rem 0 .6rem; }
.group-heading small { color: var(--muted); font-weight: 400; font-size: .9rem; }
.offices { display: grid; grid-template-columns: repeat(auto-fill, minmax(21rem, 1fr)); gap: .75rem; }
.office { display: grid; grid-template-columns: 160px minmax(0, 1fr); gap: .35rem .9rem; align-items: start; padding: .75rem; background: #fff; border: 1px solid var(--rule); border-left: 6px solid var(--office, var(--primary)); border-radius: 8px; }
.office-head { grid-column: 2; grid-row: 1; display: flex; align-items: flex-start; justify-content: space-between; gap: .5rem; }
.office h2.name { font-size: 1.05rem; line-height: 1.25; margin: 0; }
.swatches { display: flex; gap: .25rem; flex: none; padding-top: .15rem; }
.swatches i { display: block; width: 1rem; height: 1rem; border-radius: 50%; border: 1px solid rgb(0 0 0 / .15); }
.deck { display: contents; }
.deck img { grid-column: 1; grid-row: 1; display: block; width: 160px; aspect-ratio: 16 / 9; object-fit: contain; background: #eee; border: 1px solid var(--rule); }
.deck > div { grid-column: 1 / -1; }
.deck + .deck img { grid-row: auto; }
.deck h3 { font-size: .95rem; font-weight: 600; margin: 0; color: var(--muted); }
.deck ul { list-style: none; margin: 0 0 0 -.5rem; padding: 0; display: flex; flex-wrap: wrap; }
.deck li a { display: inline-flex; align-items: center; gap: .3rem; min-height: 44px; min-width: 44px; padding: 0 .5rem; border-radius: 6px; color: var(--primary); font-weight: 600; text-decoration: none; }
.deck li a:hover, .deck li a:focus-visible { background: #f3eee4; text-decoration: underline; }
.deck li small { color: var(--muted); font-weight: 400; font-size: .78rem; }
#empty { color: var(--muted); }
@media (max-width: 560px) {
  .wrap { padding-left: .75rem; padding-right: .75rem; }
  header .essay { font-size: 1.3rem; }
  .offices { grid-template-columns: minmax(0, 1fr); gap: .5rem; }
  .office { grid-template-columns: 128px minmax(0, 1fr); padding: .6rem; }
  .deck img { width: 128px; }
}`

/** The search: hides offices that do not match, and groups left empty; each group's count follows. */
const CATALOGUE_SCRIPT = `
const input = document.getElementById('filter')
input.addEventListener('input', () => {
  const query = input.value.trim().toLowerCase()
  let shown = 0
  for (const group of document.querySelectorAll('.group')) {
    let inGroup = 0
    for (const card of group.querySelectorAll('.office')) {
      card.hidden = !card.dataset.search.includes(query)
      if (!card.hidden) inGroup++
    }
    group.hidden = inGroup === 0
    group.querySelector('.count').textContent = String(inGroup)
    shown += inGroup
  }
  document.getElementById('empty').hidden = shown > 0
})
`

/** Each essay's title, by slug. */
function essayTitles(manifest: Manifest): Map<string, string> {
  const titles = new Map<string, string>()
  for (const entry of manifest.outputs) if (!titles.has(entry.essay)) titles.set(entry.essay, entry.essayTitle ?? entry.essay)
  return titles
}

// --- internal ---

function levelOf(entry: ManifestEntry): OfficeLevel | undefined {
  // The manifest's schema (manifest-schema.ts) admits only a level of LEVELS; older manifests name none.
  if (entry.officeLevel) return entry.officeLevel
  const word = RE_LEVEL_WORD.exec(entry.officeName ?? '')?.[1]?.toLowerCase()
  return LEVELS.find((level) => level === word)
}

function renderOffice(card: OfficeCard, thumbnails: ReadonlyMap<string, string>, single: boolean): string {
  const decks = new Map<string, ManifestEntry[]>()
  for (const entry of card.entries) decks.set(entry.essay, [...(decks.get(entry.essay) ?? []), entry])
  const body = [...decks.entries()]
    .map(([essay, outputs]) => {
      const thumbnail = thumbnails.get(`${card.id}/${essay}`)
      const links = outputs
        .filter((o) => o.format in FORMAT_LABELS)
        .sort((a, b) => FORMAT_ORDER.indexOf(a.format) - FORMAT_ORDER.indexOf(b.format) || a.path.localeCompare(b.path))
        .map((o) => `<li><a href="${escapeHtml(o.path)}">${FORMAT_LABELS[o.format]}</a> <small>${formatBytes(o.bytes)}</small></li>`)
        .join('')
      const title = outputs[0]?.essayTitle ?? essay
      const image = thumbnail ? `<img src="${thumbnail}" alt="Slide judul ${escapeHtml(card.name)}: ${escapeHtml(title)}">` : ''
      const heading = single ? '' : `<h3>${escapeHtml(title)}</h3>`
      return `<div class="deck">${image}<div>${heading}<ul>${links}</ul></div></div>`
    })
    .join('')
  const search = `${card.id} ${card.name}`.toLowerCase()
  const style = card.colors ? ` style="--office: ${card.colors.primary}"` : ''
  const swatches = card.colors
    ? `<span class="swatches" title="Warna kantor: ${card.colors.primary}, ${card.colors.accent}"><i style="background: ${card.colors.primary}"></i><i style="background: ${card.colors.accent}"></i></span>`
    : ''
  return `<section class="office" data-search="${escapeHtml(search)}"${style}><div class="office-head"><h2 class="name">${escapeHtml(card.name)}</h2>${swatches}</div>${body}</section>`
}
