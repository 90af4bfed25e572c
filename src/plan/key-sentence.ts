import { countWords, stems } from './words.ts'

// The key sentence of a section: the one that says what the others talk about. Pure.

/** A statement slide shows one sentence in large type: longer ones are read, not seen. */
export const MAX_STATEMENT_WORDS = 30
const MIN_STATEMENT_WORDS = 4
/** Sentences that lean on the one before ("Selain itu, …", "Hal ini …") do not stand alone on a slide. */
const RE_DEPENDENT =
  /^(?:selain itu|namun|tetapi|akan tetapi|sedangkan|sementara itu|kemudian|hal ini|hal tersebut|ini|itu|mereka|dengan begitu|karena itu|oleh karena itu|oleh sebab itu|untuk itu|dalam (?:keadaan|hal) (?:seperti )?(?:itu|ini))\b/iu

/** Whether a sentence can stand alone on a statement slide: 4 to 30 words, not leaning on the sentence before. */
export function isStatement(sentence: string): boolean {
  const words = countWords(sentence)
  return words >= MIN_STATEMENT_WORDS && words <= MAX_STATEMENT_WORDS && !RE_DEPENDENT.test(sentence)
}

/**
 * The index of the key sentence among `sentences`, or -1. Centrality: each sentence scores the
 * stems (words without Indonesian function words, first six letters) it shares with each other
 * sentence of the section, divided by the square root of both stem counts (so that long
 * sentences do not win by length), plus what it shares with the heading. Only sentences that can
 * stand alone (`eligible`) may win; among equal scores, the earliest.
 */
export function chooseKeySentence(sentences: readonly string[], heading: string, eligible: (index: number) => boolean): number {
  const own = sentences.map((s) => stems(s))
  const headingStems = stems(heading)
  let best = -1
  let bestScore = Number.NEGATIVE_INFINITY
  own.forEach((mine, i) => {
    if (!eligible(i)) return
    let score = shared(mine, headingStems)
    own.forEach((other, j) => {
      if (i !== j && mine.size > 0 && other.size > 0) score += shared(mine, other) / Math.sqrt(mine.size * other.size)
    })
    if (score > bestScore) {
      best = i
      bestScore = score
    }
  })
  return best
}

function shared(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let count = 0
  for (const stem of a) if (b.has(stem)) count++
  return count
}
