import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { relativeToRoot } from '../../src/commands/values.ts'
import { createFaults, runFaultBuild } from '../fault-build.ts'
import { hashTree, makeProject, removeProject, runCli } from '../helpers.ts'

// Where --out may point (README "Limits"), and what a full disk met while taking the output
// folder's lock says. Refused before anything is read or written; no browser.

let dir: string
/** Outside the project: a link to it. */
let elsewhere: string
let before: Record<string, string>
beforeAll(async () => {
  dir = await makeProject({ offices: ['kota-bandung'] })
  elsewhere = await mkdtemp(path.join(os.tmpdir(), 'ortug-elsewhere-'))
  await symlink(dir, path.join(elsewhere, 'project'))
  before = await hashTree(dir)
})
afterAll(async () => {
  await removeProject(dir)
  await removeProject(elsewhere)
})

describe('--out may not be the project, hold it, or lie in content/ or templates/', () => {
  it.each([
    ['', '--out is empty: give the folder to write to, such as --out dist (the default)'],
    ['  ', '--out is empty'],
    ['.', '--out . is the project folder itself'],
    ['./', '--out ./ is the project folder itself'],
    ['<a link to the project>', 'is the project folder itself'],
    ['..', '--out .. is a folder that holds the project'],
    ['content', "--out content is the project's content/ folder"],
    ['content/essays', "--out content/essays is inside the project's content/ folder"],
    ['templates', "--out templates is the project's templates/ folder"],
    ['templates/../content/x', "is inside the project's content/ folder"],
  ])('build --out %j: exit 2 naming the flag and what is allowed, nothing written', async (out, message) => {
    const value = out === '<a link to the project>' ? path.join(elsewhere, 'project') : out
    const result = await runCli(['build', '--format', 'md', '--out', value], dir)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(message)
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /)
    if (out.trim() !== '')
      expect(result.stderr).toContain('give a folder of its own outside content/ and templates/ that holds neither (such as --out dist, the default)')
    expect(await hashTree(dir)).toEqual(before)
  })

  it.each([[['merge-manifests', 'shard-1', '--out', '.']], [['merge-manifests', 'shard-1', '--out', '']], [['doctor', '--out', 'content']]])(
    'ortug %j: exit 2',
    async (args) => {
      const result = await runCli(args, dir)
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(/error: --out (is empty|\S+ is)/)
      expect(await hashTree(dir)).toEqual(before)
    },
  )

  it('a sibling folder whose name starts like content/ is allowed', async () => {
    const result = await runCli(['build', '--format', 'md', '--out', 'content-dist'], dir)
    expect(result.code, result.stderr).toBe(0)
    expect(await readdir(path.join(dir, 'content-dist'))).toContain('kota-bandung')
  })
})

describe('--out at a folder that holds files and is not an output folder of ortug', () => {
  it("build and merge-manifests: exit 2 naming what it holds, before anything is written; a folder of ortug's, or of dotfiles and files ortug never writes (CNAME), builds", async () => {
    const docs = await mkdtemp(path.join(os.tmpdir(), 'ortug-docs-'))
    try {
      await mkdir(path.join(docs, 'kota-bandung'))
      await writeFile(path.join(docs, 'kota-bandung', 'catatan-saya.txt'), 'milik pengguna\n')
      await writeFile(path.join(docs, 'index.html'), '<p>halaman saya</p>\n')
      await writeFile(path.join(docs, 'manifest.json'), '{"punya":"saya"}\n')
      const owned = await hashTree(docs)
      const shard = await runCli(['build', '--format', 'md', '--shard', '1/1', '--out', 'shard-1'], dir)
      expect(shard.code, shard.stderr).toBe(0)
      for (const args of [
        ['build', '--format', 'md', '--out', docs],
        ['merge-manifests', 'shard-1', '--out', docs],
      ]) {
        const result = await runCli(args, dir)
        expect(result.code, result.stderr).toBe(2)
        expect(result.stderr).toContain(
          `--out ${docs} holds index.html, kota-bandung, manifest.json but is not an ortug output folder (no manifest.json or .ortug-cache/ of ortug's there)`,
        )
        expect(await hashTree(docs)).toEqual(owned)
      }
      await rm(docs, { recursive: true })
      await mkdir(docs)
      await writeFile(path.join(docs, '.gitkeep'), '')
      // A site's own files that ortug never writes: kept as they are.
      await writeFile(path.join(docs, 'CNAME'), 'ortug.example.org\n')
      await writeFile(path.join(docs, 'robots.txt'), 'User-agent: *\n')
      const site = await hashTree(docs)
      const first = await runCli(['build', '--format', 'md', '--out', docs], dir)
      expect(first.code, first.stderr).toBe(0)
      const built = await hashTree(docs)
      for (const file of ['.gitkeep', 'CNAME', 'robots.txt']) expect(built[file]).toBe(site[file])
      // Its own output folder, without its manifest (deleted by hand): built again from what is on disk.
      await rm(path.join(docs, 'manifest.json'))
      const again = await runCli(['build', '--format', 'md', '--out', docs, '--force'], dir)
      expect(again.code, again.stderr).toBe(0)
    } finally {
      await rm(docs, { recursive: true, force: true })
    }
  })
})

describe('a full disk while taking the lock', () => {
  it('says the disk is full, with the path; no lock file is left and the previous outputs stay', async () => {
    const first = await runCli(['build', '--format', 'md', '--out', 'full'], dir)
    expect(first.code, first.stderr).toBe(0)
    const out = path.join(dir, 'full')
    const outputs = await hashTree(out)
    let stderr = ''
    const code = await runFaultBuild(['--format', 'md', '--force', '--out', 'full'], {
      cwd: dir,
      faults: createFaults({ enospcAt: 'lock' }),
      stderr: { write: (chunk: string) => (stderr += chunk) },
    })
    const result = { code, stderr }
    expect(result.code).toBe(3)
    expect(result.stderr).toContain(
      shown(
        `cannot write ${path.join(out, '.ortug.lock')}: the disk is full (ENOSPC): free some space, then build again; the previous outputs in ${out} are unchanged`,
      ),
    )
    expect(result.stderr).not.toContain('check that the folder exists')
    expect(await readdir(out)).not.toContain('.ortug.lock')
    expect(await hashTree(out)).toEqual(outputs)
  })
})

/** A path as the terminal shows it: relative to the project (see relativeToRoot). */
const shown = (text: string) => relativeToRoot(text, dir)
