import { execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { chmod, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashTree, makeProject, REPO, removeProject, runCli } from '../helpers.ts'

// Faults: interrupted builds, missing or broken browsers, timeouts, a second build at once.
// Each leaves the previous outputs byte-identical, no staging or lock files, and no browser.

// Enough offices that a build stopped after the first one still has work left; each full build of
// them below (the first, the one holding the lock) prints every office's PDF, so no more than that.
const OFFICES = ['kota-bandung', 'kota-bogor', 'kota-depok', 'kabupaten-garut']
/** The progress line of the first office written: the browser runs, the other offices are still to come. */
const RE_FIRST_OFFICE = new RegExp(`\\[1/${OFFICES.length}\\]`)
const BIN = path.join(REPO, 'bin', 'ortug.mjs')

/** PIDs of every process below `pid`. */
function descendants(pid: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number])
  const found: number[] = []
  const walk = (parent: number) => {
    for (const [child, ppid] of rows) {
      if (ppid === parent) {
        found.push(child)
        walk(child)
      }
    }
  }
  walk(pid)
  return found
}

/** Running, not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^\d+ \(.*\) [ZX]/.test(stat)
  } catch {
    return false
  }
}

/** Processes still running after a moment (SIGKILL takes effect asynchronously). */
async function survivors(pids: Iterable<number>): Promise<string[]> {
  for (let i = 0; i < 20; i++) {
    if (![...pids].some(alive)) return []
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return [...pids].filter(alive).map((pid) => readFileSync(`/proc/${pid}/stat`, 'utf8').slice(0, 80))
}

async function leftovers(out: string): Promise<string[]> {
  return (await readdir(out)).filter((name) => name.startsWith('.ortug-staging') || name === '.ortug.lock')
}

describe('faults leave the previous outputs untouched', () => {
  let dir: string
  let out: string
  let before: Record<string, string>

  beforeAll(async () => {
    dir = await makeProject({ offices: OFFICES })
    out = path.join(dir, 'dist')
    const first = await runCli(['build', '--format', 'md,html,pdf'], dir)
    expect(first.code, first.stderr).toBe(0)
    before = await hashTree(out)
  })
  afterAll(() => removeProject(dir))

  it('SIGTERM in the middle of a build: exit 130, outputs identical, no temp files, no browser left', async () => {
    const child = spawn(process.execPath, [BIN, 'build', '--force', '--jobs', '1'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
    const browsers = new Set<number>()
    let stderr = ''
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no progress line: ${stderr}`)), 60_000)
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk
        for (const pid of descendants(child.pid as number)) browsers.add(pid)
        // The PDF stage has started (the browser is running) and no office is written yet.
        if (RE_FIRST_OFFICE.test(stderr)) {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    expect(browsers.size).toBeGreaterThan(0)
    child.kill('SIGTERM')
    expect(await exited).toBe(130)
    expect(await hashTree(out)).toEqual(before)
    expect(await leftovers(out)).toEqual([])
    expect(await survivors(browsers)).toEqual([])
  })

  it('a browser path that does not exist: exit 3 and a message saying what to do', async () => {
    const result = await runCli(['build', '--force', '--browser-path', path.join(dir, 'no-such-chrome')], dir)
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(
      /--browser-path: ".*no-such-chrome" is not an executable browser\. Install Google Chrome, Chromium or Microsoft Edge, or set CHROME_PATH/,
    )
    expect(await hashTree(out)).toEqual(before)
    expect(await leftovers(out)).toEqual([])
  })

  it('a browser that exits at once: exit 3 naming the browser', async () => {
    const fake = path.join(dir, 'fake-chrome.sh')
    await writeFile(fake, '#!/bin/sh\necho "crashed" >&2\nexit 1\n')
    await chmod(fake, 0o755)
    const result = await runCli(['build', '--force', '--browser-path', fake], dir)
    expect(result.code).toBe(3)
    // Paths inside the project print relative to it.
    expect(result.stderr).toContain('the browser at fake-chrome.sh (--browser-path) failed to start')
    expect(await hashTree(out)).toEqual(before)
    expect(await leftovers(out)).toEqual([])
  })

  it('a timeout too small for any deck: each deck is tried again alone; two offices failing in fresh browsers is exit 3 naming both and the step, no browser left', async () => {
    const child = spawn(process.execPath, [BIN, 'build', '--force', '--timeout', '0.01'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    const browsers = new Set<number>()
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk
    })
    const poll = setInterval(() => {
      for (const pid of descendants(child.pid as number)) browsers.add(pid)
    }, 50)
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    clearInterval(poll)
    expect(code).toBe(3)
    expect(stderr).toMatch(
      /error: the browser failed again after it was restarted for (kabupaten|kota)-[a-z-]+: (kabupaten|kota)-[a-z-]+ \/ ortug-kpu-jabar: did not finish within 0\.01 s \(--timeout\) (while [A-Za-z ]+|between steps); browser: \S+ \((new headless|headless shell)\) at \/\S+ \([a-z@/-]+\)\. Raise --timeout/,
    )
    expect(await hashTree(out)).toEqual(before)
    expect(await leftovers(out)).toEqual([])
    expect(await survivors(browsers)).toEqual([])
  })

  it('a second build into the same folder refuses while the first holds the lock', async () => {
    const child = spawn(process.execPath, [BIN, 'build', '--force', '--format', 'md,pdf'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    await new Promise<void>((resolve) => {
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk
        if (RE_FIRST_OFFICE.test(stderr)) resolve()
      })
    })
    const second = await runCli(['build', '--force', '--format', 'md'], dir)
    expect(second.code).toBe(3)
    expect(second.stderr).toMatch(new RegExp(`another ortug build \\(pid ${child.pid}\\) is writing to .*dist; wait for it to finish, or use another --out`))
    expect(await exited).toBe(0)
    expect(await leftovers(out)).toEqual([])
  })
})
