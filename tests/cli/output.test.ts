import { mkdir, mkdtemp, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isLiveOwner, LOCK_STALE_MS } from '../../src/output/lock.ts'
import { RENAME_RETRY_DELAYS_MS, type Rename } from '../../src/output/mover.ts'
import { isInside, resolveOutputPath, resolveStagedPath } from '../../src/output/output-paths.ts'
import { JOURNAL_FILE } from '../../src/output/recover.ts'
import { openStaging } from '../../src/output/staging.ts'
import { OrtugError } from '../../src/shared/error.ts'
import { hashTree } from '../helpers.ts'

// The output module on paper for Windows (path.win32) and, on Linux, against a rename that fails
// the way Windows' does while a PDF viewer holds a file open.

const WIN_OUT = 'C:\\Users\\pelatih\\ortug\\dist'
const POSIX_OUT = '/home/pelatih/ortug/dist'
const FILE = 'kota-bandung/ortug-kpu-jabar.pdf'

/** Runs `action` and returns the OrtugError it throws; fails the test when it throws nothing else. */
async function caught(action: () => unknown): Promise<OrtugError> {
  try {
    await action()
  } catch (error) {
    expect(error).toBeInstanceOf(OrtugError)
    return error as OrtugError
  }
  throw new Error('expected an OrtugError, nothing was thrown')
}

describe('output paths on paper', () => {
  it('places an office file under the output folder, with the separators of each platform', () => {
    expect(resolveOutputPath(POSIX_OUT, FILE, path.posix)).toBe('/home/pelatih/ortug/dist/kota-bandung/ortug-kpu-jabar.pdf')
    expect(resolveOutputPath(WIN_OUT, FILE, path.win32)).toBe('C:\\Users\\pelatih\\ortug\\dist\\kota-bandung\\ortug-kpu-jabar.pdf')
    expect(resolveOutputPath(WIN_OUT, '.ortug-cache/thumbs/kota-bandung--ortug-kpu-jabar.webp', path.win32)).toBe(
      'C:\\Users\\pelatih\\ortug\\dist\\.ortug-cache\\thumbs\\kota-bandung--ortug-kpu-jabar.webp',
    )
    expect(resolveOutputPath('c:\\users\\pelatih\\ortug\\dist\\', 'manifest.json', path.win32)).toBe('c:\\users\\pelatih\\ortug\\dist\\manifest.json')
  })

  it('stages an office file in office-<id>, with the separators of each platform', () => {
    const posixStaging = `${POSIX_OUT}/.ortug-staging-1-ab`
    const winStaging = `${WIN_OUT}\\.ortug-staging-1-ab`
    expect(resolveStagedPath(posixStaging, 'kota-bandung', FILE, path.posix)).toBe(`${posixStaging}/office-kota-bandung/ortug-kpu-jabar.pdf`)
    expect(resolveStagedPath(winStaging, 'kota-bandung', FILE, path.win32)).toBe(`${winStaging}\\office-kota-bandung\\ortug-kpu-jabar.pdf`)
  })

  const ESCAPES = [
    '../x',
    'kota-bandung/../../x',
    'C:\\x',
    'C:x',
    'D:/x',
    '\\\\server\\share\\x',
    'kota-bandung\\..\\..\\x',
    '/etc/passwd',
    '',
    '.',
    'kota-bandung/',
  ]
  for (const [name, p, out] of [
    ['posix', path.posix, POSIX_OUT],
    ['win32', path.win32, WIN_OUT],
  ] as const) {
    it.each(ESCAPES)(`${name}: refuses to write %j outside the output folder`, async (relative) => {
      const error = await caught(() => resolveOutputPath(out, relative, p))
      expect(error.kind).toBe('ENVIRONMENT')
      expect(error.message).toBe(`refusing to write ${relative}: it lies outside ${out}`)
    })

    it.each([
      'kota-bandung/../../x',
      'kota-bandung/../kota-bogor/x.pdf',
      'kota-bandung/C:\\x',
      'kota-bandung/\\\\server\\share\\x',
      'kota-bandung\\..\\..\\x',
      'kota-bandung/..\\..\\x',
      'kota-bogor/x.pdf',
      'kota-bandung',
      'kota-bandung/',
    ])(`${name}: refuses to stage %j outside the office's folder`, async (file) => {
      const error = await caught(() => resolveStagedPath(p.join(out, '.ortug-staging-1-ab'), 'kota-bandung', file, p))
      expect(error.kind).toBe('ENVIRONMENT')
      expect(error.message).toBe(`refusing to write ${file} outside kota-bandung/`)
    })
  }

  it('win32: compares drive letters and names without case, as Windows does', () => {
    expect(isInside(WIN_OUT, 'c:\\users\\PELATIH\\ortug\\dist\\kota-bandung', path.win32)).toBe(true)
    expect(isInside('c:\\users\\pelatih\\ortug\\dist', `${WIN_OUT}\\kota-bandung\\x.pdf`, path.win32)).toBe(true)
    expect(isInside(WIN_OUT, 'C:/Users/pelatih/ortug/dist/kota-bandung', path.win32)).toBe(true)
    expect(isInside('/home/Pelatih/dist', '/home/pelatih/dist/x', path.posix)).toBe(false)
  })

  it('win32: other drives, shares, siblings with the same prefix and the folder itself are not inside', () => {
    for (const child of [
      'D:\\Users\\pelatih\\ortug\\dist\\x',
      '\\\\server\\share\\x',
      'C:\\Users\\pelatih\\ortug\\dist-old\\x',
      'C:\\x',
      WIN_OUT,
      `${WIN_OUT}\\`,
    ]) {
      expect(isInside(WIN_OUT, child, path.win32), child).toBe(false)
    }
    expect(isInside(POSIX_OUT, '/home/pelatih/ortug/dist-old/x', path.posix)).toBe(false)
    expect(isInside(POSIX_OUT, '/home/pelatih/ortug/dist/..x', path.posix)).toBe(true)
  })
})

