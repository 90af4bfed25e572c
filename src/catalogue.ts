import type { Manifest } from './types.ts'

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string)

const FORMAT_LABELS: Record<string, string> = { html: 'Presentasi (HTML)', pdf: 'PDF', md: 'Markdown' }

/** `dist/index.html`: every office and its decks, self-contained, works from file://. */
export function renderCatalogue(manifest: Manifest): string {
  const names = new Map(manifest.outputs.map((o) => [o.office, o.officeName]))
  const byOffice = new Map<string, Manifest['outputs']>()
  for (const entry of manifest.outputs) byOffice.set(entry.office, [...(byOffice.get(entry.office) ?? []), entry])
  const rows = [...byOffice.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, entries]) => {
      const links = entries
        .map(
          (e) =>
            `<a href="${escapeHtml(e.path)}">${escapeHtml(e.essay)} · ${FORMAT_LABELS[e.format] ?? e.format}</a> <small>${(e.bytes / 1024).toFixed(0)} KB</small>`,
        )
        .join('<br>')
      return `<tr data-name="${escapeHtml(`${id} ${names.get(id) ?? ''}`.toLowerCase())}"><th>${escapeHtml(names.get(id) ?? id)}</th><td>${links}</td></tr>`
    })
    .join('\n')
  return `<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ortug: katalog materi orientasi</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 960px; padding: 0 1rem; color: #1d2330; }
h1 { color: #8f1d21; } table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top; padding: .6rem; border-bottom: 1px solid #e6e1d6; }
input { font: inherit; padding: .4rem .6rem; width: 100%; max-width: 24rem; margin-bottom: 1rem; } small { color: #5d6473; }
</style></head><body>
<h1>Katalog materi orientasi</h1>
<p>${byOffice.size} kantor · dibuat ${escapeHtml(manifest.builtAt)}</p>
<input type="search" id="filter" placeholder="Cari kantor…" aria-label="Cari kantor">
<table><tbody>
${rows}
</tbody></table>
<script>
document.getElementById('filter').addEventListener('input', (event) => {
  const query = event.target.value.trim().toLowerCase()
  for (const row of document.querySelectorAll('tr[data-name]')) row.hidden = !row.dataset.name.includes(query)
})
</script>
</body></html>
`
}
