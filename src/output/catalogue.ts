import { formatBytes } from '../shared/bytes.ts'
import { HOUSE_COLORS, LEVELS, RE_COLOR } from '../shared/schema.ts'
import type { Manifest, ManifestEntry, OfficeLevel } from '../shared/types.ts'

// dist/index.html: every office and its decks with a thumbnail of the title slide, links to each
// output, sizes and the build date, and a search box. One self-contained file that works from
// file:// (thumbnails are data: URIs, the script is inline).
//
// Offices that keep the house colours have title slides that differ only in a line of small
// type, so a card shows the office by its name, its level and its own colour swatches; the
// thumbnail is the office's real title slide (its colours and logo when it sets them).

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

const LEVEL_HEADINGS = { provinsi: 'Provinsi', kabupaten: 'Kabupaten', kota: 'Kota' } as const satisfies Record<OfficeLevel, string>
const MONTHS_ID = ['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agu', 'Sep', 'Okt', 'Nov', 'Des'] as const
/** Asia/Jakarta is UTC+7 all year (no daylight saving), so WIB needs no time-zone database. */
const WIB_OFFSET_MS = 7 * 60 * 60 * 1000
const RE_LEVEL_WORD = /\b(provinsi|kabupaten|kota)\b/i

/** "29 Nov 2026 09:40 WIB"; text that is not a date is returned as it is. */
export function formatWib(iso: string): string {
  const time = new Date(iso).getTime()
  if (Number.isNaN(time)) return iso
  const wib = new Date(time + WIB_OFFSET_MS)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${wib.getUTCDate()} ${MONTHS_ID[wib.getUTCMonth()]} ${wib.getUTCFullYear()} ${pad(wib.getUTCHours())}:${pad(wib.getUTCMinutes())} WIB`
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
  const rank = (card: OfficeCard) => (card.level ? LEVELS.indexOf(card.level) : LEVELS.length)
  return [...offices.values()].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, 'id') || a.id.localeCompare(b.id))
}

/** `thumbnails` maps "office/essay" to an image data: URI. */
export function renderCatalogue(manifest: Manifest, thumbnails: ReadonlyMap<string, string> = new Map()): string {
  const offices = orderOffices(manifest)
  const groups: string[] = []
  for (const level of [...LEVELS, undefined]) {
    const members = offices.filter((card) => card.level === level)
    if (members.length === 0) continue
    const heading = level ? LEVEL_HEADINGS[level] : 'Lainnya'
    groups.push(
      `<section class="group"><h2 class="group-heading">${heading} <small>${members.length}</small></h2>\n<div class="offices">\n${members.map((card) => renderOffice(card, thumbnails)).join('\n')}\n</div></section>`,
    )
  }
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
.help { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: .5rem 2rem; margin: 0 0 1.25rem; padding: .9rem 1.1rem; background: #fff; border: 1px solid var(--rule); border-radius: 8px; font-size: .95rem; }
.help p { margin: 0; }
kbd { font: .85em/1 ui-monospace, monospace; padding: .15em .4em; border: 1px solid #c9c3b6; border-bottom-width: 2px; border-radius: 4px; background: #faf8f3; }
input[type=search] { font: inherit; width: 100%; max-width: 28rem; padding: .55rem .8rem; border: 1px solid #c9c3b6; border-radius: 6px; margin-bottom: 1rem; }
.group-heading { font-size: 1.2rem; margin: 1.25rem 0 .75rem; }
.group-heading small { color: var(--muted); font-weight: 400; font-size: .85rem; }
.offices { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 1.25rem; }
.office { background: #fff; border: 1px solid var(--rule); border-top: 6px solid var(--office, var(--primary)); border-radius: 8px; padding: 1rem; }
.office-head { display: flex; align-items: flex-start; justify-content: space-between; gap: .75rem; margin: 0 0 .75rem; }
.office h2.name { font-size: 1.1rem; margin: 0; }
.swatches { display: flex; gap: .25rem; flex: none; }
.swatches i { display: block; width: 1.1rem; height: 1.1rem; border-radius: 50%; border: 1px solid rgb(0 0 0 / .15); }
.deck { display: flex; flex-direction: column; gap: .6rem; }
.deck + .deck { margin-top: 1rem; padding-top: 1rem; border-top: 1px solid var(--rule); }
.deck img { display: block; width: 100%; aspect-ratio: 16 / 9; object-fit: contain; background: #eee; border: 1px solid var(--rule); }
.deck ul { display: flex; flex-wrap: wrap; gap: .2rem 1rem; }
.deck h3 { font-size: .95rem; margin: 0 0 .35rem; }
.deck ul { list-style: none; margin: 0; padding: 0; font-size: .92rem; }
.deck li small { color: var(--muted); }
a { color: var(--primary); }
#empty { color: var(--muted); }
</style></head><body>
<header><h1>Katalog materi orientasi</h1><p>${offices.length} kantor · dibuat ${escapeHtml(formatWib(manifest.builtAt))}</p></header>
<main>
<div class="help">
<p><strong>Presentasi:</strong> buka <em>Presentasi</em> di Chrome atau Edge, pindah slide dengan tombol panah; <kbd>p</kbd> membuka tampilan penyaji (catatan, slide berikutnya, waktu), <kbd>f</kbd> layar penuh.</p>
<p><strong>Cetak:</strong> <em>Handout</em> adalah PDF untuk peserta (A4 atau F4, sesuai pengaturan kantor): cetak dengan skala 100%, bolak-balik. <em>PDF slide</em> berisi satu slide per halaman.</p>
</div>
<input type="search" id="filter" placeholder="Cari kantor…" aria-label="Cari kantor">
<p id="empty" hidden>Tidak ada kantor yang cocok.</p>
${groups.join('\n')}
</main>
<script>
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
    shown += inGroup
  }
  document.getElementById('empty').hidden = shown > 0
})
</script>
</body></html>
`
}

// --- internal ---

function levelOf(entry: ManifestEntry): OfficeLevel | undefined {
  if (entry.officeLevel && (LEVELS as readonly string[]).includes(entry.officeLevel)) return entry.officeLevel
  const word = RE_LEVEL_WORD.exec(entry.officeName ?? '')?.[1]?.toLowerCase()
  return word as OfficeLevel | undefined
}

function renderOffice(card: OfficeCard, thumbnails: ReadonlyMap<string, string>): string {
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
      return `<div class="deck">${image}<div><h3>${escapeHtml(title)}</h3><ul>${links}</ul></div></div>`
    })
    .join('')
  const search = `${card.id} ${card.name}`.toLowerCase()
  const style = card.colors ? ` style="--office: ${card.colors.primary}"` : ''
  const swatches = card.colors
    ? `<span class="swatches" title="Warna kantor: ${card.colors.primary}, ${card.colors.accent}"><i style="background: ${card.colors.primary}"></i><i style="background: ${card.colors.accent}"></i></span>`
    : ''
  return `<section class="office" data-search="${escapeHtml(search)}"${style}><div class="office-head"><h2 class="name">${escapeHtml(card.name)}</h2>${swatches}</div>${body}</section>`
}