describe('replacing outputs a viewer holds open (Windows, simulated)', () => {
  let out: string
  const NO_WAIT = [1, 1, 1, 1, 1, 1, 1, 1, 1]
  const pdf = (text: string) => ({ path: FILE, bytes: Buffer.from(`%PDF ${text}`) })
  /** The office's other output, which the build keeps (readKeptOutputs read and verified it). */
  const kept = { path: 'kota-bandung/other-essay.pdf', bytes: Buffer.from('%PDF other') }

  /** A rename that fails with `code` while `blocked(from, to)` says so, counting the failures. */
  function lockedRename(code: string, blocked: (from: string, to: string, failures: number) => boolean) {
    const calls = { failures: 0 }
    const fn: Rename = async (from, to) => {
      if (blocked(from, to, calls.failures)) {
        calls.failures++
        throw Object.assign(new Error(`${code}: resource busy or locked, rename '${from}' -> '${to}'`), { code })
      }
      await rename(from, to)
    }
    return { fn, calls }
  }
  const isOfficeFolder = (p: string) => path.basename(p) === 'kota-bandung'

  beforeEach(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'ortug-output-'))
    await mkdir(path.join(out, 'kota-bandung'))
    await writeFile(path.join(out, 'kota-bandung', 'ortug-kpu-jabar.pdf'), '%PDF old')
    await writeFile(path.join(out, 'kota-bandung', 'other-essay.pdf'), '%PDF other')
    await writeFile(path.join(out, 'manifest.json'), '{"old":true}\n')
    // An output folder of ortug's (verifyOutDirIsOrtugs): its cache folder is there.
    await mkdir(path.join(out, '.ortug-cache'))
  })
  afterEach(() => rm(out, { recursive: true, force: true }))

  async function commit(rename: Rename, run: (staging: Awaited<ReturnType<typeof openStaging>>) => Promise<void>) {
    const staging = await openStaging(out, { rename, retryDelaysMs: NO_WAIT })
    try {
      await run(staging)
      await staging.commit()
    } finally {
      await staging.dispose()
    }
  }

  it('moves the office folder once the viewer lets go (EBUSY three times)', async () => {
    const { fn, calls } = lockedRename('EBUSY', (from, _to, failures) => isOfficeFolder(from) && failures < 3)
    await commit(fn, (staging) => staging.stageOffice('kota-bandung', [pdf('new'), kept]))
    expect(calls.failures).toBe(3)
    expect(await readFile(path.join(out, FILE), 'utf8')).toBe('%PDF new')
    expect(await readFile(path.join(out, 'kota-bandung', 'other-essay.pdf'), 'utf8')).toBe('%PDF other')
    expect((await readdir(out)).sort()).toEqual(['.ortug-cache', 'kota-bandung', 'manifest.json'])
  })

  for (const code of ['EBUSY', 'EPERM', 'EACCES']) {
    it(`keeps every previous file when the office folder stays locked (${code})`, async () => {
      const before = await hashTree(out)
      const { fn, calls } = lockedRename(code, (from) => isOfficeFolder(from))
      const error = await caught(() => commit(fn, (staging) => staging.stageOffice('kota-bandung', [pdf('new')])))
      expect(error.kind).toBe('ENVIRONMENT')
      expect(error.exitCode).toBe(3)
      const target = path.join(out, 'kota-bandung')
      expect(error.message).toContain(`cannot replace ${target}: another program holds it (${code}`)
      expect(error.message).toContain(`close ${target} in your PDF viewer or browser, then build again`)
      expect(error.message).toContain(`the previous outputs in ${out} are unchanged`)
      expect(calls.failures).toBe(NO_WAIT.length + 1)
      expect(await hashTree(out)).toEqual(before)
      expect((await readdir(out)).sort()).toEqual(['.ortug-cache', 'kota-bandung', 'manifest.json'])
    })
  }

  it('a move blocked after the commit point leaves a journal that the next run completes', async () => {
    // The old folder moves aside and the journal is written, then a virus scanner holds the new folder.
    const { fn } = lockedRename('EPERM', (from) => path.basename(from) === 'office-kota-bandung')
    const error = await caught(() => commit(fn, (staging) => staging.stageOffice('kota-bandung', [pdf('new'), kept])))
    expect(error.kind).toBe('ENVIRONMENT')
    expect(error.message).toContain(
      `the new build is committed (${path.join(out, JOURNAL_FILE)}) but ${path.join(out, 'kota-bandung')} is not in place yet: the next ortug build into ${out} completes it`,
    )
    expect(await readdir(out)).toContain(JOURNAL_FILE)
    await commit(rename, async () => undefined)
    expect(await readFile(path.join(out, FILE), 'utf8')).toBe('%PDF new')
    expect(await readFile(path.join(out, 'kota-bandung', 'other-essay.pdf'), 'utf8')).toBe('%PDF other')
    expect((await readdir(out)).sort()).toEqual(['.ortug-cache', 'kota-bandung', 'manifest.json'])
  })

  it('keeps the previous folder, and says where, when it can be neither replaced nor put back; the next run puts it back', async () => {
    const before = await hashTree(out)
    // The office folder moves aside; the manifest is held open, and then so is the folder.
    const { fn } = lockedRename('EBUSY', (from) => path.basename(from) === 'manifest.json' || path.basename(from) === 'old-kota-bandung')
    const error = await caught(() =>
      commit(fn, async (staging) => {
        await staging.stageOffice('kota-bandung', [pdf('new')])
        await staging.stageTopLevel([{ path: 'manifest.json', bytes: Buffer.from('{"new":true}\n') }])
      }),
    )
    const kept = /previous outputs of kota-bandung are kept in (\S+): the next ortug build puts them back, or move that folder back to (\S+)$/.exec(
      error.message,
    )
    expect(kept?.[2]).toBe(path.join(out, 'kota-bandung'))
    expect(await hashTree(path.dirname(kept?.[1] ?? '/nonexistent'))).not.toEqual({})
    await commit(rename, async () => undefined)
    expect(await hashTree(out)).toEqual(before)
    expect((await readdir(out)).sort()).toEqual(['.ortug-cache', 'kota-bandung', 'manifest.json'])
  })

  it('fails at once, without retrying, on an error no viewer causes', async () => {
    const before = await hashTree(out)
    const { fn, calls } = lockedRename('EXDEV', (from) => isOfficeFolder(from))
    const error = await caught(() => commit(fn, (staging) => staging.stageOffice('kota-bandung', [pdf('new')])))
    expect(error.message).toBe(`cannot write ${path.join(out, 'kota-bandung')}: EXDEV; the previous outputs in ${out} are unchanged`)
    expect(calls.failures).toBe(1)
    expect(await hashTree(out)).toEqual(before)
  })

  it('writes a top-level file once the browser lets go of it (EBUSY twice)', async () => {
    const { fn, calls } = lockedRename('EBUSY', (_from, to, failures) => path.basename(to) === 'manifest.json' && failures < 2)
    await commit(fn, (staging) => staging.stageTopLevel([{ path: 'manifest.json', bytes: Buffer.from('{"new":true}\n') }]))
    expect(calls.failures).toBe(2)
    expect(await readFile(path.join(out, 'manifest.json'), 'utf8')).toBe('{"new":true}\n')
  })

  it('keeps the previous top-level file and names it when it stays locked', async () => {
    const before = await hashTree(out)
    const { fn } = lockedRename('EBUSY', (from) => path.basename(from) === 'manifest.json')
    const error = await caught(() =>
      commit(fn, async (staging) => {
        await staging.stageOffice('kota-bandung', [pdf('new')])
        await staging.stageTopLevel([{ path: 'manifest.json', bytes: Buffer.from('{"new":true}\n') }])
      }),
    )
    expect(error.kind).toBe('ENVIRONMENT')
    expect(error.message).toContain(`close ${path.join(out, 'manifest.json')} in your PDF viewer or browser, then build again`)
    expect(await hashTree(out)).toEqual(before)
    expect((await readdir(out)).sort()).toEqual(['.ortug-cache', 'kota-bandung', 'manifest.json'])
  })

  it('waits about two seconds in all by default before giving up', async () => {
    const { fn, calls } = lockedRename('EBUSY', (from) => isOfficeFolder(from))
    const waited: number[] = []
    const staging = await openStaging(out, { rename: fn, sleep: async (ms) => waited.push(ms) })
    try {
      await staging.stageOffice('kota-bandung', [pdf('new')])
      await caught(() => staging.commit())
    } finally {
      await staging.dispose()
    }
    expect(calls.failures).toBe(10)
    expect(waited).toEqual([...RENAME_RETRY_DELAYS_MS])
    expect(waited.reduce((sum, ms) => sum + ms, 0)).toBe(2250)
  })
})

