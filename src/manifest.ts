import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { renderCatalogue } from './catalogue.ts'
import { fail } from './error.ts'
import { openStaging, sha256 } from './output.ts'
import type { Manifest, ManifestEntry } from './types.ts'

// dist/manifest.json: every output with its size, hash and the key of the inputs that made it.
// It is also the build cache: an output whose key and bytes match is not rebuilt.

export const VERSION = '0.1.0'
export const CACHE_DIR = '.ortug-cache'
/** Title-slide thumbnails for the catalogue, one per deck, kept between builds. */
const THUMBS = `${CACHE_DIR}/thumbs`

/** The previous manifest's entries, or none when it is missing, corrupt or not ortug's. */
export async function readManifest(outDir: string): Promise<ManifestEntry[]> {
  try {
    const parsed = JSON.parse(await readFile(path.join(outDir, 'manifest.json'), 'utf8')) as Partial<Manifest>
    if (typeof parsed.generator !== 'string' || !parsed.generator.startsWith('ortug') || !Array.isArray(parsed.outputs)) return []
    return parsed.outputs.filter((e) => e && typeof e.path === 'string' && typeof e.sha256 === 'string' && typeof e.key === 'string' && !e.path.includes('..'))
  } catch {
    return []
  }
}

/** Every file of one output (a format may have several, like slide images) matches its key and bytes. */
export async function isOutputFresh(
  previous: readonly ManifestEntry[],
  outDir: string,
  office: string,
  essay: string,
  format: string,
  key: string,
): Promise<boolean> {
  const entries = previous.filter((e) => e.office === office && e.essay === essay && e.format === format)
  if (entries.length === 0) return false
  for (const entry of entries) if (!(await isFresh([entry], outDir, entry.path, key))) return false
  return true
}

async function isFresh(previous: readonly ManifestEntry[], outDir: string, file: string, key: string): Promise<boolean> {
  const entry = previous.find((e) => e.path === file)
  if (!entry || entry.key !== key) return false
  return readFile(path.join(outDir, file)).then(
    (bytes) => sha256(bytes) === entry.sha256,
    () => false,
  )
}

export async function mergeManifest(outDir: string, built: ManifestEntry[], previous: readonly ManifestEntry[]): Promise<Manifest> {
  const fresh = new Set(built.map((e) => e.path))
  const kept: ManifestEntry[] = []
  for (const entry of previous) {
    if (fresh.has(entry.path)) continue
    if (await isFresh([entry], outDir, entry.path, entry.key)) kept.push(entry)
  }
  const outputs = [...kept, ...built].sort((a, b) => a.path.localeCompare(b.path))
  return { generator: `ortug ${VERSION}`, builtAt: new Date().toISOString(), outputs }
}

export function thumbnailPath(office: string, slug: string): string {
  return `${THUMBS}/${office}--${slug}.webp`
}

/** Thumbnails of the decks in the manifest, as data: URIs, so the catalogue stays one self-contained file. */
export async function readThumbnails(outDir: string, manifest: Manifest): Promise<Map<string, string>> {
  const thumbnails = new Map<string, string>()
  for (const { office, essay } of manifest.outputs) {
    const key = `${office}/${essay}`
    if (thumbnails.has(key)) continue
    const bytes = await readFile(path.join(outDir, thumbnailPath(office, essay))).catch(() => undefined)
    if (bytes) thumbnails.set(key, `data:image/webp;base64,${bytes.toString('base64')}`)
  }
  return thumbnails
}

/**
 * Gathers the outputs of shard builds (`ortug build --shard k/n --out shard-k`) into one folder
 * with one manifest and one catalogue. Every file is checked against its shard's manifest first.
 */
export async function mergeShards(shardDirs: readonly string[], outDir: string): Promise<Manifest> {
  const byOffice = new Map<string, { entries: ManifestEntry[]; files: { path: string; bytes: Uint8Array }[] }>()
  const thumbnails: { path: string; bytes: Uint8Array }[] = []
  for (const dir of shardDirs) {
    const entries = await readManifest(dir)
    if (entries.length === 0) fail('USAGE', `${dir} has no ortug manifest.json: give the --out folders of shard builds`)
    for (const entry of entries) {
      const bytes = await readFile(path.join(dir, entry.path)).catch(() => undefined)
      if (!bytes || sha256(bytes) !== entry.sha256)
        fail('CONTENT', `${path.join(dir, entry.path)} is missing or differs from ${dir}/manifest.json: rebuild that shard`)
      const office = byOffice.get(entry.office) ?? { entries: [], files: [] }
      if (office.entries.some((e) => e.path === entry.path)) fail('USAGE', `${entry.path} is in more than one shard: merge the outputs of one sharded build`)
      office.entries.push(entry)
      office.files.push({ path: entry.path, bytes })
      byOffice.set(entry.office, office)
      const thumbnail = await readFile(path.join(dir, thumbnailPath(entry.office, entry.essay))).catch(() => undefined)
      if (thumbnail) thumbnails.push({ path: thumbnailPath(entry.office, entry.essay), bytes: thumbnail })
    }
  }
  const staging = await openStaging(outDir)
  try {
    for (const [office, { files }] of byOffice) await staging.commitOffice(office, files)
    const manifest: Manifest = {
      generator: `ortug ${VERSION}`,
      builtAt: new Date().toISOString(),
      outputs: [...byOffice.values()].flatMap((o) => o.entries).sort((a, b) => a.path.localeCompare(b.path)),
    }
    await staging.commitTopLevel(thumbnails)
    await staging.commitTopLevel([
      { path: 'manifest.json', bytes: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
      { path: 'index.html', bytes: Buffer.from(renderCatalogue(manifest, await readThumbnails(outDir, manifest))) },
    ])
    return manifest
  } finally {
    await staging.dispose()
  }
}
