import { appendFile, cp, link, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { relativeToRoot } from '../../src/commands/values.ts'
import { sha256 } from '../../src/shared/hash.ts'
import type { Manifest } from '../../src/shared/types.ts'
import { type CliResult, makeProject, removeProject, runCli } from '../helpers.ts'

// The output folder's trust rule (README "Limits", DESIGN.md "Outputs"): a build reads regular
// files and real folders only, never follows a link inside its output folder, and carries over
// only what matches the hash its manifest recorded. Each kind of link (to a file or a folder,
// outside or inside the output, dangling, a hard link) is planted at each place a build reads:
// thumbnails, kept outputs, office folders, the manifest, the fit cache, the journal. Nothing a
// link reaches may appear in the new output folder, and the link's target stays as it was.
// Builds make Markdown and HTML only, and every case's build reuses the fit cache of the base build
// (copied with it): no browser, except where a case makes the build ignore that cache.

const OFFICES = ['kota-bandung', 'kota-bogor']
const ESSAY = 'ortug-kpu-jabar'
const THUMB = `.ortug-cache/thumbs/kota-bandung--${ESSAY}.webp`
/** What a link may reach: never to be published. */
const SECRET = 'RAHASIA: kunci pribadi pelatih, tidak untuk diterbitkan 7f3a91\n'
/**
 * kota-bandung's Markdown is out of date in every copy of the base build (its office file changed
 * after it, see beforeAll), so this build makes it again without --force, which would measure
 * every slide again in the browser: the copied fit cache still holds the slides.
 */
const REBUILD = ['build', '--format', 'md', '--office', 'kota-bandung']

let dir: string
/** A folder outside the project and its outputs: the "home folder" a link points into. */
let home: string
/** A complete build (md, html) of both offices, copied for each case. */
let base: string
let n = 0

beforeAll(async () => {
  dir = await makeProject({ offices: OFFICES })
  home = await mkdtemp(path.join(os.tmpdir(), 'ortug-home-'))
  await writeFile(path.join(home, 'id_rsa'), SECRET)
  // Named as ortug names outputs, so that only the rule (not a name filter) keeps them out.
  await writeFile(path.join(home, `${ESSAY}.md`), SECRET)
  await writeFile(path.join(home, `${ESSAY}.html`), SECRET)
  await writeFile(path.join(home, `kota-bandung--${ESSAY}.webp`), SECRET)
  base = path.join(dir, 'base')
  const first = await runCli(['build', '--format', 'md,html', '--out', 'base'], dir)
  expect(first.code, first.stderr).toBe(0)
  // A comment changes the office file's hash, not its slides: kota-bandung is rebuilt in every copy, from the fit cache.
  await appendFile(path.join(dir, 'content', 'offices', 'kota-bandung.yaml'), '\n# diubah setelah build dasar\n')
})
afterAll(async () => {
  await removeProject(dir)
  await removeProject(home)
})

/** A copy of the base build to plant links in. */
async function copyOfBase(): Promise<string> {
  const out = path.join(dir, `case-${++n}`)
  await cp(base, out, { recursive: true, verbatimSymlinks: true })
  return out
}

const build = (out: string, args = REBUILD) => runCli([...args, '--out', path.basename(out)], dir)

/** Every regular file under `root` (links are listed, never followed), and every link. */
async function walk(root: string): Promise<{ files: Map<string, Buffer>; links: string[] }> {
  const files = new Map<string, Buffer>()
  const links: string[] = []
  const visit = async (current: string) => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name)
      if (entry.isSymbolicLink()) links.push(path.relative(root, full))
      else if (entry.isDirectory()) await visit(full)
      else if (entry.isFile()) files.set(path.relative(root, full), await readFile(full))
    }
  }
  await visit(root)
  return { files, links: links.sort() }
}

/**
 * Nothing of SECRET in any file of `out` but those the test `planted` (not even base64 in the
 * catalogue); no link but those planted; the files a link reached are as they were.
 */
