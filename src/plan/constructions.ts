import { countWords } from './words.ts'

// Indonesian sentence constructions a derived slide may show as structure: an enumeration
// ("meliputi a, b, dan c", "(1) … (2) …", a comma series), a true contrast ("bukan X, melainkan
// Y") and a quotation. Each finder returns the author's own spans (an item, a clause), or
// undefined when the sentence does not have that shape for sure: a slide may shorten the text,
// never change what it claims. Pure.

/** Words that announce a list: "… meliputi a, b, dan c". */
const RE_ANNOUNCED = /^(.*?)(?:,\s*|\s+)(meliputi|antara lain|di antaranya|yaitu|yakni|terdiri (?:atas|dari)|sebagai berikut)\s*:?\s+(.+?)[.!?]?$/iu
/** Inline item markers: "(1) ", "1) ", "(a) ", "a) ". */
const RE_MARKER = /(?:^|\s)\(?([1-9]|[a-h])\)\s+/gu
/** An item that starts like this continues the sentence: the series ended before it. */
const RE_CLAUSE_START = /^(?:sehingga|agar|supaya|karena|maka|yang|untuk|namun|tetapi|melainkan|sedangkan|jika|apabila|dengan demikian)\b/iu
/** "dll.", "dsb.": the list goes on; they stay with the last item so the slide does not claim the list is complete. */
const RE_ET_CETERA = /^(?:dll|dsb|dst|dan lain-lain|dan sebagainya|dan seterusnya)\.?$/iu
const RE_JOINER = /^(?:dan|serta)\s+/iu
const MAX_ITEM_WORDS = 8
const MIN_ITEMS = 2
const MAX_ITEMS = 8
/** Words of the text before a construction that can stand as the slide's title. */
export const MAX_TITLE_WORDS = 10

export interface Enumeration {
  /** The words before the list (without "meliputi", a colon or a comma), or '' when none. */
  lead: string
  items: string[]
}

export interface Contrast {
  lead: string
  /** The author's conjunction, as the right column's title: "Melainkan", "Tetapi", "Namun". */
  conjunction: string
  left: string
  right: string
}

/** A list inside a sentence: announced ("meliputi", "yaitu" …), numbered or lettered inline, or a comma series of three or more short items. */
export function findEnumeration(sentence: string): Enumeration | undefined {
  return findMarkedList(sentence) ?? findAnnouncedList(sentence) ?? findSeries(sentence)
}

function findAnnouncedList(sentence: string): Enumeration | undefined {
  const match = RE_ANNOUNCED.exec(sentence)
  if (!match) return undefined
  const items = splitSeries(match[3] ?? '', true)
  const lead = cleanLead(match[1] ?? '')
  // Words before the list too long to be its title would be lost, and with them what the list is of ("DKPP memeriksa … yakni a, b").
  if (!lead && countWords(match[1] ?? '') > MAX_TITLE_WORDS) return undefined
  return items && { lead, items }
}

/** "Ada tiga tahap: (1) pendaftaran, (2) verifikasi, dan (3) penetapan.": markers counting up from 1 or a. */
function findMarkedList(sentence: string): Enumeration | undefined {
  const markers = [...sentence.matchAll(RE_MARKER)]
  if (markers.length < MIN_ITEMS) return undefined
  const first = markers[0]?.[1] ?? ''
  const base = /\d/.test(first) ? 1 : 'a'.charCodeAt(0)
  const counts = markers.every((m, i) => {
    const label = m[1] ?? ''
    return (/\d/.test(label) ? Number(label) : label.charCodeAt(0)) === base + i
  })
  if (!counts) return undefined
  const items = markers.map((m, i) => {
    const start = (m.index ?? 0) + m[0].length
    const end = markers[i + 1]?.index ?? sentence.length
    return trimItem(sentence.slice(start, end))
  })
  if (!items.every(isItem)) return undefined
  const lead = sentence.slice(0, markers[0]?.index ?? 0).replace(/\s*(meliputi|antara lain|yaitu|yakni|sebagai berikut)?\s*[:,]?\s*$/iu, '')
  return { lead: cleanLead(lead), items }
}

/** "Datang tepat waktu, periksa logistik, dan laporkan setiap kejadian.": the whole sentence a series of three or more. */
function findSeries(sentence: string): Enumeration | undefined {
  const body = sentence.replace(/[.!?]$/, '')
  const parts = splitTopLevel(body)
  if (parts.length < 3 || !RE_JOINER.test(parts.at(-1) ?? '')) return undefined
  const items = splitSeries(body, false)
  if (!items || items.length < 3) return undefined
  // A first item far longer than the others carries the sentence's subject ("Praktik baik ini murah,
  // sederhana, dan cepat"): the items are not parallel, and a slide of them would lose what they describe.
  const [first = '', ...rest] = items
  const longest = Math.max(...rest.map(countWords))
  return countWords(first) >= 4 && countWords(first) > 2 * longest ? undefined : { lead: '', items }
}

/**
 * Items of "a, b, c, dan d" (commas or semicolons outside brackets and quotes; "2,5" has no
 * space and is one number). Without commas, "a dan b" is two items when `pair` allows it.
 */
