import path from 'node:path'
import { describe, ortug, REPO, readManifest, verifyBuild } from './ortug.ts'
import { createSyntheticProject, syntheticOffices } from './project.ts'
import { median, round, type Scenario } from './report.ts'
import { browserLabel, type Context, force, log, repeat } from './scenarios.ts'

// Scenarios on synthetic national content sets: (e) the cold build of every office, (g) and (h)
// one shard of n = 4 and n = 16, and (i) merge-manifests of four shards. CI would build each
// shard on its own machine; here each is a process on this one, one after the other.

export const NATIONAL = 552
export const QUICK_NATIONAL = 24
const MERGE_SHARDS = 4
const MERGE_FORMATS = 'md,html'

export interface MergeFacts {
  offices: number
  outputs: number
  medianSeconds: number
  msPerOutput: number
  /** The four `build --shard k/4 --format md,html` that made the merge's input, one after the other; not a scenario. */
  shardBuildSeconds: number
}

export interface NationalResults {
  scenarios: Scenario[]
  merge: { full: MergeFacts; quarter: MergeFacts; marginalMsPerOutput: number }
}

export async function benchNational(ctx: Context): Promise<NationalResults> {
  const count = ctx.options.quick ? QUICK_NATIONAL : NATIONAL
  const project = await createSyntheticProject(REPO, path.join(ctx.tmp, 'national'), count)
  const offices = syntheticOffices(count).map((o) => o.id)
  const e = await benchNationalCold(ctx, project, offices)
  const g = await benchShard(ctx, 'g', project, count, 4)
  const h = await benchShard(ctx, 'h', project, count, 16)
  const full = await benchMerge(ctx, 'i', project, offices)
  const quarterCount = Math.round(count / 4)
  const quarterProject = await createSyntheticProject(REPO, path.join(ctx.tmp, 'national-quarter'), quarterCount)
  const quarter = await benchMerge(
    ctx,
    'i-quarter',
    quarterProject,
    syntheticOffices(quarterCount).map((o) => o.id),
  )
  // The slope between the two sets leaves out what every merge pays once (starting node, loading ortug).
  const marginal = ((full.facts.medianSeconds - quarter.facts.medianSeconds) * 1000) / (full.facts.outputs - quarter.facts.outputs)
  return {
    scenarios: [e, g, h, full.scenario, quarter.scenario],
    merge: { full: full.facts, quarter: quarter.facts, marginalMsPerOutput: round(marginal, 3) },
  }
}

/** (e) a cold build of the whole synthetic set. */
async function benchNationalCold(ctx: Context, project: string, offices: readonly string[]): Promise<Scenario> {
  const args = (dir: string) => ['build', '--out', dir, ...force(ctx)]
  const runs = await repeat('e', ctx.options.runs, async (i) => {
    const outDir = path.join(ctx.tmp, `e-run-${i}`)
    const record = await ortug(`(e) run ${i}`, project, args(outDir), ctx.main.env)
    await verifyBuild(outDir, offices, ctx.slugs)
    return record
  })
  const label = `ortug build, cold, ${offices.length} synthetic offices`
  return { key: 'e', label, browser: browserLabel(ctx.main), offices: offices.length, command: `${ctx.main.envPrefix}${describe(args('<fresh dir>'))}`, runs }
}

/** (g), (h): shard 1 of n, once, into a fresh folder: the time one CI machine of n would see. */
async function benchShard(ctx: Context, key: string, project: string, total: number, n: number): Promise<Scenario> {
  const outDir = path.join(ctx.tmp, `${key}-shard-1-of-${n}`)
  const args = (dir: string) => ['build', '--shard', `1/${n}`, '--out', dir, ...force(ctx)]
  let offices: string[] = []
  const runs = await repeat(key, 1, async () => {
    const record = await ortug(`(${key}) shard 1/${n}`, project, args(outDir), ctx.main.env)
    offices = (await readManifest(outDir)).shardOffices ?? []
    if (offices.length === 0) throw new Error(`${outDir}/manifest.json lists no offices for shard 1/${n}`)
    await verifyBuild(outDir, offices, ctx.slugs)
    return record
  })
  const label = `ortug build --shard 1/${n} of ${total} synthetic (a process here)`
  return { key, label, browser: browserLabel(ctx.main), offices: offices.length, command: `${ctx.main.envPrefix}${describe(args('<fresh dir>'))}`, runs }
}

/** (i) all four shards built (md and html only: no browser), then merge-manifests of them timed. */
async function benchMerge(ctx: Context, key: string, project: string, offices: readonly string[]): Promise<{ scenario: Scenario; facts: MergeFacts }> {
  const shardDirs: string[] = []
  let shardBuildSeconds = 0
  for (let k = 1; k <= MERGE_SHARDS; k++) {
    const dir = path.join(ctx.tmp, key, `shard-${k}`)
    const args = ['build', '--format', MERGE_FORMATS, '--shard', `${k}/${MERGE_SHARDS}`, '--out', dir, ...force(ctx)]
    shardBuildSeconds += (await ortug(`(${key}) build shard ${k}/${MERGE_SHARDS}`, project, args, ctx.main.env)).seconds
    shardDirs.push(dir)
  }
  log(`(${key}) built ${MERGE_SHARDS} shards of ${offices.length} offices (${MERGE_FORMATS}) in ${shardBuildSeconds.toFixed(2)} s`)
  const args = (out: string) => ['merge-manifests', ...shardDirs, '--out', out]
  let outputs = 0
  const runs = await repeat(key, ctx.options.runs, async (i) => {
    const outDir = path.join(ctx.tmp, key, `merged-run-${i}`)
    const record = await ortug(`(${key}) merge run ${i}`, project, args(outDir))
    await verifyBuild(outDir, offices, ctx.slugs)
    outputs = (await readManifest(outDir)).outputs
    return record
  })
  const medianSeconds = median(runs.map((r) => r.seconds))
  const shardNames = shardDirs.map((d) => path.basename(d))
  return {
    scenario: {
      key,
      label: `ortug merge-manifests, ${MERGE_SHARDS} shards, ${outputs} outputs (${MERGE_FORMATS})`,
      offices: offices.length,
      command: describe(['merge-manifests', ...shardNames, '--out', '<fresh dir>']),
      runs,
    },
    facts: {
      offices: offices.length,
      outputs,
      medianSeconds: round(medianSeconds, 3),
      msPerOutput: round((medianSeconds * 1000) / outputs, 3),
      shardBuildSeconds: round(shardBuildSeconds),
    },
  }
}