async function expectNothingPublished(out: string, planted: string[]): Promise<void> {
  const { files, links } = await walk(out)
  const encoded = Buffer.from(SECRET).toString('base64')
  for (const [file, bytes] of files) {
    if (planted.includes(file)) continue
    expect(bytes.includes(SECRET), file).toBe(false)
    expect(bytes.toString('latin1').includes(encoded), file).toBe(false)
  }
  for (const found of links) expect(planted).toContain(found)
  expect(await readFile(path.join(home, 'id_rsa'), 'utf8')).toBe(SECRET)
  expect((await readdir(home)).sort()).toEqual(['id_rsa', `kota-bandung--${ESSAY}.webp`, `${ESSAY}.html`, `${ESSAY}.md`].sort())
}

const readManifest = async (out: string) => JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as Manifest
async function recordThumbnail(out: string, file: string, hash: string): Promise<void> {
  const manifest = await readManifest(out)
  await writeFile(path.join(out, 'manifest.json'), JSON.stringify({ ...manifest, thumbnails: { ...manifest.thumbnails, [file]: hash } }))
}
const catalogueImages = async (out: string) => (await readFile(path.join(out, 'index.html'), 'utf8')).match(/src="data:image\/webp;base64,[^"]*"/g) ?? []
const expectOk = (result: CliResult) => expect(result.code, result.stderr).toBe(0)

describe('thumbnails: only a regular file whose bytes match the recorded hash reaches the catalogue', () => {
  it('a regular thumbnail the manifest records is embedded (the rule lets the real one through)', async () => {
    const out = await copyOfBase()
    await mkdir(path.dirname(path.join(out, THUMB)), { recursive: true })
    await writeFile(path.join(out, THUMB), 'RIFF webp thumbnail')
    await recordThumbnail(out, THUMB, sha256('RIFF webp thumbnail'))
    expectOk(await build(out))
    expect(await catalogueImages(out)).toEqual([`src="data:image/webp;base64,${Buffer.from('RIFF webp thumbnail').toString('base64')}"`])
    expect((await readManifest(out)).thumbnails).toEqual({ [THUMB]: sha256('RIFF webp thumbnail') })
  })

  const cases: [string, (file: string, out: string) => Promise<void>][] = [
    ['a link to a file outside (its hash recorded too)', (file) => symlink(path.join(home, 'id_rsa'), file)],
    ['a link to a file inside the output', (file, out) => symlink(path.join(out, 'kota-bogor', `${ESSAY}.md`), file)],
    ['a relative link', (file) => symlink(path.relative(path.dirname(file), path.join(home, 'id_rsa')), file)],
    ['a dangling link', (file) => symlink(path.join(home, 'no-such-file'), file)],
    ['a hard link to a file outside, not recorded', (file) => link(path.join(home, 'id_rsa'), file)],
    ['a regular file the manifest does not record', (file) => writeFile(file, SECRET)],
  ]
  it.each(cases)('%s is left out; the build goes on', async (name, plant) => {
    const out = await copyOfBase()
    await mkdir(path.dirname(path.join(out, THUMB)), { recursive: true })
    await plant(path.join(out, THUMB), out)
    if (name.includes('hash recorded')) await recordThumbnail(out, THUMB, sha256(SECRET))
    expectOk(await build(out))
    expect(await catalogueImages(out)).toEqual([])
    expect((await readManifest(out)).thumbnails).toBeUndefined()
    await expectNothingPublished(out, [THUMB])
  })

  it.each([
    ['thumbs/ as a link to a folder outside', '.ortug-cache/thumbs', () => home],
    ['.ortug-cache as a link to a folder outside', '.ortug-cache', () => home],
    ['.ortug-cache as a link to a folder inside', '.ortug-cache', (out: string) => path.join(out, 'kota-bogor')],
  ])('%s: exit 3 naming it, before anything is built', async (_, folder, target) => {
    const out = await copyOfBase()
    await rm(path.join(out, folder), { recursive: true, force: true })
    await mkdir(path.dirname(path.join(out, folder)), { recursive: true })
    await symlink(target(out), path.join(out, folder))
    const before = await walk(out)
    const result = await build(out)
    expect(result.code).toBe(3)
    expect(result.stderr).toContain(shown(`${path.join(out, folder)} is a symbolic link, where ortug keeps its cache folder`))
    expect(result.stderr).toContain('(removing the link leaves what it points to as it is), then build again')
    expect((await walk(out)).files).toEqual(before.files)
    await expectNothingPublished(out, [folder])
  })
})

