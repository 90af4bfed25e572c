import { spawn } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveBrowser } from '../../src/browser/launch.ts'
import { openStaging } from '../../src/output/staging.ts'
import { hashTree, makeProject, REPO, removeProject, runCli } from '../helpers.ts'

// The commit is all or nothing for the whole build: a real build process (tests/fault-build.ts, the
// same build() as `ortug build` with faults passed in) is stopped at every step of its commit
// (--crash-at n), by SIGKILL and by SIGINT/SIGTERM, or meets a full disk (--enospc-at n). After each,
// and after the recovery the next run of the real CLI does, the output folder is the old build or
// the new one, byte for byte, manifest included.

const BIN = path.join(REPO, 'bin', 'ortug.mjs')
/** tests/fault-main.ts bundled once as bin/bundle.mjs bundles the CLI: each of the many runs starts as fast as `ortug build`. */
const FAULT_BUNDLE_DIR = await mkdtemp(path.join(os.tmpdir(), 'ortug-fault-build-'))
const FAULT_BUILD = [await bundleFaultBuild(FAULT_BUNDLE_DIR)]
afterAll(() => rm(FAULT_BUNDLE_DIR, { recursive: true, force: true }))
const OFFICES = ['kota-bandung', 'kota-bogor', 'kota-depok', 'kota-cimahi', 'kabupaten-garut']
/** Fixed, so that two builds of the same inputs write the same manifest and catalogue. */
const ENV = { ...process.env, SOURCE_DATE_EPOCH: '1767225600' }
const inUse = await resolveBrowser().catch(() => undefined)

interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  stderr: string
}

/** The CLI: `ortug <args>`. */
function runBin(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Exit> {
  return runNode([BIN, ...args], cwd, env)
}

/** `ortug build` (args[0] is `build`) stopped by `faults` (tests/fault-build.ts: --crash-at n, --crash-signal, --enospc-at n; bundled from tests/fault-main.ts). */
function runFaulty(faults: string[], args: string[], cwd: string): Promise<Exit> {
  if (args[0] !== 'build') throw new Error(`not a build: ${args.join(' ')}`)
  return runNode([...FAULT_BUILD, ...faults, '--', ...args.slice(1)], cwd, ENV)
}

async function bundleFaultBuild(dir: string): Promise<string> {
  const { writeBundle } = await import(pathToFileURL(path.join(REPO, 'bin', 'bundle.mjs')).href)
  await writeBundle(dir, undefined, path.join(REPO, 'tests', 'fault-main.ts'))
  return path.join(dir, 'fault-main.js')
}

function runNode(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Exit> {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk
  })
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })))
}

/** What the next ortug run does first: take the lock, complete or undo an unfinished commit. */
async function recover(out: string): Promise<void> {
  const staging = await openStaging(out)
  await staging.dispose()
}

async function bookkeeping(out: string): Promise<string[]> {
  return (await readdir(out)).filter((name) => name.startsWith('.ortug-staging') || name === '.ortug.lock' || name === '.ortug-journal.json')
}

/**
 * A project whose dist holds the build of inputs v1 (`old`), with inputs v2 in place (a change to
 * `_defaults.yaml` that touches every office), and the hashes of a complete build of v2 (`fresh`).
 */
async function prepare(formats: string, offices: readonly string[]) {
  const dir = await makeProject({ offices: [...offices] })
  const build = ['build', '--format', formats]
  const defaults = path.join(dir, 'content/offices/_defaults.yaml')
  const v1 = await readFile(defaults, 'utf8')
  const v2 = `${v1}\nsession: { venue: Aula Baru KPU }\n`
  // v2 first, so that the fit cache of the old build already holds v2's slides: a build of v2
  // then measures nothing, and every run of it writes the same bytes (measured overflows may
  // differ by a pixel from one run to the next, which is no concern of the commit).
  for (const inputs of [v2, v1]) {
    await writeFile(defaults, inputs)
    const run = await runBin(build, dir, ENV)
    expect(run.code, run.stderr).toBe(0)
  }
  await cp(path.join(dir, 'dist'), path.join(dir, 'dist-v1'), { recursive: true })
  const old = await hashTree(path.join(dir, 'dist'))
  await writeFile(defaults, v2)
  const second = await runBin(build, dir, ENV)
  expect(second.code, second.stderr).toBe(0)
  const fresh = await hashTree(path.join(dir, 'dist'))
  expect(Object.keys(fresh).sort()).toEqual(Object.keys(old).sort())
  // Every office's outputs, the manifest and the catalogue differ between the two builds.
  for (const office of offices) expect(fresh[`${office}/ortug-kpu-jabar.md`], office).not.toBe(old[`${office}/ortug-kpu-jabar.md`])
  expect(fresh['manifest.json']).not.toBe(old['manifest.json'])
  const reset = async () => {
    await rm(path.join(dir, 'dist'), { recursive: true, force: true })
    await cp(path.join(dir, 'dist-v1'), path.join(dir, 'dist'), { recursive: true })
  }
  return { dir, out: path.join(dir, 'dist'), build, old, fresh, reset }
}

