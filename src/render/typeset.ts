// Indonesian typesetting of what a slide shows (never of the notes, which are the author's text
// verbatim): short words stay with the name they introduce, and a subtitle that announces what
// follows ends with a colon, not a bare preposition.

/**
 * Short words that must not end a line before a name: "di KPU", "ke Bandung", "dari Jawa Barat",
 * "yang Maha Esa". The rule: after one of these words, a space followed by a capital letter (a
 * name or an acronym) becomes a non-breaking space. Before a lower-case word the line may break.
 */
const RE_SHORT_BEFORE_NAME = /(^|[\s(“"'])(di|ke|dari|yang|Di|Ke|Dari|Yang) (?=\p{Lu})/gu

/** Words a subtitle may not end on: it would read as cut off ("ASN rentan terhadap"). */
const DANGLING = new Set([
  'terhadap',
  'untuk',
  'dari',
  'pada',
  'dengan',
  'oleh',
  'kepada',
  'di',
  'ke',
  'bagi',
  'tentang',
  'yaitu',
  'yakni',
  'meliputi',
  'seperti',
  'antara',
  'karena',
  'dalam',
  'atas',
  'adalah',
  'ialah',
  'agar',
  'supaya',
  'sebagai',
  'melalui',
  'yang',
])

/** "Tugas ASN di KPU" keeps "di KPU" on one line (a non-breaking space after "di"). */
export function bindShortWords(text: string): string {
  return text.replace(RE_SHORT_BEFORE_NAME, '$1$2\u00a0')
}

/** "ASN rentan terhadap" → "ASN rentan terhadap:"; a subtitle ending otherwise stays as it is. */
export function closeSubtitle(subtitle: string): string {
  const last = /(\p{L}+)\s*$/u.exec(subtitle)?.[1]?.toLowerCase()
  return last && DANGLING.has(last) ? `${subtitle.trimEnd()}:` : subtitle
}

/**
 * A title with a series name before its colon ("Ortug KPU Jabar: Titik Awal …") splits there: the
 * name as a small line above, the rest as the headline, so the break falls after the colon rather
 * than where balancing puts it. Without a colon: no kicker, the whole title.
 */
export function splitTitle(title: string): { kicker: string | null; headline: string } {
  const at = title.indexOf(': ')
  if (at <= 0 || at > 40 || at + 2 >= title.length) return { kicker: null, headline: title }
  return { kicker: title.slice(0, at), headline: title.slice(at + 2) }
}

/** A slide's fields as shown: every text bound, the subtitle closed. Pure. */
export function typesetFields(fields: object): Record<string, unknown> {
  const bind = (value: unknown): unknown => {
    if (typeof value === 'string') return bindShortWords(value)
    if (Array.isArray(value)) return value.map(bind)
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bind(v)]))
    return value
  }
  const bound = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, bind(v)]))
  const title = typeof bound.title === 'string' ? splitTitle(bound.title) : { kicker: null, headline: bound.title ?? null }
  return { ...bound, ...title, ...(typeof bound.subtitle === 'string' ? { subtitle: closeSubtitle(bound.subtitle) } : {}) }
}
