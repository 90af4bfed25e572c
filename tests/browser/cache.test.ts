import { createHash } from 'node:crypto'
import { appendFile, cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveBrowser } from '../../src/browser/launch.ts'
import { JSON_OUTPUTS } from '../../src/commands/json.ts'
import { FIT_CACHE } from '../../src/output/fit-cache.ts'
import { makeProject, REPO, readPdf, removeProject, runCli, runExpecting } from '../helpers.ts'

// The incremental build: a change to each kind of input rebuilds exactly the outputs it shapes.

// Two offices: a change to one office's files shows that the other is not rebuilt; every full
// rebuild below prints both offices' PDFs and handouts, so a third would only cost time.
const OFFICES = ['kota-bogor', 'kabupaten-garut']
const inUse = await resolveBrowser().catch(() => undefined)
const ALL = OFFICES.flatMap((o) => ['handout', 'html', 'md', 'pdf'].map((f) => `${o}/${f}`)).sort()

/** "office/format" of every output a build wrote. */
async function rebuilt(dir: string, ...args: string[]): Promise<string[]> {
  const result = await runExpecting(0, ['build', '--json', ...args], dir)
  expect(result.stderr, result.stderr).not.toContain('error')
  JSON_OUTPUTS.build.parse(JSON.parse(result.stdout))
  const { outputs } = JSON.parse(result.stdout) as { outputs: string[] }
  return outputs
    .map((p) => {
      const [office, file] = p.split('/') as [string, string]
      const format = file.endsWith('-handout.pdf') ? 'handout' : (file.split('.').pop() as string)
      return `${office}/${format}`
    })
    .sort()
}

