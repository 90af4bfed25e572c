import { describe, expect, it } from 'vitest'
import { aheadOfTurn } from '../../src/pipeline/batches.ts'

// Work started ahead of a deck's turn (the pipeline's first renders): never a whole batch at once. Pure.

describe('aheadOfTurn', () => {
  it('starts the first `ahead` items at once, then one more as each turn comes, each item once', () => {
    const started: string[] = []
    const turn = aheadOfTurn(['a', 'b', 'c', 'd', 'e'], 2, (item) => started.push(item))
    expect(started).toEqual(['a', 'b'])
    turn('a')
    expect(started).toEqual(['a', 'b', 'c'])
    for (const item of ['b', 'c', 'd', 'e']) turn(item)
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e'])
  })

  it('an item not in the list (a deck that needs no browser) starts nothing; fewer items than `ahead` all start at once', () => {
    const started: number[] = []
    const turn = aheadOfTurn([1, 2], 4, (item) => started.push(item))
    expect(started).toEqual([1, 2])
    turn(7)
    turn(1)
    expect(started).toEqual([1, 2])
  })
})
