import type { EssayBlock } from '../shared/types.ts'
import { splitSentences } from './text.ts'
import { stems } from './words.ts'

// Speaker notes: each sentence of a section goes to the slide (page) that says it, so every essay
// sentence is in the deck's notes exactly once, beside the slide it belongs to. Pure.

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
  /** A list item's number or bullet ("3. ", "• "): in notes and handouts a list stays a list. */
  marker?: string
}

/** A section's sentences, in order, each with its paragraph; a list item is one sentence of its own paragraph. */
export function sectionSentences(blocks: readonly EssayBlock[]): NoteSentence[] {
  let paragraph = 0
  return blocks.flatMap((block) => {
    if (block.kind === 'list') return block.items.map((text, i) => ({ text, paragraph: paragraph++, marker: listMarker(block, i) }))
    const index = paragraph++
    return splitSentences(block.text).map((text) => ({ text, paragraph: index }))
  })
}

/** "3. " for the third item of an ordered list starting at 1, "• " for a bullet. */
export function listMarker(block: Extract<EssayBlock, { kind: 'list' }>, item: number): string {
  return block.ordered ? `${block.start + item}. ` : '• '
}

/** A section's reading text for the handout: each block a paragraph, each list item one with its marker. */
export function readingParagraphs(blocks: readonly EssayBlock[]): string[] {
  return blocks.flatMap((block) => (block.kind === 'list' ? block.items.map((item, i) => listMarker(block, i) + item) : [block.text]))
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
    const bestOfSentence: number[] = []
    const fromOfSentence: number[] = []
    best.push(bestOfSentence)
    from.push(fromOfSentence)
    let runningMax = Number.NEGATIVE_INFINITY
    let runningAt = 0
    slots.forEach((_, j) => {
      if (i > 0 && (best[i - 1]?.[j] ?? 0) > runningMax) {
        runningMax = best[i - 1]?.[j] ?? 0
        runningAt = j
      }
      const before = i === 0 ? 0 : runningMax
      bestOfSentence[j] = before + (scores[i]?.[j] ?? 0)
      fromOfSentence[j] = runningAt
    })
  })
  const last = best[sentences.length - 1] ?? []
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
    else paragraphs.push({ paragraph: s.paragraph, text: [(s.marker ?? '') + s.text] })
  }
  return paragraphs.map((p) => p.text.join(' '))
}
