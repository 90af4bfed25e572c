import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { ProjectInput } from '../content/project.ts'
import { hashContentSet, type Selection } from '../content/project.ts'
import { emptyFitCache, type FitCache } from '../plan/fit.ts'
import { assignShards, type ShardSpec, verifyShardSet, weighOffices } from '../plan/shard.ts'
import { resolveFontFiles } from '../render/theme.ts'
import { fail } from '../shared/error.ts'
import { sha256 } from '../shared/hash.ts'
import { RE_ID } from '../shared/schema.ts'
import { readSourceDateEpoch } from '../shared/source-date.ts'
import type { Essay, Manifest, ManifestEntry, OutputFile, ShardRecord, Storyboard } from '../shared/types.ts'
import { VERSION } from '../shared/version.ts'
import { renderCatalogue } from './catalogue.ts'
import { openStaging } from './staging.ts'

// dist/manifest.json: every output with its size, hash and the key of the inputs that made it.
// It is also the build cache: an output whose key and bytes match is not rebuilt.

export const CACHE_DIR = '.ortug-cache'
/** Title-slide thumbnails for the catalogue, one per deck, kept between builds. */
const THUMBS = `${CACHE_DIR}/thumbs`
/** The fit cache a build keeps; a merge gathers the shards' into one. */
export const FIT_CACHE = `${CACHE_DIR}/fit.json`

/** The fit cache of an output folder; a missing one is empty, and so is one that fails its checksum (with a warning). */
export async function readFitCache(outDir: string, warn: (message: string) => void = () => undefined): Promise<FitCache> {
  const file = path.join(outDir, FIT_CACHE)
  const text = await readFile(file, 'utf8').catch(() => undefined)
  if (text === undefined) return emptyFitCache()
  const cache = verifyFitCache(text)
  if (!cache) warn(`${file} is damaged, edited or from another ortug version: ignored, so every slide is measured again`)
  return cache ?? emptyFitCache()
}

/** The fit cache as stored: its entries and a checksum over them, so an edited or damaged cache is not trusted. */
export function serializeFitCache(cache: FitCache): Buffer {
  const fills = cache.fills ?? {}
  return Buffer.from(JSON.stringify({ version: 1, checksum: fitChecksum(cache.slides, fills), slides: cache.slides, fills }))
}

/** A stored fit cache whose every entry is possible and whose checksum matches, or undefined. */
export function verifyFitCache(text: string): FitCache | undefined {
  try {
    const parsed = JSON.parse(text) as { version?: unknown; checksum?: unknown; slides?: unknown; fills?: unknown }
    if (parsed?.version !== 1) return undefined
    const slides = pickEntries(parsed.slides, MAX_OVERFLOW_PX)
    const fills = parsed.fills === undefined ? {} : pickEntries(parsed.fills, MAX_FILL)
    if (!slides || !fills || parsed.checksum !== fitChecksum(slides, fills)) return undefined
    return Object.keys(fills).length > 0 ? { version: 1, slides, fills } : { version: 1, slides }
  } catch {
    return undefined
  }
}

/** Overflow beyond this is no measurement a browser gives of one slide. */
const MAX_OVERFLOW_PX = 100_000
/** A fill is the share of the content box a slide's content spans; an overflowing slide spans more than all of it. */
const MAX_FILL = 1000

/** Slide key → number, when every entry is one a browser could have measured; else undefined. */
function pickEntries(record: unknown, max: number): Record<string, number> | undefined {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return undefined
  const entries = Object.entries(record)
  const possible = entries.every(
    ([key, value]) => /^[0-9a-f]{64}$/.test(key) && typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= max,
  )
  return possible ? Object.fromEntries(entries) : undefined
}

function fitChecksum(slides: Record<string, number>, fills: Record<string, number>): string {
  const lines = (prefix: string, record: Record<string, number>) =>
    Object.keys(record)
      .sort()
      .map((key) => `${prefix}${key}=${record[key]}`)
  return sha256(`ortug fit cache ${VERSION}\n${[...lines('', slides), ...lines('fill ', fills)].join('\n')}`)
}

/** The manifest in `outDir`, or undefined when it is missing, corrupt or not ortug's. */
export async function readManifestFile(outDir: string): Promise<Manifest | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path.join(outDir, 'manifest.json'), 'utf8')) as Partial<Manifest>
    if (typeof parsed.generator !== 'string' || !parsed.generator.startsWith('ortug') || !Array.isArray(parsed.outputs)) return undefined
    const outputs = parsed.outputs.filter(
      (e) => e && typeof e.path === 'string' && typeof e.sha256 === 'string' && typeof e.key === 'string' && !e.path.includes('..'),
    )
    return { generator: parsed.generator, builtAt: typeof parsed.builtAt === 'string' ? parsed.builtAt : '', shard: parseShardRecord(parsed.shard), outputs }
  } catch {
    return undefined
  }
}