describe('what an interrupted build leaves, and the next run', () => {
  let out: string
  beforeEach(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'ortug-recover-'))
    await mkdir(path.join(out, 'kota-bogor'))
    await writeFile(path.join(out, 'kota-bogor', 'ortug-kpu-jabar.md'), '# lama')
    await writeFile(path.join(out, 'manifest.json'), '{"old":true}\n')
    await mkdir(path.join(out, '.ortug-cache'))
  })
  afterEach(() => rm(out, { recursive: true, force: true }))

  it('puts back what a build killed before its commit point had moved aside', async () => {
    const before = await hashTree(out)
    const staging = path.join(out, '.ortug-staging-99999-dead')
    await mkdir(path.join(staging, 'office-kota-bogor'), { recursive: true })
    await writeFile(path.join(staging, 'office-kota-bogor', 'ortug-kpu-jabar.md'), '# baru')
    await rename(path.join(out, 'kota-bogor'), path.join(staging, 'old-kota-bogor'))
    await rename(path.join(out, 'manifest.json'), path.join(staging, 'old-manifest.json'))
    await (await openStaging(out)).dispose()
    expect(await hashTree(out)).toEqual(before)
    expect((await readdir(out)).sort()).toEqual(['.ortug-cache', 'kota-bogor', 'manifest.json'])
  })

  it('refuses a journal it did not write, saying what to do', async () => {
    await writeFile(path.join(out, JOURNAL_FILE), '{"version":1,"staging":"../../etc","moves":[]}')
    const error = await caught(() => openStaging(out))
    expect(error.kind).toBe('ENVIRONMENT')
    expect(error.message).toBe(
      `${path.join(out, JOURNAL_FILE)} is not a journal ortug wrote (damaged or edited): the outputs in ${out} may mix two builds; delete ${path.join(out, JOURNAL_FILE)}, the .ortug-staging-* folders and the output folder's contents, then build again`,
    )
  })
})

