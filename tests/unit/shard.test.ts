import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadProject } from '../../src/pipeline/project.ts'
import { assignShards, MAX_SHARDS, type ShardFolder, verifyShardSet, type Weighted, weighOffices } from '../../src/plan/shard.ts'
import { OrtugError } from '../../src/shared/error.ts'
import type { ShardRecord } from '../../src/shared/types.ts'
import { REPO } from '../helpers.ts'

// Which offices each shard builds, and which shard folders may be merged: pure, no browser.

const loads = (items: readonly Weighted[], count: number) => {
  const assigned = assignShards(items, count)
  const sums = Array.from({ length: count }, () => 0)
  for (const { id, weight } of items) {
    const shard = (assigned.get(id) as number) - 1
    sums[shard] = (sums[shard] as number) + weight
  }
  return sums
}

describe('assignShards', () => {
  it('puts every office in exactly one shard, for any count', () => {
    const items = Array.from({ length: 29 }, (_, i) => ({ id: `office-${i}`, weight: 10 + (i % 7) }))
    for (const count of [1, 2, 3, 4, 7, 29, 40]) {
      const assigned = assignShards(items, count)
      expect([...assigned.keys()].sort()).toEqual(items.map((i) => i.id).sort())
      for (const shard of assigned.values()) expect(shard >= 1 && shard <= count).toBe(true)
    }
  })

  it('balances slides, not office counts: one heavy office gets a shard of its own', () => {
    const items = [{ id: 'heavy', weight: 60 }, ...Array.from({ length: 6 }, (_, i) => ({ id: `light-${i}`, weight: 10 }))]
    const assigned = assignShards(items, 2)
    expect([...assigned].filter(([, shard]) => shard === assigned.get('heavy')).map(([id]) => id)).toEqual(['heavy'])
    expect(loads(items, 2)).toEqual([60, 60])
  })

  it('keeps the heaviest shard within one office of the lightest', () => {
    const items = Array.from({ length: 552 }, (_, i) => ({ id: `o-${String(i).padStart(3, '0')}`, weight: 14 + ((i * 7919) % 9) }))
    for (const count of [2, 4, 8, 16]) {
      const sums = loads(items, count)
      expect(Math.max(...sums) - Math.min(...sums)).toBeLessThanOrEqual(22)
    }
  })

  it('is deterministic whatever order the offices come in', () => {
    const items = Array.from({ length: 40 }, (_, i) => ({ id: `o-${i}`, weight: i % 5 }))
    const reversed = [...items].reverse()
    expect([...assignShards(reversed, 4)].sort()).toEqual([...assignShards(items, 4)].sort())
  })

  it('refuses a count below 1 or above MAX_SHARDS', () => {
    expect(() => assignShards([], 0)).toThrow(/an integer from 1 to 10000/)
    expect(() => assignShards([], MAX_SHARDS + 1)).toThrow(/an integer from 1 to 10000/)
  })
})

describe('weighOffices', () => {
  it('weighs each office by the slides planned for it; 4:3 and removed sections change the weight', async () => {
    const project = await loadProject(REPO, { offices: ['kota-bandung', 'kota-bogor'] })
    const [bandung, bogor] = project.offices as [(typeof project.offices)[number], (typeof project.offices)[number]]
    const narrow = { ...bogor, office: { ...bogor.office, id: 'narrow', aspect: '4:3' as const } }
    const fewer = { ...bogor, office: { ...bogor.office, id: 'fewer', slides: { exclude: ['integritas', 'loyalitas'], extra: [] } } }
    const weights = new Map(weighOffices([bandung, narrow, fewer], project.essays).map((w) => [w.id, w.weight]))
    expect(weights.get('kota-bandung')).toBeGreaterThan(10)
    expect(weights.get('narrow')).toBeGreaterThanOrEqual(weights.get('kota-bandung') as number)
    expect(weights.get('fewer')).toBeLessThan(weights.get('kota-bandung') as number)
  })
})

describe('verifyShardSet', () => {
  const record = (index: number, change: Partial<ShardRecord> = {}): ShardRecord => ({
    index,
    count: 3,
    inputs: 'a'.repeat(64),
    options: '--format html,md',
    offices: [`office-${index}`],
    ...change,
  })
  const folder = (index: number, change: Partial<ShardRecord> = {}, generator = 'ortug 0.1.0'): ShardFolder => ({
    dir: path.join('/ci', `shard-${index}`),
    generator,
    shard: record(index, change),
  })
  const refusal = (folders: ShardFolder[]) => {
    try {
      verifyShardSet(folders)
    } catch (error) {
      expect(error).toBeInstanceOf(OrtugError)
      return { kind: (error as OrtugError).kind, message: (error as OrtugError).message }
    }
    throw new Error('the shards were accepted')
  }

  it('accepts the n shards of one build, in any order', () => {
    expect(() => verifyShardSet([folder(3), folder(1), folder(2)])).not.toThrow()
  })

  it('names the shard built from another content set', () => {
    const { kind, message } = refusal([folder(1), folder(2, { inputs: 'b'.repeat(64) }), folder(3)])
    expect(kind).toBe('CONTENT')
    expect(message).toMatch(/^shards differ in content set: \/ci\/shard-2 \(content bbbbbbbbbbbb\) vs \/ci\/shard-1, \/ci\/shard-3 \(content aaaaaaaaaaaa\)/)
    expect(message).toContain('same commit of content/ and templates/')
  })

  it('names the shard built by another ortug', () => {
    const { kind, message } = refusal([folder(1), folder(2), folder(3, {}, 'ortug 0.2.0')])
    expect(kind).toBe('CONTENT')
    expect(message).toContain('shards differ in ortug version: /ci/shard-3 (ortug 0.2.0) vs /ci/shard-1, /ci/shard-2 (ortug 0.1.0)')
  })

  it('names the shard built with other options or another n', () => {
    expect(refusal([folder(1), folder(2, { options: '--format md' }), folder(3)]).message).toContain('/ci/shard-2 (--format md)')
    const count = refusal([folder(1, { count: 4 }), folder(2), folder(3)])
    expect(count).toMatchObject({ kind: 'CONTENT' })
    expect(count.message).toContain('shards differ in shard count: /ci/shard-1 (of 4)')
  })

  it('refuses a shard given twice, built twice, or missing', () => {
    expect(refusal([folder(1), folder(1), folder(2), folder(3)])).toEqual({ kind: 'USAGE', message: '/ci/shard-1 is given twice: give each shard folder once' })
    const twice = refusal([folder(1), { ...folder(1), dir: '/ci/shard-1b' }, folder(3)])
    expect(twice).toEqual({ kind: 'USAGE', message: "/ci/shard-1 and /ci/shard-1b were both built as shard 1/3: give each shard's folder once" })
    expect(refusal([folder(1), folder(3)])).toEqual({
      kind: 'USAGE',
      message: 'shard 2/3 is missing: give the folders of all 3 shards (built with --shard 1/3 … 3/3)',
    })
  })

  it('refuses a folder that is not a shard build', () => {
    const { kind, message } = refusal([folder(1), { dir: '/ci/dist', generator: 'ortug 0.1.0' }])
    expect(kind).toBe('USAGE')
    expect(message).toContain('/ci/dist is not a shard build')
  })
})