/** The previous manifest's entries, or none when it is missing, corrupt or not ortug's. */
export async function readManifest(outDir: string): Promise<ManifestEntry[]> {
  return (await readManifestFile(outDir))?.outputs ?? []
}

/**
 * The outputs a build starts from: the manifest's, or, when it is missing, corrupt or not
 * ortug's, the outputs found on disk. Those keep their place in the new manifest and the
 * catalogue (a one-office build must not drop the other offices); their inputs are unknown, so
 * each is rebuilt the next time its office is built.
 */
export async function readPreviousOutputs(outDir: string, warn: (message: string) => void): Promise<ManifestEntry[]> {
  const manifest = await readManifestFile(outDir)
  if (manifest) return manifest.outputs
  const found = await findOutputsOnDisk(outDir)
  if (found.length > 0) {
    warn(
      `${path.join(outDir, 'manifest.json')} is missing, damaged or not ortug's: it is rebuilt from the ${found.length} output(s) found on disk, which are rebuilt when their office is built`,
    )
  }
  return found
}

/** Manifest entries (with an unknown key) for the files in `<outDir>/<office>/` named as ortug names its outputs. */
export async function findOutputsOnDisk(outDir: string): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = []
  for (const office of await readdir(outDir).catch(() => [] as string[])) {
    if (!RE_ID.test(office)) continue
    for (const name of await readdir(path.join(outDir, office)).catch(() => [] as string[])) {
      const output = parseOutputName(name)
      const bytes = output && (await readFile(path.join(outDir, office, name)).catch(() => undefined))
      if (!output || !bytes) continue
      const { essay, format } = output
      entries.push({
        path: `${office}/${name}`,
        bytes: bytes.length,
        sha256: sha256(bytes),
        office,
        officeName: office,
        essay,
        essayTitle: essay,
        format,
        key: '',
        inputs: {},
      })
    }
  }
  return entries.sort((a, b) => a.path.localeCompare(b.path))
}

/** The file names formats.ts gives: `<slug>.pdf`, `<slug>-handout.pdf`, `<slug>.001.png`, ... */
const RE_OUTPUT_NAME = /^([a-z0-9]+(?:-[a-z0-9]+)*?)(?:(-handout)\.pdf|(-overview)\.png|\.(\d{3})\.png|\.(md|html|pdf|pptx))$/

function parseOutputName(name: string): { essay: string; format: string } | undefined {
  const match = RE_OUTPUT_NAME.exec(name)
  if (!match) return undefined
  const [, essay, handout, overview, image, extension] = match
  const format = handout ? 'handout' : overview ? 'overview' : image ? 'png' : extension
  return essay && format ? { essay, format } : undefined
}

function parseShardRecord(value: unknown): ShardRecord | undefined {
  const r = value as Partial<ShardRecord> | undefined
  const valid =
    typeof r === 'object' &&
    r !== null &&
    Number.isInteger(r.index) &&
    Number.isInteger(r.count) &&
    typeof r.inputs === 'string' &&
    typeof r.options === 'string' &&
    Array.isArray(r.offices) &&
    r.offices.every((o) => typeof o === 'string')
  return valid
    ? { index: r.index as number, count: r.count as number, inputs: r.inputs as string, options: r.options as string, offices: r.offices as string[] }
    : undefined
}

/**
 * The offices a build makes: all, or with --shard k/n its share by planned slides. A shard build
 * also returns what its manifest records (see ShardRecord), and `restamp` when the output
 * folder's manifest records something else (or is missing), so that it is written even when no
 * output is out of date: an empty shard, or one whose offices did not change when others did.
 */
