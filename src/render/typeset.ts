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

/** A slide's fields as shown: every text bound, the subtitle closed. Pure. */
export function typesetFields(fields: Record<string, unknown>): Record<string, unknown> {
  const bind = (value: unknown): unknown => {
    if (typeof value === 'string') return bindShortWords(value)
    if (Array.isArray(value)) return value.map(bind)
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bind(v)]))
    return value
  }
  const bound = bind(fields) as Record<string, unknown>
  return typeof bound.subtitle === 'string' ? { ...bound, subtitle: closeSubtitle(bound.subtitle) } : bound
}