function splitSeries(text: string, pair: boolean): string[] | undefined {
  let parts = splitTopLevel(text)
  if (parts.length === 1 && pair && !/[()[\]"“”]/u.test(text)) parts = text.split(/\s+(?:dan|serta)\s+/iu)
  const items: string[] = []
  for (const part of parts) {
    const item = trimItem(part)
    if (RE_ET_CETERA.test(item) && items.length > 0) items[items.length - 1] += `, ${item.replace(/\.?$/, '.')}`
    else items.push(item)
  }
  if (items.length < MIN_ITEMS || items.length > MAX_ITEMS || !items.every(isItem)) return undefined
  return items
}

function isItem(item: string): boolean {
  const words = countWords(item)
  return words >= 1 && words <= MAX_ITEM_WORDS && !RE_CLAUSE_START.test(item)
}

/** Splits at ", " and "; " that are not inside brackets or quotation marks. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let quoted = false
  let start = 0
  // UTF-16 units, as the indices slice() takes.
  for (const [i, c] of text.split('').entries()) {
    if ('([{'.includes(c)) depth++
    else if (')]}'.includes(c)) depth = Math.max(0, depth - 1)
    else if (c === '"' || c === '“' || c === '”') quoted = c === '"' ? !quoted : c === '“'
    else if ((c === ',' || c === ';') && text[i + 1] === ' ' && depth === 0 && !quoted) {
      parts.push(text.slice(start, i))
      start = i + 1
    }
  }
  parts.push(text.slice(start))
  return parts.map((p) => p.trim()).filter(Boolean)
}

/**
 * An item as a point: the documented reduction keeps the author's words and drops only the list's
 * glue: a leading or trailing "dan"/"serta" and the punctuation that ends an item (",", ";",
 * "."). "atau" stays: alternatives are not a list of things that all hold.
 */
export function trimItem(text: string): string {
  return text
    .trim()
    .replace(RE_JOINER, '')
    .replace(/[,;:.]?\s+(?:dan|serta)$/iu, '')
    .replace(/(?<!\b(?:dll|dsb|dst|No|Dr|M\.Si|S\.H|dkk))[,;:.]$/u, '')
    .trim()
}

/**
 * "X bukan A, melainkan B": a true contrast (A is denied, B affirmed). Never "bukan hanya /
 * bukan sekadar A, tetapi (juga) B", where both hold (an addition), nor "tidak A tetapi B" (a
 * concession), nor "baik A maupun B".
 */
export function findContrast(sentence: string): Contrast | undefined {
  const match = /^(.*?)\b[Bb]ukan(?:lah)?\s+(.+?),?\s+(melainkan|tetapi|namun)\s+(.+?)[.!?]?$/u.exec(sentence)
  if (!match) return undefined
  const [, lead = '', left = '', conjunction = '', rest = ''] = match
  if (/^(?:hanya|sekadar|sekedar|saja|cuma|semata|semata-mata|sekadarnya)\b/iu.test(left)) return undefined
  if (/^juga\b/iu.test(rest)) return undefined
  // The right side ends where a new clause starts ("…, sehingga …").
  const right = rest.split(/,\s+(?=sehingga|maka|karena|agar|supaya|yang|dan|serta|namun|tetapi)/iu)[0]?.trim() ?? ''
  const sideWords = (s: string) => countWords(s) >= 1 && countWords(s) <= 14
  if (!sideWords(left) || !sideWords(right) || /\b(?:bukan|tidak)\b/iu.test(right)) return undefined
  if (countWords(lead) > MAX_TITLE_WORDS) return undefined
  return { lead: cleanLead(lead), conjunction: capitalize(conjunction), left: left.replace(/,$/, ''), right }
}

export interface Quotation {
  quote: string
  /** The words before it that say whose words they are ("UU Nomor 7 Tahun 2017, Pasal 3"), as a title; empty when none. */
  lead: string
}

/** A quotation of 5 to 30 words inside a sentence ("…" or “…”): the author quoting someone. Quotes inside it stay as written. */
export function findQuotation(sentence: string): Quotation | undefined {
  const match = /“([^”]+)”|"([^"]+)"/u.exec(sentence)
  const quote = (match?.[1] ?? match?.[2] ?? '').trim()
  const words = countWords(quote)
  return match && words >= 5 && words <= 30 ? { quote, lead: cleanLead(sentence.slice(0, match.index)) } : undefined
}

/** The words before a construction, as a title: without a trailing comma, colon or a lone conjunction. */
function cleanLead(lead: string): string {
  const cleaned = lead
    .trim()
    // A connective that ties the sentence to the one before says nothing on its own as a title.
    .replace(/^(?:karena itu|oleh karena itu|oleh sebab itu|dengan demikian|selain itu|untuk itu|jadi),\s*/iu, '')
    .replace(/[,:;]\s*$/, '')
    .replace(/\s+(?:adalah|ialah|yaitu)$/iu, '')
    .trim()
  return countWords(cleaned) >= 2 && countWords(cleaned) <= MAX_TITLE_WORDS ? capitalize(cleaned) : ''
}

export function capitalize(text: string): string {
  return text.charAt(0).toLocaleUpperCase('id') + text.slice(1)
}