type Outcome = 'old' | 'new'

/** 'old' or 'new' when `tree` is one of the two builds exactly; otherwise which files differ from each. */
function outcome(tree: Record<string, string>, old: Record<string, string>, fresh: Record<string, string>): Outcome | { old: string[]; new: string[] } {
  const differing = (build: Record<string, string>) => [...new Set([...Object.keys(tree), ...Object.keys(build)])].filter((f) => tree[f] !== build[f]).sort()
  if (differing(old).length === 0) return 'old'
  if (differing(fresh).length === 0) return 'new'
  return { old: differing(old), new: differing(fresh) }
}

describe('a commit killed at every step leaves the old build or the new one (Markdown, five offices)', () => {
  let project: Awaited<ReturnType<typeof prepare>>
  beforeAll(async () => {
    project = await prepare('md', OFFICES)
  }, 120_000)
  afterAll(() => removeProject(project.dir))

  it('SIGKILL at each of the commit steps, then recovery', async () => {
    const { dir, out, build, old, fresh, reset } = project
    const seen: Outcome[] = []
    for (let step = 1; ; step++) {
      await reset()
      const run = await runFaulty(['--crash-at', String(step)], build, dir)
      if (run.signal === null) {
        // Past the last step: the build ran to its end.
        expect(run.code, run.stderr).toBe(0)
        expect(await hashTree(out)).toEqual(fresh)
        break
      }
      expect(run.signal, `step ${step}`).toBe('SIGKILL')
      await recover(out)
      const after = await hashTree(out)
      expect(['old', 'new'], `step ${step}: ${JSON.stringify(outcome(after, old, fresh))}`).toContain(outcome(after, old, fresh))
      expect(await bookkeeping(out), `step ${step}`).toEqual([])
      seen.push(outcome(after, old, fresh) as Outcome)
      // The next build starts from a consistent folder and ends with the new build.
      if (step % 7 === 0) {
        const next = await runBin(build, dir, ENV)
        expect(next.code, next.stderr).toBe(0)
        expect(await hashTree(out)).toEqual(fresh)
      }
    }
    // 5 offices + 3 top-level files staged, 8 moved aside, the journal, 8 moved in, the cleanup.
    expect(seen.length).toBeGreaterThanOrEqual(25)
    // Old until the commit point, new from there on, never back.
    const commitPoint = seen.indexOf('new')
    expect(commitPoint).toBeGreaterThan(8)
    expect(seen.slice(0, commitPoint).every((o) => o === 'old')).toBe(true)
    expect(seen.slice(commitPoint).every((o) => o === 'new')).toBe(true)
    expect(seen.length - 8).toBeGreaterThanOrEqual(20)
  }, 600_000)

  it('the next build after a kill completes the commit before it reads the manifest', async () => {
    const { dir, out, build, fresh, reset } = project
    await reset()
    // Just after the commit point: two offices moved in, the rest still staged.
    const steps = OFFICES.length + 3 + (OFFICES.length + 3) + 2 + 2
    const killed = await runFaulty(['--crash-at', String(steps)], build, dir)
    expect(killed.signal).toBe('SIGKILL')
    expect(await bookkeeping(out)).toContain('.ortug-journal.json')
    const next = await runBin(['build', '--format', 'md', '--json'], dir, ENV)
    expect(next.code, next.stderr).toBe(0)
    expect(await hashTree(out)).toEqual(fresh)
    expect(await bookkeeping(out)).toEqual([])
  }, 120_000)

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} at commit steps: exit 130, the old build or the new one, nothing left behind`, async () => {
      const { dir, out, build, old, fresh, reset } = project
      const seen = new Set<Outcome>()
      for (const step of [1, 4, 8, 9, 12, 16, 17, 18, 19, 22, 26, 27]) {
        await reset()
        const run = await runFaulty(['--crash-at', String(step), '--crash-signal', signal], build, dir)
        expect(run.code, `step ${step}: ${run.stderr}`).toBe(130)
        expect(run.stderr).not.toMatch(/internal error|\n\s+at /)
        const after = await hashTree(out)
        const result = outcome(after, old, fresh)
        expect(['old', 'new'], `step ${step}: ${JSON.stringify(result)}`).toContain(result)
        if (result === 'old') expect(run.stderr).toMatch(/the previous outputs in \S+ are unchanged|earlier outputs are unchanged/)
        expect(await bookkeeping(out), `step ${step}`).toEqual([])
        seen.add(result as Outcome)
      }
      expect([...seen].sort()).toEqual(['new', 'old'])
    }, 300_000)
  }

  it('a full disk while staging or writing the journal: exit 3, a clear message, the old build byte for byte', async () => {
    const { dir, out, build, old, reset } = project
    // Writes: one per office, the fit cache, the manifest, the catalogue, the journal.
    for (const write of [1, 3, 5, 6, 8, 9]) {
      await reset()
      const run = await runFaulty(['--enospc-at', String(write)], build, dir)
      expect(run.code, `write ${write}: ${run.stderr}`).toBe(3)
      expect(run.stderr).toMatch(
        /error: (\S+: )?cannot write \S+: ENOSPC \(the disk is full\): free some space, then build again; the previous outputs in \S+ are unchanged/,
      )
      expect(run.stderr).not.toMatch(/internal error|\n\s+at /)
      expect(await hashTree(out), `write ${write}`).toEqual(old)
      expect(await bookkeeping(out)).toEqual([])
    }
  }, 300_000)
})

describe.skipIf(!inUse)(`a commit with PDFs killed at steps spread over it (${inUse?.executablePath ?? 'no browser'})`, () => {
  let project: Awaited<ReturnType<typeof prepare>>
  beforeAll(async () => {
    project = await prepare('md,pdf', OFFICES.slice(0, 2))
  }, 300_000)
  afterAll(() => removeProject(project.dir))

  it('SIGKILL before, at and after the commit point, then recovery', async () => {
    const { dir, out, build, old, fresh, reset } = project
    // 2 offices + 2 thumbnails + fit cache, manifest, catalogue staged (7), moved aside (7), journal (2), moved in (7), cleanup (2).
    const seen: Outcome[] = []
    for (const step of [3, 10, 14, 15, 16, 20, 24, 25]) {
      await reset()
      const run = await runFaulty(['--crash-at', String(step)], build, dir)
      expect(run.signal, `step ${step}: ${run.stderr}`).toBe('SIGKILL')
      await recover(out)
      const result = outcome(await hashTree(out), old, fresh)
      expect(['old', 'new'], `step ${step}: ${JSON.stringify(result)}`).toContain(result)
      seen.push(result as Outcome)
    }
    expect(seen).toEqual(['old', 'old', 'old', 'old', 'new', 'new', 'new', 'new'])
  }, 600_000)
})

describe('output folders the command line cannot use', () => {
  it('--out under /proc, a folder at the lock path, a stale lock of another program: clear answers, no hang', async () => {
    const dir = await makeProject({ offices: ['kota-bogor'] })
    try {
      const proc = await runCli(['build', '--format', 'md', '--out', '/proc/1/x'], dir)
      expect(proc.code, proc.stderr).toBe(3)
      expect(proc.stderr).toMatch(/^error: cannot create the output folder \/proc\/1\/x: E[A-Z]+; choose a folder you may write to with --out$/m)

      await mkdir(path.join(dir, 'dist', '.ortug.lock'), { recursive: true })
      const folder = await runCli(['build', '--format', 'md'], dir)
      expect(folder.code, folder.stderr).toBe(3)
      expect(folder.stderr).toContain("error: dist/.ortug.lock is a folder, not ortug's lock file: remove it")
      expect(folder.stderr).not.toMatch(/internal error|\n\s+at /)

      await rm(path.join(dir, 'dist', '.ortug.lock'), { recursive: true })
      // PID 1 is alive, and is no ortug build.
      await writeFile(path.join(dir, 'dist', '.ortug.lock'), '1')
      const built = await runCli(['build', '--format', 'md'], dir)
      expect(built.code, built.stderr).toBe(0)
      expect(await bookkeeping(path.join(dir, 'dist'))).toEqual([])
    } finally {
      await removeProject(dir)
    }
  }, 120_000)
})
