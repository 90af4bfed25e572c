import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliResult, makeProject, REPO, removeProject } from '../helpers.ts'

// The CLI runs a bundle: lib/ made at install time, else one in a per-user cache folder. Nothing is
// written into the install at run time, so it may be read-only, and two first runs may race.

const OFFICE = 'kota-bandung'
const RE_BUNDLE_KEY = /^[0-9a-f]{64}$/

/** `node <install>/bin/ortug.mjs ...` as a child process. */
function runInstalled(install: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  const child = spawn(process.execPath, [path.join(install, 'bin', 'ortug.mjs'), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })))
}

/** A copy of the install (what `npm ci` leaves), with lib/ made by the `prepare` script or without it. */
async function copyInstall(options: { bundled: boolean }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ortug-install-'))
  for (const name of ['bin', 'src', 'templates', 'package.json']) await cp(path.join(REPO, name), path.join(dir, name), { recursive: true })
  try {
    // Hard links copy 400 MB of packages in a moment when the temp folder is on the same disk.
    execFileSync('cp', ['-al', path.join(REPO, 'node_modules'), path.join(dir, 'node_modules')])
  } catch {
    await cp(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), { recursive: true, verbatimSymlinks: true })
  }
  if (options.bundled) execFileSync(process.execPath, [path.join(dir, 'bin', 'bundle.mjs')])
  return dir
}

/** Why a read-only bind mount cannot be made here (not root, a container without CAP_SYS_ADMIN), or undefined. */
function probeMount(): string | undefined {
  if (process.platform !== 'linux') return 'read-only bind mounts are a Linux feature'
  const dir = path.join(os.tmpdir(), `ortug-mount-probe-${process.pid}`)
  try {
    mkdirSync(dir, { recursive: true })
    mountReadOnly(dir)
    execFileSync('umount', [dir])
    return undefined
  } catch (error) {
    return `mount --bind is not permitted here (${(error as Error).message.split('\n')[0]})`
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Mounts `dir` over itself read-only: the same paths, and writes fail even for root. */
function mountReadOnly(dir: string): void {
  execFileSync('mount', ['--bind', dir, dir], { stdio: 'pipe' })
  try {
    execFileSync('mount', ['-o', 'remount,bind,ro', dir], { stdio: 'pipe' })
  } catch (error) {
    execFileSync('umount', [dir])
    throw error
  }
}

describe('packaging', () => {
  let project: string
  const installs: string[] = []
  const temps: string[] = []

  beforeAll(async () => {
    project = await makeProject({ offices: [OFFICE] })
  })
  afterAll(async () => {
    await removeProject(project)
    for (const dir of [...installs, ...temps]) await rm(dir, { recursive: true, force: true })
  })

  const tempDir = async (prefix: string) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), prefix))
    temps.push(dir)
    return dir
  }

  it('two first runs at once with an empty cache both succeed and leave one complete bundle', async () => {
    const install = await copyInstall({ bundled: false })
    installs.push(install)
    const cache = await tempDir('ortug-cache-')
    const env = { ...process.env, ORTUG_CACHE_DIR: cache }
    const [first, second] = await Promise.all([runInstalled(install, ['list'], project, env), runInstalled(install, ['list'], project, env)])
    for (const result of [first, second]) {
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).toMatch(new RegExp(`Offices \\(1\\):\\n\\s+${OFFICE}\\s+KPU Kota Bandung`))
    }
    expect(second?.stdout).toBe(first?.stdout)
    const entries = await readdir(cache)
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatch(RE_BUNDLE_KEY)
    const bundle = path.join(cache, entries[0] as string)
    expect(await readdir(bundle)).toEqual(expect.arrayContaining(['cli.js', 'inputs.sha256']))
    expect(await readFile(path.join(bundle, 'inputs.sha256'), 'utf8')).toBe(entries[0])
    // Nothing was written into the install.
    expect((await readdir(install)).sort()).toEqual(['bin', 'node_modules', 'package.json', 'src', 'templates'])
  })

  describe('a read-only install', () => {
    const reason = probeMount()

    /** Mounts the install read-only, runs `build --format md` of the temp project, and unmounts. */
    async function buildFromReadOnly(install: string, cache: string): Promise<{ result: CliResult; out: string }> {
      const out = await tempDir('ortug-out-')
      mountReadOnly(install)
      try {
        await expect(writeFile(path.join(install, 'probe'), '')).rejects.toThrow(/EROFS/)
        const result = await runInstalled(install, ['build', '--format', 'md', '--out', out], project, { ...process.env, ORTUG_CACHE_DIR: cache })
        return { result, out }
      } finally {
        execFileSync('umount', [install])
      }
    }

    it('runs its install-time bundle (lib/) and writes nothing, not even to the cache', async (ctx) => {
      if (reason) ctx.skip(reason)
      const install = await copyInstall({ bundled: true })
      installs.push(install)
      // Inside the read-only mount: any attempt to bundle again would fail.
      const cache = path.join(install, 'cache')
      const { result, out } = await buildFromReadOnly(install, cache)
      expect(result.code, result.stderr).toBe(0)
      expect(await readFile(path.join(out, OFFICE, 'ortug-kpu-jabar.md'), 'utf8')).toContain('marp: true')
      expect((await readdir(install)).sort()).toEqual(['bin', 'lib', 'node_modules', 'package.json', 'src', 'templates'])
    })

    it('without lib/ bundles into the per-user cache', async (ctx) => {
      if (reason) ctx.skip(reason)
      const install = await copyInstall({ bundled: false })
      installs.push(install)
      const cache = await tempDir('ortug-cache-')
      const { result, out } = await buildFromReadOnly(install, cache)
      expect(result.code, result.stderr).toBe(0)
      expect(await readFile(path.join(out, OFFICE, 'ortug-kpu-jabar.md'), 'utf8')).toContain('marp: true')
      expect(await readdir(cache)).toEqual([expect.stringMatching(RE_BUNDLE_KEY)])

      // With no writable cache either, it says what to do and exits 3.
      const { result: refused } = await buildFromReadOnly(install, path.join(install, 'cache'))
      expect(refused.code).toBe(3)
      // Node's recursive mkdir reports a read-only file system as ENOENT.
      expect(refused.stderr).toBe(
        `error: cannot write the bundle of ${path.join(install, 'src')} to ${path.join(install, 'cache')} (ENOENT). Set ORTUG_CACHE_DIR to a writable folder, or run \`npm install\` in ${install} to bundle it there.\n`,
      )
    })
  })
})
