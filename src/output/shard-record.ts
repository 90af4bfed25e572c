import type { ProjectInput } from '../content/project.ts'
import { hashContentSet, type Selection } from '../content/project.ts'
import { assignShards, type ShardSpec, weighOffices } from '../plan/shard.ts'
import { resolveFontFiles } from '../render/theme.ts'
import type { Essay, Manifest, ShardRecord, Storyboard } from '../shared/types.ts'

// Which offices a shard build (`ortug build --shard k/n`) makes, and what it records in its
// manifest so that a merge can tell that its shards belong together (plan/shard.ts verifyShardSet).

/**
 * The offices a build makes: all, or with --shard k/n its share by planned slides. A shard build
 * also returns what its manifest records (see ShardRecord), and `restamp` when the output
 * folder's manifest records something else (or is missing), so that it is written even when no
 * output is out of date: an empty shard, or one whose offices did not change when others did.
 * `previous` is the output folder's manifest as the build read it.
 */
export async function resolveShard(
  project: ProjectInput & { essays: readonly { essay: Essay; storyboard: Storyboard }[] },
  options: Selection & { formats: readonly string[]; handout?: { layout?: string; paper?: string }; shard?: ShardSpec },
  previous: Manifest | undefined,
): Promise<{ offices: ProjectInput['offices']; record?: ShardRecord; restamp: boolean }> {
  const { shard } = options
  if (!shard) return { offices: project.offices, restamp: previous?.shard !== undefined }
  const assigned = assignShards(weighOffices(project.offices, project.essays), shard.count)
  const offices = project.offices.filter(({ office }) => assigned.get(office.id) === shard.index)
  const record: ShardRecord = {
    index: shard.index,
    count: shard.count,
    inputs: await hashContentSet(project, resolveFontFiles()),
    options: describeShardOptions(options),
    offices: offices.map(({ office }) => office.id),
  }
  return { offices, record, restamp: JSON.stringify(previous?.shard) !== JSON.stringify(record) }
}

/** The options that shape outputs, as flags: shards built with other ones must not be merged. */
function describeShardOptions(options: Selection & { formats: readonly string[]; handout?: { layout?: string; paper?: string } }): string {
  const flags = [
    `--format ${[...options.formats].sort().join(',')}`,
    options.offices && `--office ${[...options.offices].sort().join(',')}`,
    options.essays && `--essay ${[...options.essays].sort().join(',')}`,
    options.handout?.layout && `--handout ${options.handout.layout}`,
    options.handout?.paper && `--paper ${options.handout.paper}`,
  ]
  return flags.filter(Boolean).join(' ')
}
