import path from 'node:path'
import { z } from 'zod'
import { emptyFitCache, type FitCache, GROW_ZOOM, SCALES } from '../plan/fit.ts'
import type { FitHint, FitHints } from '../plan/fit-hints.ts'
import { sha256 } from '../shared/hash.ts'
import { VERSION } from '../shared/version.ts'
import { parseJson, readInside } from './read-inside.ts'

// The fit cache an output folder keeps: what each slide measured, so that a build measures only
// slides it has not seen, and where each deck's fit ended (hints, fit-hints.ts). Whoever can write the folder can write it, so it carries a checksum and
// every entry must be one a browser could have measured.

export const CACHE_DIR = '.ortug-cache'
/** The fit cache a build keeps; a merge gathers the shards' into one. */
export const FIT_CACHE = `${CACHE_DIR}/fit.json`

/**
 * The largest fit cache read. It holds about 145 bytes per measured slide (21 for an office of the
 * shipped essay), so a national build (552 offices) stores about 1.7 MB; 8 MiB leaves room for
 * four times that. A larger file is no cache ortug wrote, and reading it (a 213 MB one took 97 s
 * and 2.4 GB of memory) would cost more than measuring every slide again.
 */
export const MAX_FIT_CACHE_BYTES = 8 * 1024 * 1024

/** Overflow beyond this is no measurement a browser gives of one slide. */
const MAX_OVERFLOW_PX = 100_000
/** A fill is the share of the content box a slide's content spans; an overflowing slide spans more than all of it. */
const MAX_FILL = 1000

const key = z.string().regex(/^[0-9a-f]{64}$/)
const index = z.number().int().min(0).max(100_000)
const growStep = z
  .number()
  .int()
  .min(0)
  .max(GROW_ZOOM.length - 1)
/** Slide key → number, when every entry is one a browser could have measured. */
const measured = (max: number) => z.record(key, z.number().min(0).max(max))

/** A hint (fit-hints.ts) as stored: only tunings the fit loop makes, measures a browser could give. */
const storedHint = z.object({
  tuning: z.array(
    z.tuple([
      index,
      z.object({
        scale: z.number().refine((scale) => SCALES.includes(scale)),
        dense: z.boolean(),
        cut: z.boolean().optional(),
        grow: z.array(growStep).optional(),
        balanced: z.array(z.boolean()).optional(),
      }),
    ]),
  ),
  caps: z.array(z.tuple([z.string().regex(/^\d{1,6}:\d{1,6}$/), growStep])),
  slides: z.array(z.object({ index, fill: z.number().min(0).max(MAX_FILL), overflow: z.number().min(0).max(MAX_OVERFLOW_PX) })),
})

const storedFitCacheSchema = z.object({
  version: z.literal(1),
  checksum: z.string(),
  slides: measured(MAX_OVERFLOW_PX),
  fills: measured(MAX_FILL).optional(),
  hints: z.record(key, storedHint).optional(),
})

/** The fit cache of an output folder; a missing one is empty, and so is one that is not a regular file, too large or fails its checksum (with a warning). */
export async function readFitCache(outDir: string, warn: (message: string) => void = () => undefined): Promise<FitCache> {
  const file = path.join(outDir, FIT_CACHE)
  const read = await readInside(outDir, FIT_CACHE, MAX_FIT_CACHE_BYTES)
  if (!read.ok) {
    if (!read.missing) warn(`${file} ${read.reason}: ignored, so every slide is measured again`)
    return emptyFitCache()
  }
  const cache = verifyFitCache(read.bytes.toString('utf8'))
  if (!cache) warn(`${file} is damaged, edited or from another ortug version: ignored, so every slide is measured again`)
  return cache ?? emptyFitCache()
}

/** The fit cache as stored: its entries and a checksum over them, so an edited or damaged cache is not trusted. */
export function serializeFitCache(cache: FitCache): Buffer {
  const fills = cache.fills ?? {}
  const hints = Object.fromEntries([...(cache.hints ?? [])].map(([key, hint]) => [key, storedForm(hint)]))
  return Buffer.from(JSON.stringify({ version: 1, checksum: fitChecksum(cache.slides, fills, cache.hints), slides: cache.slides, fills, hints }))
}

/** A stored fit cache whose every entry is possible and whose checksum matches, or undefined. */
export function verifyFitCache(text: string): FitCache | undefined {
  const parsed = storedFitCacheSchema.safeParse(parseJson(text))
  if (!parsed.success) return undefined
  const { slides, fills = {}, checksum } = parsed.data
  const hints: FitHints = new Map(Object.entries(parsed.data.hints ?? {}).map(([key, hint]) => [key, fromStoredForm(hint)]))
  if (checksum !== fitChecksum(slides, fills, hints)) return undefined
  return { version: 1, slides, ...(Object.keys(fills).length > 0 && { fills }), ...(hints.size > 0 && { hints }) }
}

/** Gathers fit caches (a merge's shards) into one; a later one's entry wins. */
export function mergeFitCaches(caches: readonly FitCache[]): FitCache {
  const merged = emptyFitCache()
  for (const cache of caches) {
    Object.assign(merged.slides, cache.slides)
    if (cache.fills) merged.fills = { ...merged.fills, ...cache.fills }
    if (cache.hints) merged.hints = new Map([...(merged.hints ?? []), ...cache.hints])
  }
  return merged
}

function storedForm(hint: FitHint): z.input<typeof storedHint> {
  return {
    tuning: [...hint.tuning].map(([source, t]) => [source, { ...t, grow: t.grow && [...t.grow], balanced: t.balanced && [...t.balanced] }]),
    caps: [...hint.caps],
    slides: [...hint.slides],
  }
}

function fromStoredForm(hint: z.infer<typeof storedHint>): FitHint {
  return { tuning: new Map(hint.tuning), caps: new Map(hint.caps), slides: hint.slides }
}

function fitChecksum(slides: Record<string, number>, fills: Record<string, number>, hints: FitHints = new Map()): string {
  const lines = (prefix: string, record: Record<string, number>) =>
    Object.keys(record)
      .sort()
      .map((key) => `${prefix}${key}=${record[key]}`)
  // A hint's line is built from its values, not from the JSON as read: the same for the hint written and the hint read back.
  const hintLines = [...hints]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, hint]) => {
      // A cut is written only where there is one: the checksums of caches written before cuts stay valid.
      const tuning = [...hint.tuning].map(([source, t]) => [source, t.scale, t.dense, t.grow ?? null, t.balanced ?? null, ...(t.cut ? ['cut'] : [])])
      return `hint ${key}=${JSON.stringify([tuning, [...hint.caps], hint.slides.map((s) => [s.index, s.fill, s.overflow])])}`
    })
  return sha256(`ortug fit cache ${VERSION}\n${[...lines('', slides), ...lines('fill ', fills), ...hintLines].join('\n')}`)
}
