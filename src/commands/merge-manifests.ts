import path from 'node:path'
import { mergeShards } from '../output/manifest.ts'
import { resolveOutDir } from '../output/out-dir.ts'
import { fail } from '../shared/error.ts'
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
