import { createHash, randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { copyFile, link, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fail } from './error.ts'
import type { OutputFile } from './types.ts'

// The one module that writes into the output folder: everything goes to a staging folder beside
// the target first and is moved into place only when complete.

export const STAGING_PREFIX = '.ortug-staging-'
const LOCK_FILE = '.ortug.lock'

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export interface Staging {
  dir: string
  /** Writes one office's files into staging, then swaps them into `<out>/<office>/` with two renames. */
  commitOffice(office: string, files: readonly OutputFile[], obsolete?: readonly string[]): Promise<void>
  /** Writes top-level files (manifest, catalogue) via a temp file and rename. */
  commitTopLevel(files: readonly OutputFile[]): Promise<void>
  /** Removes the staging folder and the lock. Safe to call more than once. */
  dispose(): Promise<void>
}

/** Takes the output folder's lock (one build at a time) and creates a staging folder inside it. */
export async function openStaging(outDir: string): Promise<Staging> {
  const existed = await stat(outDir).then(
    () => true,
    () => false,
  )
  try {
    await mkdir(outDir, { recursive: true })
  } catch (cause) {
    fail('ENVIRONMENT', `cannot create the output folder ${outDir}: ${(cause as NodeJS.ErrnoException).code}`, { cause })
  }
  const lockPath = path.join(outDir, LOCK_FILE)
  await takeLock(lockPath)
  const dir = path.join(outDir, `${STAGING_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`)
  await mkdir(dir)
  let disposed = false
  const inside = (relative: string) => {
    const target = path.resolve(outDir, relative)
    if (!target.startsWith(path.resolve(outDir) + path.sep)) fail('ENVIRONMENT', `refusing to write ${relative}: it lies outside ${outDir}`)
    return target
  }

  return {
    dir,
    async commitOffice(office, files, obsolete = []) {
      const target = inside(office)
      const fresh = path.join(dir, `office-${office}`)
      await mkdir(fresh, { recursive: true })
      for (const file of files) {
        const staged = path.resolve(dir, file.path.replace(/^[^/]+\//, `office-${office}/`))
        if (!staged.startsWith(fresh + path.sep)) fail('ENVIRONMENT', `refusing to write ${file.path} outside ${office}/`)
        await writeFile(staged, file.bytes)
      }
      // Outputs of this office that this build does not make (other essays) are kept.
      const kept = await readdir(target).catch(() => [] as string[])
      for (const name of kept) {
        const from = path.join(target, name)
        const to = path.join(fresh, name)
        if (files.some((f) => path.basename(f.path) === name) || obsolete.some((p) => path.basename(p) === name)) continue
        await link(from, to).catch(() => copyFile(from, to, constants.COPYFILE_EXCL))
      }
      const old = path.join(dir, `old-${office}`)
      const hadOld = await rename(target, old).then(
        () => true,
        () => false,
      )
      try {
        await rename(fresh, target)
      } catch (cause) {
        if (hadOld) await rename(old, target).catch(() => undefined)
        fail('ENVIRONMENT', `cannot write ${target}: ${(cause as NodeJS.ErrnoException).code}`, { cause })
      }
      if (hadOld) await rm(old, { recursive: true, force: true })
    },
    async commitTopLevel(files) {
      for (const file of files) {
        const target = inside(file.path)
        const temp = path.join(dir, `top-${path.basename(file.path)}`)
        try {
          await mkdir(path.dirname(target), { recursive: true })
          await writeFile(temp, file.bytes)
          await rename(temp, target)
        } catch (cause) {
          fail('ENVIRONMENT', `cannot write ${target}: ${(cause as NodeJS.ErrnoException).code}`, { cause })
        }
      }
    },
    async dispose() {
      if (disposed) return
      disposed = true
      await rm(dir, { recursive: true, force: true })
      await rm(lockPath, { force: true })
      // A folder this build created and filled with nothing goes again (rmdir fails when not empty).
      if (!existed) await rmdir(outDir).catch(() => undefined)
    },
  }
}

async function takeLock(lockPath: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx')
      await handle.writeFile(String(process.pid))
      await handle.close()
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        fail('ENVIRONMENT', `cannot write to ${path.dirname(lockPath)}: ${(error as NodeJS.ErrnoException).code}`, { cause: error })
      }
      const pid = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10)
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        fail('ENVIRONMENT', `another ortug build (pid ${pid}) is writing to ${path.dirname(lockPath)}; wait for it to finish, or use another --out`)
      }
      // The build that held it is gone (killed or crashed): its lock and staging are stale.
      await rm(lockPath, { force: true })
      await removeStaleStaging(path.dirname(lockPath))
    }
  }
  fail('ENVIRONMENT', `cannot take the lock ${lockPath}`)
}

async function removeStaleStaging(outDir: string): Promise<void> {
  for (const name of await readdir(outDir).catch(() => [] as string[])) {
    if (name.startsWith(STAGING_PREFIX)) await rm(path.join(outDir, name), { recursive: true, force: true })
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