describe("kept outputs: only the manifest's outputs, as regular files matching their hash, copied", () => {
  it('keeps the outputs this build does not make (the HTML), and nothing else of the old folder', async () => {
    const out = await copyOfBase()
    await writeFile(path.join(out, 'kota-bandung', 'id_rsa'), SECRET)
    const html = await readFile(path.join(out, 'kota-bandung', `${ESSAY}.html`))
    expectOk(await build(out))
    expect(await readFile(path.join(out, 'kota-bandung', `${ESSAY}.html`))).toEqual(html)
    expect((await readdir(path.join(out, 'kota-bandung'))).sort()).toEqual([`${ESSAY}.html`, `${ESSAY}.md`])
    await expectNothingPublished(out, [])
  })

  it('a kept output that is a link (even to the very bytes recorded) is dropped, never followed', async () => {
    const out = await copyOfBase()
    const html = path.join(out, 'kota-bandung', `${ESSAY}.html`)
    const copy = path.join(dir, `outside-${n}.html`)
    await cp(html, copy)
    await rm(html)
    await symlink(copy, html)
    expectOk(await build(out))
    expect(await readdir(path.join(out, 'kota-bandung'))).toEqual([`${ESSAY}.md`])
    expect((await readManifest(out)).outputs.map((e) => e.path)).not.toContain(`kota-bandung/${ESSAY}.html`)
    await expectNothingPublished(out, [])
  })

  it('a kept output hard-linked to a file elsewhere is copied: the published file shares nothing with it', async () => {
    const out = await copyOfBase()
    const html = path.join(out, 'kota-bandung', `${ESSAY}.html`)
    const foreign = path.join(dir, `foreign-${n}.html`)
    await cp(html, foreign)
    await rm(html)
    await link(foreign, html)
    expectOk(await build(out))
    const [kept, other] = await Promise.all([stat(html), stat(foreign)])
    expect(kept.ino).not.toBe(other.ino)
    expect(kept.nlink).toBe(1)
    expect(await readFile(html)).toEqual(await readFile(foreign))
  })

  it('a kept output replaced by other bytes is dropped (its hash no longer matches)', async () => {
    const out = await copyOfBase()
    await writeFile(path.join(out, 'kota-bandung', `${ESSAY}.html`), SECRET)
    expectOk(await build(out))
    expect(await readdir(path.join(out, 'kota-bandung'))).toEqual([`${ESSAY}.md`])
    await expectNothingPublished(out, [])
  })
})

