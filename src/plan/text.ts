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
/**
 * A list's letter or number in running text ("…; b. Anggota …", "berikut: 1. …", "; dan 3. …",
 * "dan k. …"): not a sentence's last word. A number only after ; or : (", dan 5." ends a sentence).
 */
const RE_LIST_MARKER = /(?:(?:^|[;:]\s)\s*(?:(?:dan|atau|serta)\s+)?(?:\p{L}|\p{N}{1,2})|(?:,\s|(?:^|\s)(?:dan|atau|serta)\s)\s*\p{L})$/iu

/** Splits text at sentence ends, not after abbreviations ("dll.", "No. 7", "Dr."), numbers ("1.500") or initials. */
export function splitSentences(text: string): string[] {
  const sentences: string[] = []
  let start = 0
  for (const match of text.matchAll(RE_SENTENCE_END)) {
    const end = (match.index ?? 0) + match[0].length
    const before = text.slice(start, match.index)
    const next = text.slice(end).trimStart()
    // An ellipsis before a lowercase word is a pause inside the sentence ("dari hal kecil… dari kita").
    if (/^[.…]/.test(match[0]) && !endsSentence(before, next)) continue
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
  if (RE_LIST_MARKER.test(before.trimEnd())) return false
  // A number followed by a lowercase word or another number is a list number or ordinal, not an end.
  if (/^\p{N}+$/u.test(lastPart) && /^[\p{Ll}\p{N}]/u.test(next)) return false
  // A new sentence starts with a capital, digit, quote or bracket.
  return /^[\p{Lu}\p{N}"'“‘([]/u.test(next)
}

/** A sentence, or a part of one cut because the sentence alone is longer than a chunk. */
interface Piece {
  text: string
  /** Starts its sentence (else its chunk begins with "…"). */
  opens: boolean
  /** Ends its sentence (else its chunk ends with "…"). */
  closes: boolean
}

const ELLIPSIS = '…'
const RE_OPENS_WITH_ELLIPSIS = /^(?:…|\.{3})/
const RE_CLOSES_WITH_ELLIPSIS = /(?:…|\.{3})$/

/**
 * Packs sentences into chunks of at most `budget` characters, in order, balanced so the last
 * chunk is not a lone sentence. A sentence up to `longest` characters is never cut: one longer
 * than the budget gets a chunk of its own. A longer one is cut into chunks within the budget,
 * after a clause's punctuation where it can be and between words where it must (a word longer
 * than the budget stays whole); a chunk that starts or ends inside a sentence says so with "…".
 * Nothing else of the text changes.
 */
export function packText(sentences: readonly string[], budget: number, longest = budget): string[] {
  const pieces = sentences.flatMap((text) => (text.length > Math.max(longest, budget) ? cutSentence(text, budget) : [{ text, opens: true, closes: true }]))
  const weigh = (piece: Piece) => piece.text.length + 1 + (piece.opens ? 0 : 2) + (piece.closes ? 0 : 2)
  return packItems(pieces, weigh, budget).map((group) => {
    const text = group.map((piece) => piece.text).join(' ')
    // A cut where the author already wrote an ellipsis ("dari hal kecil… dari kita") is not marked twice.
    const opening = group[0]?.opens === false && !RE_OPENS_WITH_ELLIPSIS.test(text)
    const closing = group.at(-1)?.closes === false && !RE_CLOSES_WITH_ELLIPSIS.test(text)
    return `${opening ? `${ELLIPSIS} ` : ''}${text}${closing ? ` ${ELLIPSIS}` : ''}`
  })
}

/** A long sentence's parts: its clauses (cut after , ; or : and a space), a clause still too long cut between words. */
function cutSentence(sentence: string, budget: number): Piece[] {
  const room = Math.max(1, budget - 5)
  const parts = sentence
    .split(/(?<=[,;:])\s+/)
    .flatMap((clause) => (clause.length > room ? packItems(clause.split(/\s+/), (word) => word.length + 1, room).map((words) => words.join(' ')) : [clause]))
    .filter((part) => part !== '')
  return parts.map((text, i) => ({ text, opens: i === 0, closes: i === parts.length - 1 }))
}

/**
 * Groups items in order so that each group's weight stays within `budget` (an item heavier than
 * the budget gets a group of its own), using as few groups as greedy packing would, with the
 * weight spread evenly across them.
 */
export function packItems<T>(items: readonly T[], weigh: (item: T) => number, budget: number): T[][] {
  const weights = items.map(weigh)
  const count = greedy(weights, budget).length
  // The smallest cap that still needs no more groups: balanced groups.
  // A loop, not Math.max(...): a long sentence cut into words gives more weights than a call takes arguments.
  let low = weights.reduce((most, w) => (w <= budget && w > most ? w : most), 0)
  let high = budget
  for (let i = 0; i < 30 && high - low > 0.01; i++) {
    const mid = (low + high) / 2
    if (greedy(weights, mid).length <= count) high = mid
    else low = mid
  }
  // Each group is a run of consecutive indices.
  return greedy(weights, high).map((group) => items.slice(group[0] ?? 0, (group.at(-1) ?? -1) + 1))
}

function greedy(weights: readonly number[], cap: number): number[][] {
  const groups: number[][] = []
  let current: number[] = []
  let total = 0
  weights.forEach((w, index) => {
    if (current.length > 0 && total + w > cap) {
      groups.push(current)
      current = []
      total = 0
    }
    current.push(index)
    total += w
  })
  if (current.length > 0) groups.push(current)
  return groups
}
