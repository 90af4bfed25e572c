import { splitSentences } from './text.ts'

// Speaker notes: each sentence of a section goes to the slide (page) that says it, so every essay
// sentence is in the deck's notes exactly once, beside the slide it belongs to. Pure.

/** Words too common to tell two slides apart. */
const STOPWORDS = new Set([
  'yang',
  'dan',
  'dari',
  'dalam',
  'untuk',
  'dengan',
  'atau',
  'akan',
  'pada',
  'juga',
  'bukan',
  'hanya',
  'adalah',
  'harus',
  'seorang',
  'sebagai',
  'serta',
  'oleh',
  'bagi',
  'para',
  'tersebut',
  'sebuah',
  'dapat',
  'agar',
  'karena',
  'ketika',
  'maka',
  'namun',
  'melainkan',
  'bahwa',
  'menjadi',
  'yaitu',
  'the',
  'and',
  'with',
  'this',
  'that',
  'from',
])

/** Word stems of a text: lowercase, four letters or more, the first six letters, without stopwords. */
function stems(text: string): Set<string> {
  const words = text.toLowerCase().match(/\p{L}[\p{L}\p{N}-]*/gu) ?? []
  return new Set(words.filter((w) => w.length >= 4 && !STOPWORDS.has(w)).map((w) => w.slice(0, 6)))
}

function score(sentence: string, sentenceStems: Set<string>, slot: { text: string; stems: Set<string> }): number {
  // A slide that shows the sentence itself (reading text) is where it belongs.
  if (slot.text.includes(sentence)) return 1000
  let shared = 0
  for (const stem of sentenceStems) if (slot.stems.has(stem)) shared++
  return shared
}

export interface NoteSentence {
  text: string
  /** Index of the paragraph it comes from: sentences of one paragraph stay together in a note. */
  paragraph: number
}

/** A section's sentences, in order, each with its paragraph. */
export function sectionSentences(paragraphs: readonly string[]): NoteSentence[] {
  return paragraphs.flatMap((p, paragraph) => splitSentences(p).map((text) => ({ text, paragraph })))
}

/**
 * Assigns each sentence to one slot (a slide's text), keeping the order of both: sentence i+1
 * never goes to an earlier slot than sentence i. Among such assignments, the one whose sentences
 * share the most words with their slots. Returns, per slot, the indices of its sentences.
 */
export function assignSentences(sentences: readonly string[], slotTexts: readonly string[]): number[][] {
  const slots = slotTexts.map((text) => ({ text, stems: stems(text) }))
  const result: number[][] = slots.map(() => [])
  if (slots.length === 0 || sentences.length === 0) return result
  const scores = sentences.map((s) => {
    const own = stems(s)
    return slots.map((slot) => score(s, own, slot))
  })
  // best[i][j]: the highest total with sentence i on slot j; from[i][j]: the slot of sentence i-1.
  const best: number[][] = []
  const from: number[][] = []
  sentences.forEach((_, i) => {
    best.push([])
    from.push([])
    let runningMax = Number.NEGATIVE_INFINITY
    let runningAt = 0
    slots.forEach((_, j) => {
      if (i > 0 && (best[i - 1]?.[j] ?? 0) > runningMax) {
        runningMax = best[i - 1]?.[j] ?? 0
        runningAt = j
      }
      const before = i === 0 ? 0 : runningMax
      ;(best[i] as number[])[j] = before + (scores[i]?.[j] ?? 0)
      ;(from[i] as number[])[j] = runningAt
    })
  })
  const last = best[sentences.length - 1] as number[]
  let j = last.indexOf(Math.max(...last))
  for (let i = sentences.length - 1; i >= 0; i--) {
    result[j]?.unshift(i)
    j = from[i]?.[j] ?? 0
  }
  return result
}

/** The sentences of a note, joined into paragraphs as the author wrote them. */
export function joinNote(sentences: readonly NoteSentence[]): string[] {
  const paragraphs: { paragraph: number; text: string[] }[] = []
  for (const s of sentences) {
    const current = paragraphs.at(-1)
    if (current && current.paragraph === s.paragraph) current.text.push(s.text)
    else paragraphs.push({ paragraph: s.paragraph, text: [s.text] })
  }
  return paragraphs.map((p) => p.text.join(' '))
}