describe('office folders: a link or a file where an office folder goes', () => {
  it.each([
    ['a link to a folder outside', (out: string) => symlink(home, path.join(out, 'kota-bandung'))],
    ['a link to another office inside', (out: string) => symlink(path.join(out, 'kota-bogor'), path.join(out, 'kota-bandung'))],
    ['a dangling link', (out: string) => symlink(path.join(home, 'gone'), path.join(out, 'kota-bandung'))],
  ])('%s, for an office being built: exit 3 naming it, nothing read through it', async (_, plant) => {
    const out = await copyOfBase()
    await rm(path.join(out, 'kota-bandung'), { recursive: true })
    await plant(out)
    const result = await build(out)
    expect(result.code).toBe(3)
    expect(result.stderr).toContain(shown(`${path.join(out, 'kota-bandung')} is a symbolic link, where ortug keeps the folder of office kota-bandung`))
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /)
    await expectNothingPublished(out, ['kota-bandung'])
  })

  it('a file where an office folder goes: exit 3 saying which and what to do, not ENOTDIR', async () => {
    const out = await copyOfBase()
    await rm(path.join(out, 'kota-bandung'), { recursive: true })
    await writeFile(path.join(out, 'kota-bandung'), 'catatan')
    const result = await build(out)
    expect(result.code).toBe(3)
    expect(result.stderr).toContain(
      shown(
        `${path.join(out, 'kota-bandung')} is a file, where ortug keeps the folder of office kota-bandung: ortug writes only real folders inside ${out} and never follows a link there; move or remove ${path.join(out, 'kota-bandung')}, then build again`,
      ),
    )
    expect(result.stderr).not.toContain('ENOTDIR')
    expect(await readFile(path.join(out, 'kota-bandung'), 'utf8')).toBe('catatan')
  })

  it("a link as another office's folder: its outputs are not read, and leave the manifest and catalogue", async () => {
    const out = await copyOfBase()
    await rm(path.join(out, 'kota-bogor'), { recursive: true })
    await mkdir(path.join(home, 'bogor'))
    await cp(path.join(base, 'kota-bogor'), path.join(home, 'bogor'), { recursive: true })
    await symlink(path.join(home, 'bogor'), path.join(out, 'kota-bogor'))
    try {
      expectOk(await build(out))
      expect((await readManifest(out)).outputs.map((e) => e.office)).not.toContain('kota-bogor')
    } finally {
      await rm(path.join(home, 'bogor'), { recursive: true })
    }
    await expectNothingPublished(out, ['kota-bogor'])
  })
})

describe('a file where the cache folder goes', () => {
  it('.ortug-cache as a file: exit 3 naming it and what to do, before anything is built', async () => {
    const out = await copyOfBase()
    await rm(path.join(out, '.ortug-cache'), { recursive: true })
    await writeFile(path.join(out, '.ortug-cache'), 'bukan folder')
    const result = await build(out)
    expect(result.code).toBe(3)
    const cache = path.join(out, '.ortug-cache')
    expect(result.stderr).toContain(shown(`${cache} is a file, where ortug keeps its cache folder: ortug writes only real folders inside ${out}`))
    expect(result.stderr).toContain(shown(`move or remove ${cache}, then build again`))
    expect(result.stderr).not.toContain('ENOTDIR')
    expect(result.stderr).not.toMatch(/^\s+\[\d+\/\d+\]/m)
    expect(await readFile(cache, 'utf8')).toBe('bukan folder')
  })
})

