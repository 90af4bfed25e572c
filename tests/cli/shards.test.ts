import { execFile } from 'node:child_process'
import { appendFile, cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { FIT_CACHE, verifyFitCache } from '../../src/output/fit-cache.ts'
import { FORMATS } from '../../src/shared/formats.ts'
import type { Manifest } from '../../src/shared/types.ts'
import { VERSION } from '../../src/shared/version.ts'
import { type CliResult, hashTree, makeProject, REPO, removeProject, runCli } from '../helpers.ts'

// The national roll-out on a CI engine, without the CI service: shard builds as parallel
// processes (as on separate machines), gathered by merge-manifests, against one unsharded build;
// and the workflow file's shape and every ortug command line in it.

const BIN = path.join(REPO, 'bin', 'ortug.mjs')
const OFFICES = ['kota-bandung', 'kota-bogor', 'kota-depok', 'kota-cimahi', 'kabupaten-garut', 'kabupaten-bogor', 'kabupaten-ciamis', 'provinsi-jawa-barat']
const SHARDS = ['shard-1', 'shard-2', 'shard-3', 'shard-4']
const FORMAT = ['--format', 'md,html']

/** The real CLI in a process of its own, as a CI job runs it. */
function ortug(args: string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}

const readManifest = async (dir: string) => JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as Manifest
/** Every output file (office folders), without the manifest, catalogue and caches. */
const outputs = async (dir: string) => Object.fromEntries(Object.entries(await hashTree(dir)).filter(([file]) => file.includes('/') && !file.startsWith('.')))

describe('four shard builds in parallel, merged', () => {
  let dir: string
  let merged: CliResult

  beforeAll(async () => {
    dir = await makeProject({ offices: OFFICES })
    // The unsharded build first: when src/ changed since `npm install` it makes the CLI's bundle once,
    // not in four processes at a time.
    const whole = await ortug(['build', ...FORMAT, '--out', 'whole'], dir)
    expect(whole.code, whole.stderr).toBe(0)
    const shards = await Promise.all(SHARDS.map((out, i) => ortug(['build', '--shard', `${i + 1}/4`, ...FORMAT, '--out', out], dir)))
    for (const shard of shards) expect(shard.code, shard.stderr).toBe(0)
    merged = await ortug(['merge-manifests', ...SHARDS, '--out', 'dist'], dir)
  })
  afterAll(() => removeProject(dir))

  it('merges with exit 0', () => {
    expect(merged.stderr).toContain(`merged 4 shard(s): ${OFFICES.length * 2} output(s) → dist`)
    expect(merged.code).toBe(0)
  })

  it('gives every office to one shard, two offices each (equal slides)', async () => {
    const built = await Promise.all(SHARDS.map(async (shard) => (await readManifest(path.join(dir, shard))).shard?.offices ?? []))
    expect(built.flat().sort()).toEqual([...OFFICES].sort())
    for (const offices of built) expect(offices).toHaveLength(2)
  })

  it('makes every office output byte-identical to the unsharded build', async () => {
    const expected = await outputs(path.join(dir, 'whole'))
    expect(Object.keys(expected)).toHaveLength(OFFICES.length * 2)
    expect(await outputs(path.join(dir, 'dist'))).toEqual(expected)
  })

  it('writes one manifest listing each output once, as the unsharded build does', async () => {
    const manifest = await readManifest(path.join(dir, 'dist'))
    const paths = manifest.outputs.map((e) => e.path)
    expect(new Set(paths).size).toBe(paths.length)
    expect(manifest.shard).toBeUndefined()
    expect(manifest.outputs).toEqual((await readManifest(path.join(dir, 'whole'))).outputs)
  })

  it('writes one catalogue listing every office once', async () => {
    const catalogue = await readFile(path.join(dir, 'dist', 'index.html'), 'utf8')
    expect(catalogue.match(/<section class="office"/g)).toHaveLength(OFFICES.length)
    for (const office of OFFICES) expect(catalogue.split(`data-search="${office} `)).toHaveLength(2)
    expect(catalogue).toContain(`${OFFICES.length} kantor`)
  })

  it("gathers the shards' fit caches into one: every shard's measurements and hints, the unsharded build's too", async () => {
    const fitCache = async (out: string) => JSON.parse(await readFile(path.join(dir, out, '.ortug-cache', 'fit.json'), 'utf8'))
    const gathered = await fitCache('dist')
    expect(verifyFitCache(JSON.stringify(gathered))).toBeDefined()
    // Each shard's two decks start together, before any hint: both are measured from their plain
    // plans. The unsharded build starts its later decks from a hint (fit-hints.ts), so it measures
    // fewer slides; each of those is in the shards' too, and its hints are the same.
    const whole = await fitCache('whole')
    for (const cache of [whole, ...(await Promise.all(SHARDS.map(fitCache)))]) {
      expect(gathered.slides).toMatchObject(cache.slides)
      expect(gathered.fills).toMatchObject(cache.fills)
    }
    expect(Object.keys(whole.hints).length).toBeGreaterThan(0)
    expect(gathered.hints).toEqual(whole.hints)
  })

  describe('a merge refuses shards that do not belong together', () => {
    const merge = (...shards: string[]) => ortug(['merge-manifests', ...shards, '--out', 'refused'], dir)
    /** A new shard folder starts with the fit cache of that shard's first build, as a CI cache restores it: its build starts no browser. */
    const seedFitCache = async (from: string, to: string) => {
      await mkdir(path.join(dir, to, '.ortug-cache'), { recursive: true })
      await cp(path.join(dir, from, FIT_CACHE), path.join(dir, to, FIT_CACHE))
    }

    it('a shard built from other content: exit 1, naming the shard', async () => {
      const office = path.join(dir, 'content', 'offices', 'kota-bogor.yaml')
      const original = await readFile(office, 'utf8')
      await appendFile(office, '# edited after the other shards were built\n')
      await seedFitCache('shard-2', 'shard-2-later')
      const other = await ortug(['build', '--shard', '2/4', ...FORMAT, '--out', 'shard-2-later'], dir)
      await writeFile(office, original)
      expect(other.code, other.stderr).toBe(0)
      const result = await merge('shard-1', 'shard-2-later', 'shard-3', 'shard-4')
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(/shards differ in content set: \S*shard-2-later \(content [0-9a-f]{12}\) vs /)
      expect(result.stderr).toContain('build every shard from the same commit of content/ and templates/')
    })

    it('a shard built by another ortug version: exit 1, naming the shard', async () => {
      await cp(path.join(dir, 'shard-3'), path.join(dir, 'shard-3-old'), { recursive: true })
      const manifest = await readManifest(path.join(dir, 'shard-3-old'))
      await writeFile(path.join(dir, 'shard-3-old', 'manifest.json'), JSON.stringify({ ...manifest, generator: 'ortug 0.0.9' }))
      const result = await merge('shard-1', 'shard-2', 'shard-3-old', 'shard-4')
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(
        new RegExp(`shards differ in ortug version: \\S*shard-3-old \\(ortug 0\\.0\\.9\\) vs .* \\(ortug ${VERSION.replaceAll('.', '\\.')}\\)`),
      )
    })

    it('a shard whose manifest has an entry not as ortug writes it: exit 1, naming the manifest', async () => {
      await cp(path.join(dir, 'shard-3'), path.join(dir, 'shard-3-edited'), { recursive: true })
      const manifest = await readManifest(path.join(dir, 'shard-3-edited'))
      const [first, ...rest] = manifest.outputs
      await writeFile(path.join(dir, 'shard-3-edited', 'manifest.json'), JSON.stringify({ ...manifest, outputs: [{ ...first, sha256: 5 }, ...rest] }))
      const result = await merge('shard-1', 'shard-2', 'shard-3-edited', 'shard-4')
      expect(result.stderr).toContain(
        `shard-3-edited/manifest.json: 1 of its ${manifest.outputs.length} entries are not as ortug writes them (edited or damaged): their outputs cannot be gathered; rebuild that shard`,
      )
      expect(result.code).toBe(1)
    })

    it('a shard built with other formats: exit 1, naming the shard', async () => {
      await seedFitCache('shard-4', 'shard-4-md')
      const other = await ortug(['build', '--shard', '4/4', '--format', 'md', '--out', 'shard-4-md'], dir)
      expect(other.code, other.stderr).toBe(0)
      const result = await merge('shard-1', 'shard-2', 'shard-3', 'shard-4-md')
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(/shards differ in options: \S*shard-4-md \(--format md\) vs .* \(--format html,md\)/)
    })

    it('the same shard twice, or a shard missing: exit 2', async () => {
      await cp(path.join(dir, 'shard-1'), path.join(dir, 'shard-1-copy'), { recursive: true })
      const twice = await merge('shard-1', 'shard-1-copy', 'shard-2', 'shard-3', 'shard-4')
      expect(twice.code).toBe(2)
      expect(twice.stderr).toMatch(/\S*shard-1 and \S*shard-1-copy were both built as shard 1\/4: give each shard's folder once/)
      const missing = await merge('shard-1', 'shard-2', 'shard-4')
      expect(missing.code).toBe(2)
      expect(missing.stderr).toContain('shard 3/4 is missing: give the folders of all 4 shards (built with --shard 1/4 … 4/4)')
    })

    it('an unsharded build: exit 2', async () => {
      const result = await merge('whole', 'shard-2')
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/\S*whole is not a shard build .*rebuild it with "ortug build --shard k\/n/)
    })
  })

  it("a shard rebuilt after another shard's office changed records the new content set, and merges again", async () => {
    await appendFile(path.join(dir, 'content', 'offices', 'kota-depok.yaml'), '# edited\n')
    const counts: number[] = []
    for (const [i, out] of SHARDS.entries()) {
      const rebuilt = await runCli(['build', '--json', '--shard', `${i + 1}/4`, ...FORMAT, '--out', out], dir)
      expect(rebuilt.code, rebuilt.stderr).toBe(0)
      counts.push((JSON.parse(rebuilt.stdout) as { counts: { built: number } }).counts.built)
    }
    expect(counts.sort()).toEqual([0, 0, 0, 2])
    const again = await ortug(['merge-manifests', ...SHARDS, '--out', 'dist'], dir)
    expect(again.code, again.stderr).toBe(0)
  })
})

const workflow = parse(await readFile(path.join(REPO, '.github', 'workflows', 'decks.yml'), 'utf8'))
const readme = await readFile(path.join(REPO, 'README.md'), 'utf8')
/** A GitHub Actions expression, `${{ name }}`, as written in the workflow. */
const gh = (name: string) => `\${{ ${name} }}`

describe('.github/workflows/decks.yml', () => {
  const n = Number(workflow.env.SHARDS)
  type Step = { uses?: string; run?: string; with?: Record<string, unknown>; id?: string }
  const steps = (job: string): Step[] => workflow.jobs[job].steps

  it('has a plan, a shard build matrix, a merge and a deploy job, in that order', () => {
    expect(Object.keys(workflow.jobs)).toEqual(['plan', 'build', 'merge', 'deploy'])
    expect(workflow.jobs.build.needs).toBe('plan')
    expect(workflow.jobs.merge.needs).toBe('build')
    expect(workflow.jobs.deploy.needs).toBe('merge')
    expect(workflow.jobs.build.strategy.matrix.shard).toBe(gh('fromJSON(needs.plan.outputs.shards)'))
  })

  it('makes a matrix of exactly SHARDS jobs from the one SHARDS setting', async () => {
    expect(n).toBeGreaterThan(1)
    const run = steps('plan').find((s) => s.id === 'matrix')?.run as string
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'ortug-gh-'))
    try {
      const output = path.join(tmp, 'output')
      await new Promise<void>((resolve, reject) =>
        execFile('bash', ['-c', run], { env: { ...process.env, SHARDS: String(n), GITHUB_OUTPUT: output } }, (e) => (e ? reject(e) : resolve())),
      )
      const shards = JSON.parse((await readFile(output, 'utf8')).trim().replace(/^shards=/, ''))
      expect(shards).toEqual(Array.from({ length: n }, (_, i) => i + 1))
    } finally {
      await removeProject(tmp)
    }
  })

  it('uploads each shard with its hidden .ortug-cache, merges all of them and publishes dist/ on Pages', () => {
    const upload = steps('build').find((s) => s.uses?.startsWith('actions/upload-artifact@'))
    expect(upload?.with).toMatchObject({ name: `shard-${gh('matrix.shard')}`, path: `shard-${gh('matrix.shard')}`, 'include-hidden-files': true })
    expect(steps('merge').find((s) => s.uses?.startsWith('actions/download-artifact@'))?.with).toMatchObject({ pattern: 'shard-*', path: 'shards' })
    expect(steps('merge').find((s) => s.uses?.startsWith('actions/upload-pages-artifact@'))?.with).toMatchObject({ path: 'dist' })
    expect(steps('deploy').some((s) => s.uses?.startsWith('actions/deploy-pages@'))).toBe(true)
    expect(workflow.jobs.deploy.permissions).toEqual({ pages: 'write', 'id-token': 'write' })
  })

  it('caches node_modules on the lockfile, and the fit cache on the lockfile and ortug version', () => {
    for (const job of ['build', 'merge']) {
      const modules = steps(job).find((s) => s.with?.path === 'node_modules')
      expect(modules?.uses).toMatch(/^actions\/cache@/)
      expect(modules?.with?.key).toContain("hashFiles('package-lock.json')")
      const fit = steps(job).find((s) => s.with?.path === 'dist/.ortug-cache')
      expect(fit?.uses).toMatch(job === 'build' ? /^actions\/cache\/restore@/ : /^actions\/cache\/save@/)
      expect(fit?.with?.key).toContain("hashFiles('package-lock.json')")
      expect(fit?.with?.key).toContain('steps.ortug.outputs.version')
    }
  })

  it('runs only ortug command lines the real CLI accepts', async () => {
    const runs = Object.values(workflow.jobs).flatMap((job) => ((job as { steps: Step[] }).steps ?? []).flatMap((s) => (s.run ? [s.run] : [])))
    const values = { 'matrix.shard': '1', 'env.SHARDS': String(n), 'env.FORMATS': String(workflow.env.FORMATS) }
    const commands = await verifyCommands(runs, (line) =>
      line.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, name: keyof typeof values) => values[name] ?? `<${name}>`),
    )
    expect(commands.map((c) => c[0])).toEqual(['--version', 'build', '--version', 'merge-manifests'])
    expect(commands[1]).toEqual(expect.arrayContaining(['--shard', `1/${n}`]))
  })
})

