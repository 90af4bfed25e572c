// Indonesian-aware sentence splitting and packing of text into slide-sized chunks. Pure.

/** Abbreviations after which a full stop does not end a sentence (lowercase, without the dot). */
const ABBREVIATIONS = new Set([
  'dll',
  'dsb',
  'dst',
  'dkk',
  'tsb',
  'yth',
  'no',
  'nomor',
  'dr',
  'drs',
  'dra',
  'prof',
  'ir',
  'h',
  'hj',
  'kh',
  'st',
  'sdr',
  'sdri',
  'bpk',
  'ibu',
  'jl',
  'jln',
  'kab',
  'kec',
  'kel',
  'prov',
  'rp',
  'hlm',
  'hal',
  'tgl',
  'thn',
  'th',
  'vol',
  'ttd',
  'an',
  'up',
  'u',
  'a',
  'sh',
  'mh',
  'se',
  'mm',
  'si',
  'msi',
  'm',
  's',
  'pd',
  'spd',
  'kom',
  'skom',
  'mt',
  'ph',
  'phd',
  'ak',
  'pt',
  'cv',
  'tbk',
  'e',
  'g',
  'i',
  'vs',
  'etc',
  'ca',
  'no',
  'pasal',
  'ps',
  'ayat',
  'uu',
  'pp',
  'perpres',
  'pkpu',
])

const RE_SENTENCE_END = /[.!?…]+["'”’)\]]*(?=\s+|$)/g

/** Splits text at sentence ends, not after abbreviations ("dll.", "No. 7", "Dr."), numbers ("1.500") or initials. */
export function splitSentences(text: string): string[] {
  const sentences: string[] = []
  let start = 0
  for (const match of text.matchAll(RE_SENTENCE_END)) {
    const end = (match.index ?? 0) + match[0].length
    const before = text.slice(start, match.index)
    const next = text.slice(end).trimStart()
    if (match[0].startsWith('.') && !endsSentence(before, next)) continue
    const sentence = text.slice(start, end).trim()
    if (sentence) sentences.push(sentence)
    start = end
  }
  const rest = text.slice(start).trim()
  if (rest) sentences.push(rest)
  return sentences
}

function endsSentence(before: string, next: string): boolean {
  if (next === '') return true
  const word = /([\p{L}\p{N}.]+)$/u.exec(before)?.[1] ?? ''
  const lastPart = word.split('.').pop()?.toLowerCase() ?? ''
  // "S.H." or "a.n.": dotted initials.
  if (word.includes('.') && /^(\p{L}{1,3}\.)*\p{L}{1,3}$/u.test(word)) return false
  if (ABBREVIATIONS.has(lastPart)) return false
  // A number followed by a lowercase word or another number is a list number or ordinal, not an end.
  if (/^\p{N}+$/u.test(lastPart) && /^[\p{Ll}\p{N}]/u.test(next)) return false
  // A new sentence starts with a capital, digit, quote or bracket.
  return /^[\p{Lu}\p{N}"'“‘([]/u.test(next)
}

/**
 * Packs sentences into chunks of at most `budget` characters, in order, never splitting a word.
 * A sentence longer than the budget is split at commas, then at spaces.
 */
export function packText(sentences: readonly string[], budget: number): string[] {
  const chunks: string[] = []
  let current = ''
  for (const sentence of sentences.flatMap((s) => splitLong(s, budget))) {
    const joined = current ? `${current} ${sentence}` : sentence
    if (current && joined.length > budget) {
      chunks.push(current)
      current = sentence
    } else {
      current = joined
    }
  }
  if (current) chunks.push(current)
  return chunks
}

function splitLong(sentence: string, budget: number): string[] {
  if (sentence.length <= budget) return [sentence]
  const parts = sentence.split(/(?<=,)\s+/)
  const pieces = parts.length > 1 ? parts : sentence.split(/\s+/)
  const out: string[] = []
  let current = ''
  for (const piece of pieces) {
    const joined = current ? `${current} ${piece}` : piece
    if (current && joined.length > budget) {
      out.push(...(parts.length > 1 ? splitLong(current, budget) : [current]))
      current = piece
    } else {
      current = joined
    }
  }
  if (current) out.push(...(parts.length > 1 ? splitLong(current, budget) : [current]))
  return out
}

/** Groups items so that each group's weight stays within `budget` (at least one item per group). */
export function packItems<T>(items: readonly T[], weigh: (item: T) => number, budget: number): T[][] {
  const groups: T[][] = []
  let current: T[] = []
  let weight = 0
  for (const item of items) {
    const w = weigh(item)
    if (current.length > 0 && weight + w > budget) {
      groups.push(current)
      current = []
      weight = 0
    }
    current.push(item)
    weight += w
  }
  if (current.length > 0) groups.push(current)
  return groups
}