describe('incremental builds', () => {
  let dir: string
  const edit = (file: string, text: string) => appendFile(path.join(dir, file), text)

  beforeAll(async () => {
    dir = await makeProject({ offices: OFFICES })
    await cp(path.join(REPO, 'templates'), path.join(dir, 'templates'), { recursive: true })
    expect(await rebuilt(dir)).toEqual(ALL)
  })
  afterAll(() => removeProject(dir))

  it('a change to nothing rebuilds nothing', async () => {
    expect(await rebuilt(dir)).toEqual([])
  })

  it('manifest.json lists the catalogue index.html with its size and sha256', async () => {
    const manifest = JSON.parse(await readFile(path.join(dir, 'dist', 'manifest.json'), 'utf8'))
    const catalogue = await readFile(path.join(dir, 'dist', 'index.html'))
    expect(manifest.catalogue).toEqual({ path: 'index.html', bytes: catalogue.length, sha256: createHash('sha256').update(catalogue).digest('hex') })
  })

  it('check with a browser that does not exist exits 3, as build does, though every fit is cached', async () => {
    expect((await runCli(['check'], dir)).code).toBe(0)
    const check = await runCli(['check', '--browser-path', '/nope'], dir)
    expect(check.stderr).toContain('--browser-path: "/nope" is not an executable browser')
    expect(check.code).toBe(3)
    expect((await runCli(['build', '--browser-path', '/nope'], dir)).code).toBe(3)
  })

  it('an office file rebuilds that office only', async () => {
    await edit('content/offices/kota-bogor.yaml', 'session: { venue: Aula Uji }\n')
    expect(await rebuilt(dir)).toEqual(ALL.filter((o) => o.startsWith('kota-bogor/')))
  })

  it('an office template override rebuilds that office only', async () => {
    await mkdir(path.join(dir, 'templates/offices/kabupaten-garut'), { recursive: true })
    const closing = await readFile(path.join(dir, 'templates/layouts/closing.hbs'), 'utf8')
    await writeFile(path.join(dir, 'templates/offices/kabupaten-garut/closing.hbs'), closing.replace('# {{title}}', '# {{title}}, Garut'))
    expect(await rebuilt(dir)).toEqual(ALL.filter((o) => o.startsWith('kabupaten-garut/')))
  })

  it('the handout template or --paper rebuild the handouts only', async () => {
    await edit('templates/handout.hbs', '\n')
    expect(await rebuilt(dir)).toEqual(ALL.filter((o) => o.endsWith('/handout')))
    expect(await rebuilt(dir, '--paper', 'F4')).toEqual(ALL.filter((o) => o.endsWith('/handout')))
    expect(await rebuilt(dir, '--paper', 'F4')).toEqual([])
  })

  it.each([
    ['the essay', 'content/essays/ortug-kpu-jabar.md', '\n'],
    ['the storyboard', 'content/essays/ortug-kpu-jabar.deck.yaml', '\n# komentar\n'],
    ['the defaults', 'content/offices/_defaults.yaml', '\n# komentar\n'],
    ['a layout template', 'templates/layouts/points.hbs', '\n'],
    ['the theme', 'templates/theme/ortug.css', '\n/* ubah */\n'],
  ])('%s rebuilds every output', async (_, file, text) => {
    await edit(file, text)
    expect(await rebuilt(dir, '--paper', 'F4')).toEqual(ALL)
  })

  it('--force rebuilds everything; a corrupt manifest is ignored, not trusted', async () => {
    expect(await rebuilt(dir, '--paper', 'F4', '--force')).toEqual(ALL)
    await writeFile(path.join(dir, 'dist/manifest.json'), '{ "generator": "ortug", "outputs": [ { "path": "../../etc/passwd" ')
    expect(await rebuilt(dir, '--paper', 'F4')).toEqual(ALL)
  })

  it('--force for one office rebuilds that office and keeps the others in the manifest and catalogue', async () => {
    expect(await rebuilt(dir, '--paper', 'F4', '--force', '--office', 'kota-bogor')).toEqual(ALL.filter((o) => o.startsWith('kota-bogor/')))
    const manifest = JSON.parse(await readFile(path.join(dir, 'dist/manifest.json'), 'utf8')) as {
      outputs: { office: string }[]
      thumbnails?: Record<string, string>
    }
    expect([...new Set(manifest.outputs.map((e) => e.office))].sort()).toEqual([...OFFICES].sort())
    const catalogue = await readFile(path.join(dir, 'dist/index.html'), 'utf8')
    for (const office of OFFICES) expect(catalogue).toContain(`${office}/ortug-kpu-jabar.pdf`)
    // The other offices' thumbnails are carried over: their hashes were recorded, and match.
    const thumbnails = OFFICES.map((office) => `.ortug-cache/thumbs/${office}--ortug-kpu-jabar.webp`).sort()
    expect(Object.keys(manifest.thumbnails ?? {}).sort()).toEqual(thumbnails)
    expect(catalogue.match(/<img src="data:image\/webp;base64,/g)).toHaveLength(OFFICES.length)
    expect(await rebuilt(dir, '--paper', 'F4')).toEqual([])
  })

  it('an output changed on disk is rebuilt', async () => {
    await appendFile(path.join(dir, 'dist/kabupaten-garut/ortug-kpu-jabar.md'), 'x')
    expect(await rebuilt(dir, '--paper', 'F4')).toEqual(['kabupaten-garut/md'])
  })
})

describe('shards', () => {
  it('builds of each shard together make every output once, and one catalogue lists them all', async () => {
    const dir = await makeProject({ offices: OFFICES })
    try {
      const first = await rebuilt(dir, '--format', 'md', '--shard', '1/2')
      const second = await rebuilt(dir, '--format', 'md', '--shard', '2/2')
      expect([...first, ...second].sort()).toEqual(OFFICES.map((o) => `${o}/md`).sort())
      const index = await readFile(path.join(dir, 'dist/index.html'), 'utf8')
      for (const office of OFFICES) expect(index).toContain(`${office}/ortug-kpu-jabar.md`)
      // Shards built on separate machines: each into its own folder, then gathered. Each folder starts
      // with the fit cache of the builds above (as a CI cache would restore it): only the merge is under test here.
      for (const out of ['shard-1', 'shard-2']) {
        await mkdir(path.join(dir, out, '.ortug-cache'), { recursive: true })
        await cp(path.join(dir, 'dist', FIT_CACHE), path.join(dir, out, FIT_CACHE))
      }
      await runExpecting(0, ['build', '--format', 'md', '--shard', '1/2', '--out', 'shard-1'], dir)
      await runExpecting(0, ['build', '--format', 'md', '--shard', '2/2', '--out', 'shard-2'], dir)
      const merged = await runCli(['merge-manifests', 'shard-1', 'shard-2', '--out', 'merged'], dir)
      expect(merged.code).toBe(0)
      const manifest = JSON.parse(await readFile(path.join(dir, 'merged/manifest.json'), 'utf8'))
      expect(manifest.outputs.map((e: { path: string }) => e.path).sort()).toEqual(OFFICES.map((o) => `${o}/ortug-kpu-jabar.md`).sort())
      const catalogue = await readFile(path.join(dir, 'merged/index.html'), 'utf8')
      for (const office of OFFICES) expect(catalogue).toContain(`${office}/ortug-kpu-jabar.md`)
      const twice = await runCli(['merge-manifests', 'shard-1', 'shard-1', '--out', 'again'], dir)
      expect(twice.code).toBe(2)
      expect(twice.stderr).toContain('is given twice')
    } finally {
      await removeProject(dir)
    }
  })
})

describe('the manifest and the fit cache are untrusted input', () => {
  it('a one-office build after a corrupt or foreign manifest keeps every office in the manifest and the catalogue', async () => {
    const dir = await makeProject({ offices: OFFICES })
    try {
      await runExpecting(0, ['build', '--format', 'md'], dir)
      const files = OFFICES.map((o) => `${o}/ortug-kpu-jabar.md`).sort()
      for (const broken of ['{ "generator": "ortug", "outputs": [ { "path": "../../etc/passwd" ', '{"generator":"other-tool","outputs":[]}', '']) {
        await writeFile(path.join(dir, 'dist/manifest.json'), broken)
        const result = await runExpecting(0, ['build', '--format', 'md', '--office', 'kota-bogor'], dir)
        expect(result.stderr).toContain("warning: dist/manifest.json is missing, damaged or not ortug's")
        const manifest = JSON.parse(await readFile(path.join(dir, 'dist/manifest.json'), 'utf8')) as { outputs: { path: string }[] }
        expect(manifest.outputs.map((e) => e.path).sort()).toEqual(files)
        const catalogue = await readFile(path.join(dir, 'dist/index.html'), 'utf8')
        for (const file of files) expect(catalogue).toContain(file)
      }
      // Outputs whose inputs are unknown are made again when their office is built.
      expect(await rebuilt(dir, '--format', 'md')).toEqual(['kabupaten-garut/md'])
      expect(await rebuilt(dir, '--format', 'md')).toEqual([])
    } finally {
      await removeProject(dir)
    }
  }, 120_000)

  it.skipIf(!inUse)(
    'an edited fit cache (every value 500) is ignored with a warning: the PDF keeps its page count',
    async () => {
      const dir = await makeProject({ offices: ['kota-bandung'] })
      try {
        await runExpecting(0, ['build', '--format', 'pdf'], dir)
        const pdf = path.join(dir, 'dist/kota-bandung/ortug-kpu-jabar.pdf')
        const { pages } = await readPdf(pdf)
        expect(pages).toBeGreaterThan(1)
        const cacheFile = path.join(dir, 'dist', FIT_CACHE)
        const stored = JSON.parse(await readFile(cacheFile, 'utf8')) as { slides: Record<string, number> }
        for (const key of Object.keys(stored.slides)) stored.slides[key] = 500
        await writeFile(cacheFile, JSON.stringify(stored))
        await rm(pdf)
        const result = await runExpecting(0, ['build', '--format', 'pdf'], dir)
        expect(result.stderr).toContain(
          `warning: ${path.relative(dir, cacheFile)} is damaged, edited or from another ortug version: ignored, so every slide is measured again`,
        )
        expect((await readPdf(pdf)).pages).toBe(pages)
        // The cache written again is sound: the next rebuild trusts it, silently.
        await rm(pdf)
        const again = await runExpecting(0, ['build', '--format', 'pdf'], dir)
        expect(again.stderr).not.toContain('warning')
        expect((await readPdf(pdf)).pages).toBe(pages)
      } finally {
        await removeProject(dir)
      }
    },
    300_000,
  )
})
