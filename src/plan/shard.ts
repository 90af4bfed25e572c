import { fail } from '../shared/error.ts'
import type { Essay, Office, ShardRecord, Storyboard } from '../shared/types.ts'
import { planDeck } from './plan.ts'

// Sharding: which offices a `build --shard k/n` makes, and whether the folders given to
// `merge-manifests` are the n shards of one build. Pure: data in, data out.

/**
 * The most shares a build may be split into: far above the 552 offices of the country, and small
 * enough that a mistyped n is a usage error rather than an array of billions of loads.
 */
export const MAX_SHARDS = 10_000

export interface ShardSpec {
  /** 1-based. */
  index: number
  count: number
}

export interface Weighted {
  id: string
  weight: number
}

/**
 * Offices to shards by weight: heaviest first (ties by id), each to the least-loaded shard (ties
 * to the lowest). Deterministic for a given content set, so every shard of a CI matrix computes
 * the same assignment; adding or changing an office may move others to another shard.
 * Returns office id → shard index (1-based).
 */
export function assignShards(items: readonly Weighted[], count: number): Map<string, number> {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS) throw new RangeError(`shard count must be an integer from 1 to ${MAX_SHARDS}, not ${count}`)
  const loads = Array.from({ length: count }, () => 0)
  const assigned = new Map<string, number>()
  const order = [...items].sort((a, b) => b.weight - a.weight || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  for (const { id, weight } of order) {
    const lightest = loads.reduce((min, load, i) => (load < (loads[min] ?? load) ? i : min), 0)
    loads[lightest] = (loads[lightest] ?? 0) + weight
    assigned.set(id, lightest + 1)
  }
  return assigned
}

/**
 * An office's work, estimated from its plan: the slides of all its decks before the fit check
 * (what the fit check adds is small and unknown until the browser measures). An office that
 * cannot be planned weighs 1; its build reports why.
 */
export function weighOffices(offices: readonly { office: Office }[], essays: readonly { essay: Essay; storyboard: Storyboard }[]): Weighted[] {
  return offices.map(({ office }) => {
    let weight = 0
    for (const { essay, storyboard } of essays) {
      try {
        weight += planDeck(essay, storyboard, office).slides.length
      } catch {
        weight += 1
      }
    }
    return { id: office.id, weight: Math.max(1, weight) }
  })
}

/** One shard folder given to `merge-manifests`: where it is and what its manifest says. */
export interface ShardFolder {
  dir: string
  generator: string
  shard?: ShardRecord
}

/** What every shard of one build has in common, how to show it, and how to fix a difference. */
const MUST_AGREE: { what: string; value: (f: ShardFolder & { shard: ShardRecord }) => string; show: (v: string) => string; fix: string }[] = [
  { what: 'ortug version', value: (f) => f.generator, show: (v) => v, fix: 'build every shard with the same ortug (same commit and package-lock.json)' },
  {
    what: 'content set',
    value: (f) => f.shard.inputs,
    show: (v) => `content ${v.slice(0, 12)}`,
    fix: 'build every shard from the same commit of content/ and templates/',
  },
  {
    what: 'options',
    value: (f) => f.shard.options,
    show: (v) => v,
    fix: 'build every shard with the same --format, --office, --essay, --handout and --paper',
  },
  { what: 'shard count', value: (f) => String(f.shard.count), show: (v) => `of ${v}`, fix: 'build every shard with the same n in --shard k/n' },
]

/**
 * The folders must be the n shards of one build: each built with --shard, by the same ortug, from
 * the same content set and options, every k of 1..n exactly once. Names the folder that differs.
 */
export function verifyShardSet(folders: readonly ShardFolder[]): void {
  const seen = new Set<string>()
  for (const { dir } of folders) {
    if (seen.has(dir)) fail('USAGE', `${dir} is given twice: give each shard folder once`)
    seen.add(dir)
  }
  for (const { dir, shard } of folders) {
    if (!shard) fail('USAGE', `${dir} is not a shard build (its manifest.json has no "shard" record): rebuild it with "ortug build --shard k/n --out ${dir}"`)
  }
  const records = folders.filter((folder): folder is ShardFolder & { shard: ShardRecord } => folder.shard !== undefined)
  for (const { what, value, show, fix } of MUST_AGREE) {
    // The odd ones out are named against what most shards agree on.
    const reference = mostCommon(records.map(value))
    const odd = records.filter((f) => value(f) !== reference)
    if (odd.length === 0) continue
    const agree = records.filter((f) => value(f) === reference).map((f) => f.dir)
    const described = odd.map((f) => `${f.dir} (${show(value(f))})`).join(', ')
    fail('CONTENT', `shards differ in ${what}: ${described} vs ${agree.join(', ')} (${show(reference)}); a merge must not mix builds; ${fix}, then merge again`)
  }
  const count = records[0]?.shard.count ?? 0
  const byIndex = new Map<number, string[]>()
  for (const { dir, shard } of records) byIndex.set(shard.index, [...(byIndex.get(shard.index) ?? []), dir])
  for (const [index, dirs] of byIndex) {
    if (dirs.length > 1)
      fail('USAGE', `${dirs.join(' and ')} were ${dirs.length === 2 ? 'both' : 'all'} built as shard ${index}/${count}: give each shard's folder once`)
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((k) => !byIndex.has(k))
  if (missing.length > 0) {
    fail(
      'USAGE',
      `shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${count}`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing: give the folders of all ${count} shards (built with --shard 1/${count} … ${count}/${count})`,
    )
  }
}

/** The value most folders agree on; on a tie, the first folder's. */
function mostCommon(values: readonly string[]): string {
  const counts = new Map<string, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  let best = values[0] ?? ''
  for (const v of values) if ((counts.get(v) ?? 0) > (counts.get(best) ?? 0)) best = v
  return best
}
