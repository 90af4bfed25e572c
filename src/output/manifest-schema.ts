import { z } from 'zod'
import { MAX_SHARDS } from '../plan/shard.ts'
import { LEVELS, RE_COLOR } from '../shared/schema.ts'
import type { Manifest, ManifestEntry, ShardRecord } from '../shared/types.ts'
import { parseThumbnailRecord } from './thumbnails.ts'

// What a manifest.json read from an output or shard folder may hold. Whoever can write that
// folder can write it: what does not fit is none of ortug's (an entry, the shard record) and is
// left out, so nothing of it reaches a build, a merge or a catalogue.

const shardRecordSchema = z
  .object({
    index: z.number().int().min(1),
    // A damaged or forged count would make the merge list billions of missing shards.
    count: z.number().int().min(1).max(MAX_SHARDS),
    inputs: z.string(),
    options: z.string(),
    offices: z.array(z.string()),
  })
  .refine((record) => record.index <= record.count)

const manifestEntrySchema = z.object({
  path: z.string().refine((file) => !file.includes('..')),
  bytes: z.number().int().min(0),
  sha256: z.string(),
  office: z.string(),
  officeName: z.string(),
  officeLevel: z.enum(LEVELS).optional(),
  officeColors: z.object({ primary: z.string().regex(RE_COLOR), accent: z.string().regex(RE_COLOR) }).optional(),
  essay: z.string(),
  essayTitle: z.string(),
  format: z.string(),
  key: z.string(),
  inputs: z.record(z.string(), z.string()),
})

const manifestSchema = z.object({
  generator: z.string().startsWith('ortug'),
  builtAt: z.unknown().optional(),
  shard: z.unknown().optional(),
  outputs: z.array(z.unknown()),
  thumbnails: z.unknown().optional(),
})

/** A manifest ortug wrote, with what of it is ortug's; undefined when it is none (not JSON, no generator of ortug's, no outputs). */
export function parseManifest(value: unknown): Manifest | undefined {
  const parsed = manifestSchema.safeParse(value)
  if (!parsed.success) return undefined
  const { generator, builtAt, shard, outputs } = parsed.data
  const thumbnails = parseThumbnailRecord(parsed.data.thumbnails)
  return {
    generator,
    builtAt: typeof builtAt === 'string' ? builtAt : '',
    shard: parseShardRecord(shard),
    outputs: outputs.flatMap((entry) => parseEntry(entry) ?? []),
    ...(thumbnails && { thumbnails }),
  }
}

/** The shard record of a manifest, or undefined when it has none or it is not one ortug wrote. */
export function parseShardRecord(value: unknown): ShardRecord | undefined {
  const parsed = shardRecordSchema.safeParse(value)
  return parsed.success ? parsed.data : undefined
}

function parseEntry(value: unknown): ManifestEntry | undefined {
  const parsed = manifestEntrySchema.safeParse(value)
  return parsed.success ? parsed.data : undefined
}