describe('README: the GitLab CI snippet', () => {
  const section = readme.slice(readme.indexOf('## Scaling out'))
  const gitlab = parse(/```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '')

  it('has a parallel shard job and a pages job that needs it', () => {
    expect(gitlab.decks.parallel).toBeGreaterThan(1)
    expect(gitlab.pages.needs).toEqual(['decks'])
    expect(gitlab.pages.artifacts.paths).toEqual(['public'])
  })

  it('runs only ortug command lines the real CLI accepts', async () => {
    const lines = [...gitlab.decks.script, ...gitlab.pages.script] as string[]
    const values: Record<string, string> = { CI_NODE_INDEX: '1', CI_NODE_TOTAL: String(gitlab.decks.parallel), FORMATS: gitlab.variables.FORMATS }
    const commands = await verifyCommands(lines, (line) => line.replace(/\$(\w+)/g, (_, name: string) => values[name] ?? `<${name}>`))
    expect(commands.map((c) => c[0])).toEqual(['build', 'merge-manifests'])
  })
})

/**
 * Every `bin/ortug.mjs` command line in `scripts` (after `substitute`), checked by the real CLI:
 * its command and flags parse (run with --help appended exits 0), --format lists known formats,
 * --shard is k/n. Returns the argument lists.
 */
async function verifyCommands(scripts: readonly string[], substitute: (line: string) => string): Promise<string[][]> {
  const commands = scripts
    .flatMap((script) => script.split('\n'))
    .filter((line) => line.includes('bin/ortug.mjs'))
    // The command ends where the shell's syntax starts: `)`, `;`, `|`, `&`, `>` or a quote.
    .map((line) => (/bin\/ortug\.mjs([^)|;&>"']*)/.exec(substitute(line))?.[1] ?? '').trim().split(/\s+/))
  for (const args of commands) {
    const help = args[0] === '--version' ? await runCli(args, REPO) : await runCli([...args, '--help'], REPO)
    expect(help.code, `${args.join(' ')}: ${help.stderr}`).toBe(0)
    const flag = (name: string) => args[args.indexOf(name) + 1]
    if (args.includes('--format')) for (const format of flag('--format')?.split(',') ?? []) expect(FORMATS).toContain(format)
    if (args.includes('--shard')) expect(flag('--shard')).toMatch(/^[1-9]\d*\/[1-9]\d*$/)
  }
  return commands
}