describe('the manifest, the fit cache and the journal as links', () => {
  it('manifest.json as a link to a manifest outside: not read (a warning), outputs found on disk instead', async () => {
    const out = await copyOfBase()
    const outside = path.join(dir, `manifest-${n}.json`)
    await cp(path.join(out, 'manifest.json'), outside)
    await rm(path.join(out, 'manifest.json'))
    await symlink(outside, path.join(out, 'manifest.json'))
    const result = await build(out)
    expectOk(result)
    expect(result.stderr).toContain(shown(`${path.join(out, 'manifest.json')} is a symbolic link: not read`))
    expect(result.stderr).toContain('is rebuilt from the 4 output(s) found on disk')
    expect((await lstat(path.join(out, 'manifest.json'))).isFile()).toBe(true)
  })

  it.each([
    ['a link to /dev/zero', (file: string) => symlink('/dev/zero', file), 'is a symbolic link'],
    ['a link to a fit cache outside', (file: string) => symlink(path.join(base, '.ortug-cache', 'fit.json'), file), 'is a symbolic link'],
    ['a FIFO', async (file: string) => mkfifo(file), 'is not a regular file'],
    ['9 MiB', (file: string) => writeFile(file, Buffer.alloc(9 * 1024 * 1024, 32)), 'is 9.0 MB, more than the 8.0 MB allowed'],
  ])('fit.json as %s: ignored with a warning, the build goes on', async (_, plant, reason) => {
    const out = await copyOfBase()
    const file = path.join(out, '.ortug-cache', 'fit.json')
    await rm(file)
    await plant(file)
    const result = await build(out)
    expectOk(result)
    expect(result.stderr).toContain(shown(`warning: ${file} ${reason}: ignored, so every slide is measured again`))
    expect((await lstat(file)).isFile()).toBe(true)
  })

  it('the journal as a link to a journal outside: exit 3, nothing moved', async () => {
    const out = await copyOfBase()
    const outside = path.join(home, 'journal.json')
    await writeFile(outside, JSON.stringify({ version: 1, staging: '.ortug-staging-1-ab', moves: [{ target: 'kota-bandung', staged: 'office-kota-bandung' }] }))
    await symlink(outside, path.join(out, '.ortug-journal.json'))
    const before = await walk(out)
    try {
      const result = await build(out)
      expect(result.code).toBe(3)
      expect(result.stderr).toContain(shown(`${path.join(out, '.ortug-journal.json')} is a symbolic link, not a journal ortug wrote`))
      expect((await walk(out)).files).toEqual(before.files)
    } finally {
      await rm(outside)
    }
  })

  it('a journal whose staging folder is a link: exit 3, nothing moved out of what it points to', async () => {
    const out = await copyOfBase()
    await mkdir(path.join(home, 'staged', 'office-kota-bandung'), { recursive: true })
    await writeFile(path.join(home, 'staged', 'office-kota-bandung', `${ESSAY}.md`), SECRET)
    await symlink(path.join(home, 'staged'), path.join(out, '.ortug-staging-1-ab'))
    await writeFile(
      path.join(out, '.ortug-journal.json'),
      JSON.stringify({ version: 1, staging: '.ortug-staging-1-ab', moves: [{ target: 'kota-bandung', staged: 'office-kota-bandung' }] }),
    )
    try {
      const result = await build(out)
      expect(result.code).toBe(3)
      expect(result.stderr).toContain('is not a journal ortug wrote')
      expect(await readFile(path.join(home, 'staged', 'office-kota-bandung', `${ESSAY}.md`), 'utf8')).toBe(SECRET)
      expect(await readFile(path.join(out, 'kota-bandung', `${ESSAY}.md`), 'utf8')).not.toBe(SECRET)
    } finally {
      await rm(path.join(home, 'staged'), { recursive: true })
    }
  })

  it.each([
    ['a journal', true],
    ['a staging folder alone (a build that never reached its journal)', false],
  ])('%s that moves a file through a link in the output folder: exit 3, nothing written where the link points', async (_, journal) => {
    const out = await copyOfBase()
    const victim = await mkdtemp(path.join(os.tmpdir(), 'ortug-victim-'))
    try {
      await writeFile(path.join(victim, 'victim.txt'), 'ASLI\n')
      await symlink(victim, path.join(out, 'evil'))
      const staging = path.join(out, '.ortug-staging-1-ab')
      await mkdir(staging)
      if (journal) {
        await writeFile(path.join(staging, 'top-planted'), SECRET)
        const moves = [{ target: 'evil/victim.txt', staged: 'top-planted' }]
        await writeFile(path.join(out, '.ortug-journal.json'), JSON.stringify({ version: 1, staging: '.ortug-staging-1-ab', moves }))
      } else await writeFile(path.join(staging, `old-${encodeURIComponent('evil/planted.sh')}`), SECRET)
      const result = await build(out)
      expect(result.code, result.stderr).toBe(3)
      expect(result.stderr).toContain(shown(`${path.join(out, 'evil')} is a symbolic link, and ortug never writes through it`))
      expect(await readdir(victim)).toEqual(['victim.txt'])
      expect(await readFile(path.join(victim, 'victim.txt'), 'utf8')).toBe('ASLI\n')
    } finally {
      await rm(victim, { recursive: true })
    }
  })

  it('a link named as a staging folder is removed, never what it points to', async () => {
    const out = await copyOfBase()
    await symlink(home, path.join(out, '.ortug-staging-1-ab'))
    expectOk(await build(out))
    await expectNothingPublished(out, [])
  })
})

function mkfifo(file: string): Promise<void> {
  return import('node:child_process').then(
    ({ execFile }) => new Promise<void>((resolve, reject) => execFile('mkfifo', [file], (error) => (error ? reject(error) : resolve()))),
  )
}

/** A path as the terminal shows it: relative to the project (see relativeToRoot). */
const shown = (text: string) => relativeToRoot(text, dir)
