import { readdir } from 'node:fs/promises'
import path from 'node:path'
import type { ProjectInput } from '../content/project.ts'
import { hashContentSet, type Selection } from '../content/project.ts'
import { emptyFitCache, type FitCache } from '../plan/fit.ts'
import { assignShards, MAX_SHARDS, type ShardSpec, verifyShardSet, weighOffices } from '../plan/shard.ts'
import { resolveFontFiles } from '../render/theme.ts'
import { fail } from '../shared/error.ts'
import { sha256 } from '../shared/hash.ts'
import { RE_ID } from '../shared/schema.ts'
import { readSourceDateEpoch } from '../shared/source-date.ts'
import type { Essay, Manifest, ManifestEntry, OutputFile, ShardRecord, Storyboard } from '../shared/types.ts'
import { VERSION } from '../shared/version.ts'
import { renderCatalogue } from './catalogue.ts'
import { readInside } from './read-inside.ts'
import { openStaging } from './staging.ts'
import { parseThumbnailRecord, readShardThumbnails, readThumbnails } from './thumbnails.ts'

// dist/manifest.json: every output with its size, hash and the key of the inputs that made it.
// It is also the build cache: an output whose key and bytes match is not rebuilt.

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

/**
 * The largest manifest read. An entry takes about 3.7 KB (its inputs' hashes), so a national build
 * (552 offices) with every format, one entry per slide image included, writes about 50 MB.
 */
const MAX_MANIFEST_BYTES = 256 * 1024 * 1024