describe('the lock and the output folder', () => {
  let out: string
  beforeEach(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'ortug-lock-'))
  })
  afterEach(() => rm(out, { recursive: true, force: true }))
  const lock = () => path.join(out, '.ortug.lock')
  const owner = (pid: number, hostname = os.hostname()) => JSON.stringify({ tool: 'ortug', pid, hostname, token: 'f'.repeat(32) })

  it('takes over a lock naming a live process that is not an ortug build (a bare PID)', async () => {
    await writeFile(lock(), '1')
    await (await openStaging(out)).dispose()
    expect(await readdir(out)).toEqual([])
  })

  it('takes over an ortug lock whose owner is gone, or that nobody touched for a minute', async () => {
    await writeFile(lock(), owner(2 ** 22 + 17))
    await (await openStaging(out)).dispose()
    await writeFile(lock(), owner(process.ppid))
    const old = new Date(Date.now() - LOCK_STALE_MS - 1000)
    await utimes(lock(), old, old)
    await (await openStaging(out)).dispose()
    expect(await readdir(out)).toEqual([])
  })

  it('refuses while a live ortug build holds the lock, naming it', async () => {
    await writeFile(lock(), owner(process.ppid))
    const error = await caught(() => openStaging(out))
    expect(error.message).toBe(`another ortug build (pid ${process.ppid}) is writing to ${out}; wait for it to finish, or use another --out`)
    expect(await readFile(lock(), 'utf8')).toBe(owner(process.ppid))
  })

  it('judges owners on paper: host, heartbeat, process', () => {
    const now = 1_000_000
    const alive = () => true
    const gone = () => false
    expect(isLiveOwner(owner(42), now, now, os.hostname(), alive)?.pid).toBe(42)
    expect(isLiveOwner(owner(42), now, now, os.hostname(), gone)).toBeUndefined()
    expect(isLiveOwner(owner(42, 'ci-runner-7'), now, now, os.hostname(), gone)?.hostname).toBe('ci-runner-7')
    expect(isLiveOwner(owner(42, 'ci-runner-7'), now - LOCK_STALE_MS - 1, now, os.hostname(), alive)).toBeUndefined()
    for (const text of ['42', '', '{"pid":42}', '{"tool":"ortug","pid":-1,"hostname":"h","token":"t"}', 'null']) {
      expect(isLiveOwner(text, now, now, os.hostname(), alive), text).toBeUndefined()
    }
  })

  it('a build whose lock another build took over (it looked stale) moves nothing', async () => {
    await mkdir(path.join(out, '.ortug-cache'))
    await mkdir(path.join(out, 'kota-bandung'))
    await writeFile(path.join(out, FILE), '%PDF old')
    const before = await hashTree(out)
    const staging = await openStaging(out)
    try {
      await staging.stageOffice('kota-bandung', [{ path: FILE, bytes: Buffer.from('%PDF new') }])
      await writeFile(lock(), owner(process.ppid))
      const error = await caught(() => staging.commit())
      expect(error.message).toBe(`another ortug build took over ${lock()} while this one ran (this one looked stale to it); nothing was moved, build again`)
    } finally {
      await staging.dispose()
    }
    expect(await readFile(lock(), 'utf8')).toBe(owner(process.ppid))
    await rm(lock())
    expect(await hashTree(out)).toEqual(before)
  })

  it('a folder at the lock path: an environment error that says what to do', async () => {
    await mkdir(lock())
    const error = await caught(() => openStaging(out))
    expect(error.kind).toBe('ENVIRONMENT')
    expect(error.message).toBe(`${lock()} is a folder, not ortug's lock file: remove it (it holds nothing of ortug's) and build again, or use another --out`)
  })

  it('an output folder that cannot be created fails at once, naming it', async () => {
    const error = await caught(() => openStaging('/proc/1/x'))
    expect(error.kind).toBe('ENVIRONMENT')
    expect(error.message).toMatch(/^cannot create the output folder \/proc\/1\/x: E[A-Z]+; choose a folder you may write to with --out$/)
    await writeFile(path.join(out, 'file'), '')
    const file = await caught(() => openStaging(path.join(out, 'file')))
    expect(file.message).toBe(`the output folder ${path.join(out, 'file')} is a file: remove it, or use another --out`)
  })
})
