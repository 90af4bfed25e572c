import type { DeckWork } from './deck-work.ts'

// Decks in batches of whole offices, and by office.

/** Batches of at least `size` decks (the last may be smaller), never splitting an office. */
export function batchByOffice(works: readonly DeckWork[], size: number): DeckWork[][] {
  const batches: DeckWork[][] = []
  let current: DeckWork[] = []
  works.forEach((work, i) => {
    current.push(work)
    const officeEnds = works[i + 1]?.job.office.id !== work.job.office.id
    if (officeEnds && current.length >= size) {
      batches.push(current)
      current = []
    }
  })
  if (current.length > 0) batches.push(current)
  return batches
}

export function groupByOffice(works: readonly DeckWork[]): Map<string, DeckWork[]> {
  const byOffice = new Map<string, DeckWork[]>()
  for (const work of works) byOffice.set(work.job.office.id, [...(byOffice.get(work.job.office.id) ?? []), work])
  return byOffice
}
