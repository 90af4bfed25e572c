import { cp, link, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { relativeToRoot } from '../../src/commands/values.ts'
import { sha256 } from '../../src/shared/hash.ts'
import type { Manifest } from '../../src/shared/types.ts'
import { makeProject, removeProject, runCli } from '../helpers.ts'

// The trust rule at every place `ortug merge-manifests` reads a shard (README "Limits"): a shard
// is an artifact someone else's machine made, so a link in it (to a file or a folder, outside or
// inside, dangling) is never followed, and a file is carried over only when it is a regular file
// whose bytes match the hash the shard's manifest recorded. Shards make Markdown only: no browser.

const ESSAY = 'ortug-kpu-jabar'
const SECRET = 'RAHASIA: berkas runner CI, tidak untuk diterbitkan 51c0de\n'
/** The office each shard of 2 builds (equal slides: assigned in order). */
let offices: string[]
let dir: string
let home: string
let n = 0

beforeAll(async () => {
  dir = await makeProject({ offices: ['kota-bandung', 'kota-bogor'] })
  home = await mkdtemp(path.join(os.tmpdir(), 'ortug-runner-'))
  await writeFile(path.join(home, 'hostname'), SECRET)
  for (const k of [1, 2]) {
    const built = await runCli(['build', '--format', 'md', '--shard', `${k}/2`, '--out', `shard-${k}`], dir)
    expect(built.code, built.stderr).toBe(0)
  }
  offices = await Promise.all([1, 2].map(async (k) => (await readManifest(path.join(dir, `shard-${k}`))).shard?.offices[0] as string))
})
afterAll(async () => {
  await removeProject(dir)
  await removeProject(home)
})

const readManifest = async (out: string) => JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as Manifest
const thumb = (office: string) => `.ortug-cache/thumbs/${office}--${ESSAY}.webp`

/** Copies of both shards for one case, and the folder to merge them into. */
async function copyShards(): Promise<{ shards: string[]; out: string }> {
  const run = path.join(dir, `case-${++n}`)
  const shards = [path.join(run, 'shard-1'), path.join(run, 'shard-2')]
  for (const [i, shard] of shards.entries()) await cp(path.join(dir, `shard-${i + 1}`), shard, { recursive: true })
  return { shards, out: path.join(run, 'merged') }
}

const merge = (shards: string[], out: string) => runCli(['merge-manifests', ...shards, '--out', out], dir)

async function recordThumbnail(shard: string, file: string, hash: string): Promise<void> {
  const manifest = await readManifest(shard)
  await writeFile(path.join(shard, 'manifest.json'), JSON.stringify({ ...manifest, thumbnails: { ...manifest.thumbnails, [file]: hash } }))
}

async function plantThumbnail(shard: string, office: string, plant: (file: string) => Promise<void>): Promise<string> {
  const file = path.join(shard, thumb(office))
  await mkdir(path.dirname(file), { recursive: true })
  await plant(file)
  return file
}

/** Every file of the merged folder, read without following links; none may be a link or hold SECRET (base64 included). */
async function expectNothingPublished(out: string): Promise<void> {
  const encoded = Buffer.from(SECRET).toString('base64')
  const visit = async (current: string) => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name)
      expect(entry.isSymbolicLink(), full).toBe(false)
      if (entry.isDirectory()) await visit(full)
      else {
        const text = (await readFile(full)).toString('latin1')
        expect(text.includes(SECRET) || text.includes(encoded), full).toBe(false)
      }
    }
  }
  await visit(out)
  expect(await readFile(path.join(home, 'hostname'), 'utf8')).toBe(SECRET)
}

describe('merge-manifests: thumbnails', () => {
  it('carries over a regular thumbnail whose hash the shard recorded, into the folder and the catalogue', async () => {
    const { shards, out } = await copyShards()
    const shard = shards[0] as string
    const office = offices[0] as string
    await plantThumbnail(shard, office, (file) => writeFile(file, 'RIFF webp judul'))
    await recordThumbnail(shard, thumb(office), sha256('RIFF webp judul'))
    const result = await merge(shards, out)
    expect(result.code, result.stderr).toBe(0)
    expect(await readFile(path.join(out, thumb(office)), 'utf8')).toBe('RIFF webp judul')
    expect(await readFile(path.join(out, 'index.html'), 'utf8')).toContain(Buffer.from('RIFF webp judul').toString('base64'))
    expect((await readManifest(out)).thumbnails).toEqual({ [thumb(office)]: sha256('RIFF webp judul') })
  })

  it.each([
    ['a link to a file outside, its hash recorded', (file: string) => symlink(path.join(home, 'hostname'), file), 'is a symbolic link'],
    [
      'a relative link to a file outside',
      (file: string) => symlink(path.relative(path.dirname(file), path.join(home, 'hostname')), file),
      'is a symbolic link',
    ],
    ['a link to a file inside the shard', (file: string) => symlink(path.join(path.dirname(file), '..', '..', 'manifest.json'), file), 'is a symbolic link'],
    ['a dangling link', (file: string) => symlink(path.join(home, 'gone'), file), 'is a symbolic link'],
    ['a hard link to a file outside, not recorded', (file: string) => link(path.join(home, 'hostname'), file), 'is not recorded in'],
    ['a regular file whose bytes differ from the record', (file: string) => writeFile(file, SECRET), 'differs from'],
  ])('%s: left out of the folder and the catalogue, with a warning; the merge goes on', async (name, plant, reason) => {
    const { shards, out } = await copyShards()
    const shard = shards[0] as string
    const office = offices[0] as string
    const file = await plantThumbnail(shard, office, plant)
    if (name.includes('hash recorded')) await recordThumbnail(shard, thumb(office), sha256(SECRET))
    if (name.includes('differ')) await recordThumbnail(shard, thumb(office), sha256('RIFF webp judul'))
    const result = await merge(shards, out)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain(shown(`warning: ${file} ${reason}`))
    expect(result.stderr).toContain('left out of the catalogue (its deck shows no image)')
    expect(await readdir(path.join(out, '.ortug-cache'))).toEqual(['fit.json'])
    await expectNothingPublished(out)
  })

  it.each([
    ['thumbs/ as a link to a folder outside', '.ortug-cache/thumbs'],
    ['.ortug-cache as a link to a folder outside', '.ortug-cache'],
  ])('%s: nothing read through it', async (_, folder) => {
    const { shards, out } = await copyShards()
    const shard = shards[0] as string
    await writeFile(path.join(home, `${offices[0]}--${ESSAY}.webp`), SECRET)
    await rm(path.join(shard, folder), { recursive: true, force: true })
    await mkdir(path.dirname(path.join(shard, folder)), { recursive: true })
    await symlink(home, path.join(shard, folder))
    await recordThumbnail(shard, thumb(offices[0] as string), sha256(SECRET))
    try {
      const result = await merge(shards, out)
      expect(result.code, result.stderr).toBe(0)
      expect(result.stderr).toContain(`, which is a symbolic link`)
      await expectNothingPublished(out)
    } finally {
      await rm(path.join(home, `${offices[0]}--${ESSAY}.webp`))
    }
  })
})

