import path from 'node:path'
import { sha256 } from '../shared/hash.ts'
import type { Manifest, OutputFile } from '../shared/types.ts'
import { readInside } from './read-inside.ts'

// The catalogue's title-slide thumbnails, one per deck, kept between builds in
// `.ortug-cache/thumbs/` and embedded in index.html. The manifest records each one's sha256: a
// thumbnail is carried over (into the catalogue, or by a merge) only when its bytes match, so a
// file planted there, or a link to one, never reaches a published catalogue.

/** Title-slide thumbnails for the catalogue, one per deck, kept between builds. */
const THUMBS = '.ortug-cache/thumbs'
const RE_THUMBNAIL = /^\.ortug-cache\/thumbs\/[a-z0-9-]+--[a-z0-9-]+\.webp$/
const RE_SHA256 = /^[0-9a-f]{64}$/

export function thumbnailPath(office: string, slug: string): string {
  return `${THUMBS}/${office}--${slug}.webp`
}

/** The largest thumbnail read: one is a small WebP of a title slide (about 20 KB). */
export const MAX_THUMBNAIL_BYTES = 2 * 1024 * 1024

/**
 * Thumbnails of the decks in the manifest, as data: URIs (so the catalogue stays one
 * self-contained file), and the sha256 of each for the new manifest. A `fresh` one (made by this
 * run) is taken as it is; one on disk only when it is a regular file in real folders whose bytes
 * match the hash `recorded` (the previous manifest's). Anything else is left out: its deck shows
 * no image until it is built again.
 */
export async function readThumbnails(
  outDir: string,
  manifest: Manifest,
  fresh: readonly OutputFile[] = [],
  recorded: Readonly<Record<string, string>> = {},
): Promise<{ images: Map<string, string>; hashes: Record<string, string> }> {
  const images = new Map<string, string>()
  const hashes: Record<string, string> = {}
  for (const { office, essay } of manifest.outputs) {
    const key = `${office}/${essay}`
    if (images.has(key)) continue
    const file = thumbnailPath(office, essay)
    const bytes = fresh.find((t) => t.path === file)?.bytes ?? (await readRecordedThumbnail(outDir, file, recorded[file]))
    if (!bytes) continue
    images.set(key, `data:image/webp;base64,${Buffer.from(bytes).toString('base64')}`)
    hashes[file] = sha256(bytes)
  }
  return { images, hashes }
}

async function readRecordedThumbnail(dir: string, file: string, hash: string | undefined): Promise<Buffer | undefined> {
  if (!hash) return undefined
  const read = await readInside(dir, file, MAX_THUMBNAIL_BYTES)
  return read.ok && sha256(read.bytes) === hash ? read.bytes : undefined
}

/** The thumbnails of a shard's decks whose bytes match the hash its manifest recorded; any other is left out with a warning. */
export async function readShardThumbnails(
  { dir, shard, outputs, thumbnails = {} }: Manifest & { dir: string },
  warn: (message: string) => void,
): Promise<OutputFile[]> {
  const files: OutputFile[] = []
  const decks = new Set(outputs.filter((e) => shard?.offices.includes(e.office)).map((e) => thumbnailPath(e.office, e.essay)))
  for (const file of decks) {
    const read = await readInside(dir, file, MAX_THUMBNAIL_BYTES)
    if (!read.ok && read.missing) continue
    const hash = thumbnails[file]
    const problem = !read.ok
      ? read.reason
      : !hash
        ? `is not recorded in ${dir}/manifest.json`
        : sha256(read.bytes) !== hash
          ? `differs from ${dir}/manifest.json`
          : undefined
    if (read.ok && !problem) files.push({ path: file, bytes: read.bytes })
    else warn(`${path.join(dir, file)} ${problem}: left out of the catalogue (its deck shows no image)`)
  }
  return files
}

/** The manifest's record of thumbnail hashes, without any entry that is not a thumbnail's path and a sha256. */
export function parseThumbnailRecord(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const entries = Object.entries(value).filter(([file, hash]) => RE_THUMBNAIL.test(file) && typeof hash === 'string' && RE_SHA256.test(hash))
  return Object.fromEntries(entries)
}
