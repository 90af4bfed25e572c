import path from 'node:path'
import { renderCatalogue } from '../output/catalogue.ts'
import { FIT_CACHE, mergeFitCaches, readFitCache, serializeFitCache } from '../output/fit-cache.ts'
import { manifestAndCatalogue, readManifestFile, readVerified } from '../output/manifest.ts'
import { resolveOutDir } from '../output/out-dir.ts'
import { openStaging } from '../output/staging.ts'
import { readShardThumbnails, readThumbnails } from '../output/thumbnails.ts'
import type { FitCache } from '../plan/fit.ts'
import { verifyShardSet } from '../plan/shard.ts'
import { loadFontFaceCss } from '../render/theme.ts'
import { compareOutputs } from '../shared/collate.ts'
import { fail } from '../shared/error.ts'
import type { Manifest, ManifestEntry, OutputFile, ShardRecord } from '../shared/types.ts'
import { VERSION } from '../shared/version.ts'
import { COMMON_OPTIONS, defineCommand } from './define.ts'

export const mergeManifestsCommand = defineCommand({
  name: 'merge-manifests',
  summary: 'Gather the outputs of shard builds (build --shard k/n) into one folder, manifest and catalogue.',
  usage: '<shard-dir>... --out <dir> [options]',
  positionals: [{ name: 'shard-dir', description: 'the output folders of every shard build, in any order' }],
  options: {
    out: { type: 'string', value: 'dir', description: 'the folder to gather them into (required)' },
    ...COMMON_OPTIONS,
  },
  notes: ['Shards built from other content, options or ortug versions are refused (exit 1), naming the folder that differs.'],
  examples: [
    { what: 'four shards into dist/', command: 'ortug merge-manifests shard-1 shard-2 shard-3 shard-4 --out dist' },
    { what: 'every shard folder, by a shell pattern', command: 'ortug merge-manifests shard-* --out public' },
  ],
  async run({ values, positionals, cwd, stdout, logger }) {
    if (positionals.length === 0 || values.out === undefined) {
      fail('USAGE', 'give the shard folders and --out; usage: ortug merge-manifests <shard-dir>... --out <dir>')
    }
    const outDir = resolveOutDir(values.out, cwd)
    const manifest = await mergeShards(
      positionals.map((dir) => path.resolve(cwd, dir)),
      outDir,
      logger.warn,
    )
    if (values.json) stdout.write(`${JSON.stringify({ ok: true, outDir, shards: positionals.length, outputs: manifest.outputs.length })}\n`)
    else logger.info(`merged ${positionals.length} shard(s): ${manifest.outputs.length} output(s) → ${values.out}`)
    return 0
  },
})

type Shard = Manifest & { dir: string; shard: ShardRecord }

/** What the shards hold, read and checked: each office's entries and files, the thumbnails, the fit caches gathered. */
interface Gathered {
  byOffice: Map<string, { entries: ManifestEntry[]; files: OutputFile[] }>
  thumbnails: OutputFile[]
  fits: FitCache
}

/**
 * Gathers the outputs of shard builds (`ortug build --shard k/n --out shard-k`) into one folder
 * with one manifest, one catalogue and one fit cache. The folders must be the n shards of one
 * build (verifyShardSet); every file is read as readInside reads and checked against its shard's
 * manifest first; a thumbnail that fails is left out with a warning.
 */
export async function mergeShards(shardDirs: readonly string[], outDir: string, warn: (message: string) => void = () => undefined): Promise<Manifest> {
  const gathered = await gatherShards(await readShards(shardDirs, warn), warn)
  const staging = await openStaging(outDir)
  try {
    for (const [office, { files }] of gathered.byOffice) await staging.stageOffice(office, files)
    const manifest: Manifest = {
      generator: `ortug ${VERSION}`,
      builtAt: new Date().toISOString(),
      outputs: [...gathered.byOffice.values()].flatMap((o) => o.entries).sort(compareOutputs),
    }
    // Nothing the merge's own output folder held before is carried over: only the shards' thumbnails.
    const { images, hashes } = await readThumbnails(outDir, manifest, gathered.thumbnails)
    if (Object.keys(hashes).length > 0) manifest.thumbnails = hashes
    await staging.stageTopLevel([
      ...gathered.thumbnails,
      { path: FIT_CACHE, bytes: serializeFitCache(gathered.fits) },
      ...manifestAndCatalogue(manifest, renderCatalogue(manifest, images, await loadFontFaceCss())),
    ])
    await staging.commit()
    return manifest
  } finally {
    await staging.dispose()
  }
}

/** The shards' manifests, when the folders are the n shards of one build; fails naming the folder that is not. */
async function readShards(shardDirs: readonly string[], warn: (message: string) => void): Promise<Shard[]> {
  const folders: (Manifest & { dir: string })[] = []
  for (const dir of shardDirs) {
    const manifest = await readManifestFile(dir, warn, 'all')
    if (!manifest) fail('USAGE', `${dir} has no ortug manifest.json: give the --out folders of shard builds`)
    folders.push({ ...manifest, dir })
  }
  verifyShardSet(folders)
  return folders.flatMap(({ shard, ...rest }) => (shard ? [{ ...rest, shard }] : []))
}

/** Every shard's outputs (each checked against its manifest), thumbnails and fit cache. */
async function gatherShards(shards: readonly Shard[], warn: (message: string) => void): Promise<Gathered> {
  const byOffice: Gathered['byOffice'] = new Map()
  const thumbnails: OutputFile[] = []
  const fits: FitCache[] = []
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
    fits.push(await readFitCache(shard.dir, warn))
  }
  return { byOffice, thumbnails, fits: mergeFitCaches(fits) }
}

/** A shard's entries for the offices it built; fails when one of them has none (its build failed there). */
function selectShardOutputs({ dir, shard, outputs }: Shard): ManifestEntry[] {
  const { index, count, offices } = shard
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