export async function resolveShard(
  project: ProjectInput & { essays: readonly { essay: Essay; storyboard: Storyboard }[] },
  options: Selection & { outDir: string; formats: readonly string[]; handout?: { layout?: string; paper?: string }; shard?: ShardSpec },
): Promise<{ offices: ProjectInput['offices']; record?: ShardRecord; restamp: boolean }> {
  const { shard } = options
  let offices = project.offices
  let record: ShardRecord | undefined
  if (shard) {
    const assigned = assignShards(weighOffices(project.offices, project.essays), shard.count)
    offices = project.offices.filter(({ office }) => assigned.get(office.id) === shard.index)
    const flags = [
      `--format ${[...options.formats].sort().join(',')}`,
      options.offices && `--office ${[...options.offices].sort().join(',')}`,
      options.essays && `--essay ${[...options.essays].sort().join(',')}`,
      options.handout?.layout && `--handout ${options.handout.layout}`,
      options.handout?.paper && `--paper ${options.handout.paper}`,
    ]
    record = {
      index: shard.index,
      count: shard.count,
      inputs: await hashContentSet(project, resolveFontFiles()),
      options: flags.filter(Boolean).join(' '),
      offices: offices.map(({ office }) => office.id),
    }
  }
  const previous = await readManifestFile(options.outDir)
  return { offices, record, restamp: JSON.stringify(previous?.shard) !== JSON.stringify(record) }
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

/** When the build ran: now, or SOURCE_DATE_EPOCH for reproducible builds. */
export function resolveBuildTime(env: NodeJS.ProcessEnv, now = new Date()): string {
  return (readSourceDateEpoch(env.SOURCE_DATE_EPOCH) ?? now).toISOString()
}

export async function mergeManifest(
  outDir: string,
  built: ManifestEntry[],
  previous: readonly ManifestEntry[],
  shard?: ShardRecord,
  builtAt = new Date().toISOString(),
): Promise<Manifest> {
  const fresh = new Set(built.map((e) => e.path))
  const kept: ManifestEntry[] = []
  for (const entry of previous) {
    if (fresh.has(entry.path)) continue
    if (await isFresh([entry], outDir, entry.path, entry.key)) kept.push(entry)
  }
  const outputs = [...kept, ...built].sort((a, b) => a.path.localeCompare(b.path))
  return { generator: `ortug ${VERSION}`, builtAt, ...(shard && { shard }), outputs }
}

export function thumbnailPath(office: string, slug: string): string {
  return `${THUMBS}/${office}--${slug}.webp`
}

/** Thumbnails of the decks in the manifest (`fresh` ones first, then those on disk), as data: URIs, so the catalogue stays one self-contained file. */
export async function readThumbnails(outDir: string, manifest: Manifest, fresh: readonly OutputFile[] = []): Promise<Map<string, string>> {
  const thumbnails = new Map<string, string>()
  for (const { office, essay } of manifest.outputs) {
    const key = `${office}/${essay}`
    if (thumbnails.has(key)) continue
    const file = thumbnailPath(office, essay)
    const bytes = fresh.find((t) => t.path === file)?.bytes ?? (await readFile(path.join(outDir, file)).catch(() => undefined))
    if (bytes) thumbnails.set(key, `data:image/webp;base64,${Buffer.from(bytes).toString('base64')}`)
  }
  return thumbnails
}

/**
 * Gathers the outputs of shard builds (`ortug build --shard k/n --out shard-k`) into one folder
 * with one manifest, one catalogue and one fit cache. The folders must be the n shards of one
 * build (verifyShardSet); every file is checked against its shard's manifest first.
 */
export async function mergeShards(shardDirs: readonly string[], outDir: string): Promise<Manifest> {
  const shards: (Manifest & { dir: string })[] = []
  for (const dir of shardDirs) {
    const manifest = await readManifestFile(dir)
    if (!manifest) fail('USAGE', `${dir} has no ortug manifest.json: give the --out folders of shard builds`)
    shards.push({ ...manifest, dir })
  }
  verifyShardSet(shards)
  const byOffice = new Map<string, { entries: ManifestEntry[]; files: { path: string; bytes: Uint8Array }[] }>()
  const thumbnails: { path: string; bytes: Uint8Array }[] = []
  const fits = emptyFitCache()
  for (const { dir, shard, outputs } of shards) {
    const { index, count, offices } = shard as ShardRecord
    // A shard folder built again after offices moved keeps their old outputs: only its own count.
    const entries = outputs.filter((e) => offices.includes(e.office))
    const failed = offices.filter((office) => !entries.some((e) => e.office === office))
    if (failed.length > 0) {
      fail(
        'CONTENT',
        `${dir} (shard ${index}/${count}) has no outputs for ${failed.join(', ')}: that shard's build failed for them; fix it and build the shard again`,
      )
    }
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
    const shardFits = await readFitCache(dir)
    Object.assign(fits.slides, shardFits.slides)
    if (shardFits.fills) fits.fills = { ...fits.fills, ...shardFits.fills }
  }
  const staging = await openStaging(outDir)
  try {
    for (const [office, { files }] of byOffice) await staging.stageOffice(office, files)
    const manifest: Manifest = {
      generator: `ortug ${VERSION}`,
      builtAt: new Date().toISOString(),
      outputs: [...byOffice.values()].flatMap((o) => o.entries).sort((a, b) => a.path.localeCompare(b.path)),
    }
    await staging.stageTopLevel([
      ...thumbnails,
      { path: FIT_CACHE, bytes: serializeFitCache(fits) },
      { path: 'manifest.json', bytes: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
      { path: 'index.html', bytes: Buffer.from(renderCatalogue(manifest, await readThumbnails(outDir, manifest, thumbnails))) },
    ])
    await staging.commit()
    return manifest
  } finally {
    await staging.dispose()
  }
}