/** The manifest in `outDir`, or undefined when it is missing, corrupt, not ortug's, or not a regular file (`warn` says so). */
export async function readManifestFile(outDir: string, warn: (message: string) => void = () => undefined): Promise<Manifest | undefined> {
  const read = await readInside(outDir, 'manifest.json', MAX_MANIFEST_BYTES)
  if (!read.ok) {
    if (!read.missing) warn(`${path.join(outDir, 'manifest.json')} ${read.reason}: not read`)
    return undefined
  }
  try {
    const parsed = JSON.parse(read.bytes.toString('utf8')) as Partial<Manifest>
    if (typeof parsed.generator !== 'string' || !parsed.generator.startsWith('ortug') || !Array.isArray(parsed.outputs)) return undefined
    const outputs = parsed.outputs.filter(
      (e) => e && typeof e.path === 'string' && typeof e.sha256 === 'string' && typeof e.key === 'string' && !e.path.includes('..'),
    )
    const thumbnails = parseThumbnailRecord(parsed.thumbnails)
    return {
      generator: parsed.generator,
      builtAt: typeof parsed.builtAt === 'string' ? parsed.builtAt : '',
      shard: parseShardRecord(parsed.shard),
      outputs,
      ...(thumbnails && { thumbnails }),
    }
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
  const manifest = await readManifestFile(outDir, warn)
  if (manifest) return manifest.outputs
  const found = await findOutputsOnDisk(outDir)
  if (found.length > 0) {
    warn(
      `${path.join(outDir, 'manifest.json')} is missing, damaged or not ortug's: it is rebuilt from the ${found.length} output(s) found on disk, which are rebuilt when their office is built`,
    )
  }
  return found
}

/** Manifest entries (with an unknown key) for the regular files in the real folders `<outDir>/<office>/` named as ortug names its outputs. */
export async function findOutputsOnDisk(outDir: string): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = []
  for (const folder of await readdir(outDir, { withFileTypes: true }).catch(() => [])) {
    const office = folder.name
    if (!folder.isDirectory() || !RE_ID.test(office)) continue
    for (const name of await readdir(path.join(outDir, office)).catch(() => [] as string[])) {
      const output = parseOutputName(name)
      const read = output && (await readInside(outDir, `${office}/${name}`))
      if (!output || !read?.ok) continue
      const { bytes } = read
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
    // A damaged or forged count would make the merge list billions of missing shards.
    (r.count as number) >= 1 &&
    (r.count as number) <= MAX_SHARDS &&
    (r.index as number) >= 1 &&
    (r.index as number) <= (r.count as number) &&
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
  return (await readVerified(outDir, entry)) !== undefined
}

/** The bytes of a listed output when they are a regular file's (read as readInside reads) and match the manifest's sha256. */
async function readVerified(dir: string, entry: ManifestEntry): Promise<Buffer | undefined> {
  const read = await readInside(dir, entry.path)
  return read.ok && sha256(read.bytes) === entry.sha256 ? read.bytes : undefined
}

/**
 * The outputs of `office` in the previous build that this build keeps (it does not make them
 * again): each listed in the manifest, a regular file in a real folder, its bytes matching the
 * recorded sha256. They are staged as bytes, never linked, so nothing else the folder holds (an
 * unlisted file, a link, what a linked folder points to) reaches the new folder.
 */
export async function readKeptOutputs(
  outDir: string,
  previous: readonly ManifestEntry[],
  office: string,
  replaced: ReadonlySet<string>,
): Promise<OutputFile[]> {
  const kept: OutputFile[] = []
  for (const entry of previous) {
    if (entry.office !== office || replaced.has(entry.path) || !entry.path.startsWith(`${office}/`)) continue
    const bytes = await readVerified(outDir, entry)
    if (bytes) kept.push({ path: entry.path, bytes })
  }
  return kept
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

/**
 * Gathers the outputs of shard builds (`ortug build --shard k/n --out shard-k`) into one folder
 * with one manifest, one catalogue and one fit cache. The folders must be the n shards of one
 * build (verifyShardSet); every file is read as readInside reads and checked against its shard's
 * manifest first; a thumbnail that fails is left out with a warning.
 */
export async function mergeShards(shardDirs: readonly string[], outDir: string, warn: (message: string) => void = () => undefined): Promise<Manifest> {
  const shards: (Manifest & { dir: string })[] = []
  for (const dir of shardDirs) {
    const manifest = await readManifestFile(dir, warn)
    if (!manifest) fail('USAGE', `${dir} has no ortug manifest.json: give the --out folders of shard builds`)
    shards.push({ ...manifest, dir })
  }
  verifyShardSet(shards)
  const byOffice = new Map<string, { entries: ManifestEntry[]; files: OutputFile[] }>()
  const thumbnails: OutputFile[] = []
  const fits = emptyFitCache()
  for (const shard of shards) {
    for (const entry of selectShardOutputs(shard)) {
      const bytes = await readVerified(shard.dir, entry)
      if (!bytes)
        fail('CONTENT', `${path.join(shard.dir, entry.path)} is missing, not a regular file or differs from ${shard.dir}/manifest.json: rebuild that shard`)
      const office = byOffice.get(entry.office) ?? { entries: [], files: [] }
      if (office.entries.some((e) => e.path === entry.path)) fail('USAGE', `${entry.path} is in more than one shard: merge the outputs of one sharded build`)
      office.entries.push(entry)
      office.files.push({ path: entry.path, bytes })
      byOffice.set(entry.office, office)
    }
    thumbnails.push(...(await readShardThumbnails(shard, warn)))
    const shardFits = await readFitCache(shard.dir, warn)
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
    // Nothing the merge's own output folder held before is carried over: only the shards' thumbnails.
    const { images, hashes } = await readThumbnails(outDir, manifest, thumbnails)
    if (Object.keys(hashes).length > 0) manifest.thumbnails = hashes
    await staging.stageTopLevel([
      ...thumbnails,
      { path: FIT_CACHE, bytes: serializeFitCache(fits) },
      { path: 'manifest.json', bytes: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
      { path: 'index.html', bytes: Buffer.from(renderCatalogue(manifest, images)) },
    ])
    await staging.commit()
    return manifest
  } finally {
    await staging.dispose()
  }
}

/** A shard's entries for the offices it built; fails when one of them has none (its build failed there). */
function selectShardOutputs({ dir, shard, outputs }: Manifest & { dir: string }): ManifestEntry[] {
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
  return entries
}
