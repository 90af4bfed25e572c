import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { compareOutputs } from '../shared/collate.ts'
import { fail } from '../shared/error.ts'
import { sha256 } from '../shared/hash.ts'
import { RE_ID } from '../shared/schema.ts'
import { readSourceDateEpoch } from '../shared/source-date.ts'
import type { Manifest, ManifestEntry, OutputFile, ShardRecord } from '../shared/types.ts'
import { VERSION } from '../shared/version.ts'
import { parseManifest } from './manifest-schema.ts'
import { parseJson, readInside } from './read-inside.ts'

// dist/manifest.json: every output with its size, hash and the key of the inputs that made it.
// It is also the build cache: an output whose key and bytes match is not rebuilt.

/**
 * The largest manifest read. An entry takes about 3.7 KB (its inputs' hashes), so a national build
 * (552 offices) with every format, one entry per slide image included, writes about 50 MB.
 */
const MAX_MANIFEST_BYTES = 256 * 1024 * 1024

/**
 * The manifest in `outDir`, or undefined when it is missing, corrupt, not ortug's, or not a
 * regular file (`warn` says so). Entries not as ortug writes them are left out with a warning (a
 * build makes their outputs again), or, for a merge (`entries: 'all'`), refuse the manifest: their
 * outputs could not be gathered.
 */
export async function readManifestFile(
  outDir: string,
  warn: (message: string) => void = () => undefined,
  entries: 'valid' | 'all' = 'valid',
): Promise<Manifest | undefined> {
  const read = await readInside(outDir, 'manifest.json', MAX_MANIFEST_BYTES)
  if (!read.ok) {
    if (!read.missing) warn(`${path.join(outDir, 'manifest.json')} ${read.reason}: not read`)
    return undefined
  }
  const value = parseJson(read.bytes.toString('utf8'))
  const manifest = parseManifest(value)
  // Entries that are not ortug's are left out (parseManifest); their office drops from the catalogue until it is built again.
  const written = typeof value === 'object' && value !== null && 'outputs' in value && Array.isArray(value.outputs) ? value.outputs.length : 0
  const dropped = manifest ? written - manifest.outputs.length : 0
  if (dropped > 0) {
    const found = `${path.join(outDir, 'manifest.json')}: ${dropped} of its ${written} entries are not as ortug writes them (edited or damaged)`
    if (entries === 'all') fail('CONTENT', `${found}: their outputs cannot be gathered; rebuild that shard`)
    warn(`${found} and are left out; their outputs are made again when their office is built`)
  }
  return manifest
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
  return previousOutputs(outDir, await readManifestFile(outDir, warn), warn)
}

/** readPreviousOutputs for a manifest already read (`manifest`, undefined when it could not be). */
export async function previousOutputs(outDir: string, manifest: Manifest | undefined, warn: (message: string) => void): Promise<ManifestEntry[]> {
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
    for (const name of await readdir(path.join(outDir, office)).catch((): string[] => [])) {
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
  return entries.sort(compareOutputs)
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
  for (const entry of entries) if (!(await isFresh(entry, outDir, key))) return false
  return true
}

/** The entry's key is `key`, and its file's bytes are what the manifest recorded. */
async function isFresh(entry: ManifestEntry, outDir: string, key: string): Promise<boolean> {
  return entry.key === key && (await readVerified(outDir, entry)) !== undefined
}

/** The bytes of a listed output when they are a regular file's (read as readInside reads) and match the manifest's sha256. */
export async function readVerified(dir: string, entry: ManifestEntry): Promise<Buffer | undefined> {
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

/** The new manifest: what this build made, and the previous entries it did not replace whose files are still as recorded. */
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
    if (await isFresh(entry, outDir, entry.key)) kept.push(entry)
  }
  const outputs = [...kept, ...built].sort(compareOutputs)
  return { generator: `ortug ${VERSION}`, builtAt, ...(shard && { shard }), outputs }
}

/**
 * manifest.json and index.html. The catalogue is rendered from the manifest's outputs, then the
 * manifest records it (size and sha256) like every other output, in a field of its own.
 */
export function manifestAndCatalogue(manifest: Manifest, catalogueHtml: string): OutputFile[] {
  const catalogue = Buffer.from(catalogueHtml)
  const listed: Manifest = { ...manifest, catalogue: { path: 'index.html', bytes: catalogue.length, sha256: sha256(catalogue) } }
  return [
    { path: 'manifest.json', bytes: Buffer.from(`${JSON.stringify(listed, null, 2)}\n`) },
    { path: 'index.html', bytes: catalogue },
  ]
}
