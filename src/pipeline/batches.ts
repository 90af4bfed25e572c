import type { DeckWork } from './deck-work.ts'

// Decks in batches of whole offices, and by office; work started ahead of a deck's turn.

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

/**
 * Starts items ahead of their turn: the first `ahead` at once, then, as each item's turn comes
 * (the returned function, called in order), the one `ahead` places after it. Items not in the
 * list have no place and start nothing.
 */
export function aheadOfTurn<T>(items: readonly T[], ahead: number, start: (item: T) => void): (item: T) => void {
  const places = new Map(items.map((item, index) => [item, index]))
  for (const item of items.slice(0, ahead)) start(item)
  return (item) => {
    const place = places.get(item)
    const next = place === undefined ? undefined : items[place + ahead]
    if (next !== undefined) start(next)
  }
}