describe('merge-manifests: office folders, outputs, manifest and fit cache', () => {
  it.each([
    ['an office folder as a link to a copy outside (same bytes)', 'folder'],
    ['an output as a link to a copy outside (same bytes)', 'file'],
    ['an output as a dangling link', 'dangling'],
  ])('%s: exit 1 naming the file, nothing merged', async (_, kind) => {
    const { shards, out } = await copyShards()
    const shard = shards[0] as string
    const office = offices[0] as string
    const outside = path.join(home, `copy-${n}`)
    await cp(path.join(shard, office), outside, { recursive: true })
    const target = kind === 'folder' ? path.join(shard, office) : path.join(shard, office, `${ESSAY}.md`)
    await rm(target, { recursive: true })
    await symlink(kind === 'dangling' ? path.join(home, 'gone') : kind === 'folder' ? outside : path.join(outside, `${ESSAY}.md`), target)
    try {
      const result = await merge(shards, out)
      expect(result.code).toBe(1)
      expect(result.stderr).toContain(
        shown(`${path.join(shard, office, `${ESSAY}.md`)} is missing, not a regular file or differs from ${shard}/manifest.json: rebuild that shard`),
      )
      expect(await readdir(path.dirname(out))).not.toContain('merged')
    } finally {
      await rm(outside, { recursive: true })
    }
  })

  it('an output hard-linked to a file outside with the recorded bytes: merged as a copy', async () => {
    const { shards, out } = await copyShards()
    const shard = shards[0] as string
    const office = offices[0] as string
    const file = path.join(shard, office, `${ESSAY}.md`)
    const outside = path.join(home, `linked-${n}.md`)
    await cp(file, outside)
    await rm(file)
    await link(outside, file)
    try {
      const result = await merge(shards, out)
      expect(result.code, result.stderr).toBe(0)
      const { stat } = await import('node:fs/promises')
      const [merged, other] = await Promise.all([stat(path.join(out, office, `${ESSAY}.md`)), stat(outside)])
      expect(merged.ino).not.toBe(other.ino)
      expect(merged.nlink).toBe(1)
    } finally {
      await rm(outside)
    }
  })

  it("a shard's manifest.json as a link to a manifest outside: not read (a warning), exit 2", async () => {
    const { shards, out } = await copyShards()
    const shard = shards[1] as string
    const outside = path.join(home, `manifest-${n}.json`)
    await cp(path.join(shard, 'manifest.json'), outside)
    await rm(path.join(shard, 'manifest.json'))
    await symlink(outside, path.join(shard, 'manifest.json'))
    try {
      const result = await merge(shards, out)
      expect(result.code).toBe(2)
      expect(result.stderr).toContain(shown(`warning: ${path.join(shard, 'manifest.json')} is a symbolic link: not read`))
      expect(result.stderr).toContain(shown(`${shard} has no ortug manifest.json`))
    } finally {
      await rm(outside)
    }
  })

  it.each([
    ['a link to /dev/zero', (file: string) => symlink('/dev/zero', file), 'is a symbolic link'],
    ['9 MiB', (file: string) => writeFile(file, Buffer.alloc(9 * 1024 * 1024, 32)), 'is 9.0 MB, more than the 8.0 MB allowed'],
  ])("a shard's fit.json as %s: ignored with a warning, the merge goes on", async (_, plant, reason) => {
    const { shards, out } = await copyShards()
    const file = path.join(shards[0] as string, '.ortug-cache', 'fit.json')
    await rm(file)
    await plant(file)
    const result = await merge(shards, out)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain(shown(`warning: ${file} ${reason}: ignored, so every slide is measured again`))
  })

  it('a merge into a folder whose .ortug-cache is a file: exit 3 naming it and what to do', async () => {
    const { shards, out } = await copyShards()
    await mkdir(out)
    await writeFile(path.join(out, '.ortug-cache'), 'bukan folder')
    const result = await merge(shards, out)
    expect(result.code).toBe(3)
    expect(result.stderr).toContain(shown(`${path.join(out, '.ortug-cache')} is a file, where ortug keeps its cache folder`))
    expect(result.stderr).not.toContain('ENOTDIR')
  })
})

/** A path as the terminal shows it: relative to the project (see relativeToRoot). */
const shown = (text: string) => relativeToRoot(text, dir)
