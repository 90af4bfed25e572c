import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseEssay } from '../../src/content/essay.ts'
import { FIT_CACHE, mergeFitCaches, readFitCache, serializeFitCache, verifyFitCache } from '../../src/output/fit-cache.ts'
import {
  findOutputsOnDisk,
  isOutputFresh,
  mergeManifest,
  readManifest,
  readManifestFile,
  readPreviousOutputs,
  resolveBuildTime,
} from '../../src/output/manifest.ts'
import { cachedOverflows, emptyFitCache, type FitCache, recordFit, slideKeys } from '../../src/plan/fit.ts'
import type { FitHint } from '../../src/plan/fit-hints.ts'
import { planDeck } from '../../src/plan/plan.ts'
import { sha256 } from '../../src/shared/hash.ts'
import type { ManifestEntry, ShardRecord } from '../../src/shared/types.ts'
import { VERSION } from '../../src/shared/version.ts'
import { makeOffice } from '../unit-helpers.ts'

// The build cache without a build: dist/manifest.json (which outputs are up to date) and the fit
// cache (which slides were measured). Small files in a temp folder; no browser.

let out: string
beforeEach(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'ortug-manifest-'))
})
afterEach(() => rm(out, { recursive: true, force: true }))

/** Writes an output file and returns its manifest entry. */
async function writeOutput(file: string, text: string, changes: Partial<ManifestEntry> = {}): Promise<ManifestEntry> {
  await mkdir(path.dirname(path.join(out, file)), { recursive: true })
  await writeFile(path.join(out, file), text)
  const [office = '', name = ''] = file.split('/')
  return {
    path: file,
    bytes: Buffer.byteLength(text),
    sha256: sha256(text),
    office,
    officeName: `KPU ${office}`,
    essay: name.replace(/(-handout)?\.\w+$/, ''),
    essayTitle: 'Judul',
    format: name.endsWith('-handout.pdf') ? 'handout' : (path.extname(name).slice(1) as string),
    key: 'kunci-1',
    inputs: { 'content/essays/uji.md': 'abc' },
    ...changes,
  }
}

const writeManifest = (value: unknown) => writeFile(path.join(out, 'manifest.json'), typeof value === 'string' ? value : JSON.stringify(value))

describe('readManifest', () => {
  it('reads the entries of an ortug manifest', async () => {
    const entry = await writeOutput('kota-a/uji.md', '# satu\n')
    await writeManifest({ generator: `ortug ${VERSION}`, builtAt: '2027-01-01T00:00:00.000Z', outputs: [entry] })
    expect(await readManifest(out)).toEqual([entry])
    expect(await readManifestFile(out)).toEqual({ generator: `ortug ${VERSION}`, builtAt: '2027-01-01T00:00:00.000Z', shard: undefined, outputs: [entry] })
  })

  it.each([
    ['missing', undefined],
    ['not JSON', '{"generator": "ortug 0.1.0", "outputs": ['],
    ['empty', ''],
    ['another tool', { generator: 'marp-cli', builtAt: '', outputs: [] }],
    ['no generator', { outputs: [] }],
    ['outputs not a list', { generator: 'ortug 0.1.0', outputs: {} }],
    ['a list', []],
    ['null', 'null'],
  ])('a %s manifest is empty, not trusted', async (_, value) => {
    if (value !== undefined) await writeManifest(value)
    expect(await readManifest(out)).toEqual([])
    expect(await readManifestFile(out)).toBeUndefined()
  })

  it('drops entries without path, hash or key, and paths that climb out of the folder', async () => {
    const good = await writeOutput('kota-a/uji.md', 'x')
    const outputs = [good, { ...good, path: '../luar.md' }, { ...good, path: 'kota-a/../../luar.md' }, { ...good, sha256: 5 }, { path: 'x.md' }, null, 'teks']
    await writeManifest({ generator: 'ortug 9.9.9', outputs })
    expect(await readManifest(out)).toEqual([good])
    const warnings: string[] = []
    expect((await readManifestFile(out, (message) => warnings.push(message)))?.builtAt).toBe('')
    // Never silently: the offices of those entries drop from the catalogue until they are built again.
    expect(warnings).toEqual([
      `${path.join(out, 'manifest.json')}: 6 of its 7 entries are not as ortug writes them (edited or damaged) and are left out; their outputs are made again when their office is built`,
    ])
  })

  it('keeps a well-formed shard record and ignores a malformed one', async () => {
    const shard: ShardRecord = { index: 1, count: 2, inputs: 'abc', options: '--format md', offices: ['kota-a'] }
    await writeManifest({ generator: 'ortug 0.1.0', builtAt: 'x', shard, outputs: [] })
    expect((await readManifestFile(out))?.shard).toEqual(shard)
    await writeManifest({ generator: 'ortug 0.1.0', builtAt: 'x', shard: { ...shard, index: 1.5 }, outputs: [] })
    expect((await readManifestFile(out))?.shard).toBeUndefined()
    await writeManifest({ generator: 'ortug 0.1.0', builtAt: 'x', shard: { ...shard, offices: ['kota-a', 3] }, outputs: [] })
    expect((await readManifestFile(out))?.shard).toBeUndefined()
  })
})

describe('isOutputFresh', () => {
  it('is fresh when the key matches and the file has the recorded bytes', async () => {
    const entry = await writeOutput('kota-a/uji.html', '<html>')
    expect(await isOutputFresh([entry], out, 'kota-a', 'uji', 'html', 'kunci-1')).toBe(true)
  })

  it('is stale when the key differs', async () => {
    const entry = await writeOutput('kota-a/uji.html', '<html>')
    expect(await isOutputFresh([entry], out, 'kota-a', 'uji', 'html', 'kunci-2')).toBe(false)
  })

  it('is stale when the file changed or is gone', async () => {
    const entry = await writeOutput('kota-a/uji.html', '<html>')
    await writeFile(path.join(out, 'kota-a/uji.html'), '<html> ')
    expect(await isOutputFresh([entry], out, 'kota-a', 'uji', 'html', 'kunci-1')).toBe(false)
    await rm(path.join(out, 'kota-a/uji.html'))
    expect(await isOutputFresh([entry], out, 'kota-a', 'uji', 'html', 'kunci-1')).toBe(false)
  })

  it('is stale when the manifest has no entry for that office, essay and format', async () => {
    const entry = await writeOutput('kota-a/uji.html', '<html>')
    expect(await isOutputFresh([], out, 'kota-a', 'uji', 'html', 'kunci-1')).toBe(false)
    expect(await isOutputFresh([entry], out, 'kota-b', 'uji', 'html', 'kunci-1')).toBe(false)
    expect(await isOutputFresh([entry], out, 'kota-a', 'lain', 'html', 'kunci-1')).toBe(false)
    expect(await isOutputFresh([entry], out, 'kota-a', 'uji', 'pdf', 'kunci-1')).toBe(false)
  })

  it('a format with several files is fresh only when every file is', async () => {
    const first = await writeOutput('kota-a/uji.001.png', 'satu', { essay: 'uji', format: 'png' })
    const second = await writeOutput('kota-a/uji.002.png', 'dua', { essay: 'uji', format: 'png' })
    expect(await isOutputFresh([first, second], out, 'kota-a', 'uji', 'png', 'kunci-1')).toBe(true)
    await writeFile(path.join(out, 'kota-a/uji.002.png'), 'diubah')
    expect(await isOutputFresh([first, second], out, 'kota-a', 'uji', 'png', 'kunci-1')).toBe(false)
  })
})

describe('mergeManifest', () => {
  it('keeps untouched entries whose files are intact, replaces rebuilt ones, drops stale ones; sorted by path', async () => {
    const untouched = await writeOutput('kota-b/uji.md', 'b')
    const rebuiltBefore = await writeOutput('kota-a/uji.md', 'lama', { key: 'kunci-lama' })
    const rebuilt = await writeOutput('kota-a/uji.md', 'baru', { key: 'kunci-baru' })
    const changed = await writeOutput('kota-c/uji.md', 'c')
    await writeFile(path.join(out, 'kota-c/uji.md'), 'c diubah')
    const removed = await writeOutput('kota-d/uji.md', 'd')
    await rm(path.join(out, 'kota-d'), { recursive: true })

    const manifest = await mergeManifest(out, [rebuilt], [changed, untouched, rebuiltBefore, removed])
    expect(manifest.outputs).toEqual([rebuilt, untouched])
    expect(manifest.generator).toBe(`ortug ${VERSION}`)
    expect(Date.parse(manifest.builtAt)).not.toBeNaN()
    expect(manifest).not.toHaveProperty('shard')
  })

  it('records the shard it was given', async () => {
    const shard: ShardRecord = { index: 2, count: 3, inputs: 'abc', options: '--format md', offices: [] }
    expect((await mergeManifest(out, [], [], shard)).shard).toEqual(shard)
  })
})

describe('fit cache', () => {
  const KEY_A = 'a'.repeat(64)
  const KEY_B = 'b'.repeat(64)

  it.each([
    ['empty', ''],
    ['not JSON', '{"version": 1, "slides": {'],
    ['null', 'null'],
    ['a number', '42'],
    ['another version', JSON.stringify({ version: 2, slides: { [KEY_A]: 0 } })],
    ['no slides', JSON.stringify({ version: 1 })],
    ['slides null', JSON.stringify({ version: 1, slides: null })],
  ])('verifyFitCache: %s is not a cache', (_, text) => {
    expect(verifyFitCache(text)).toBeUndefined()
    expect(emptyFitCache()).toEqual({ version: 1, slides: {} })
  })

  it.each([
    ['a short key', { slides: { [KEY_A]: 0, short: 1 } }],
    ['an upper-case key', { slides: { [KEY_A.toUpperCase()]: 1 } }],
    ['a string', { slides: { [KEY_A]: '3' } }],
    ['a negative fill', { slides: { [KEY_A]: 0 }, fills: { [KEY_A]: -0.5 } }],
    ['a fill list', { slides: { [KEY_A]: 0 }, fills: [0.5] }],
  ])('verifyFitCache refuses a whole cache with %s, even with its checksum right', (_, cache) => {
    const stored = JSON.parse(serializeFitCache({ version: 1, slides: {}, ...(cache as Partial<FitCache>) }).toString())
    expect(verifyFitCache(JSON.stringify({ ...stored, ...cache }))).toBeUndefined()
  })

  const hint = (changes: Partial<FitHint> = {}): FitHint => ({
    tuning: new Map([[3, { scale: 0.85, dense: false, grow: [0, 2], balanced: [false, true] }]]),
    caps: new Map([['3:1', 2]]),
    slides: [{ index: 2, fill: 0.71, overflow: 0 }],
    ...changes,
  })

  it('keeps fit hints (fit-hints.ts): they round-trip, and one edited after it was stored fails the whole cache', () => {
    const cache: FitCache = { version: 1, slides: { [KEY_A]: 0 }, hints: new Map([[KEY_B, hint()]]) }
    const text = serializeFitCache(cache).toString()
    expect(verifyFitCache(text)).toEqual(cache)
    expect(verifyFitCache(text.replace('0.71', '0.72'))).toBeUndefined()
    expect(verifyFitCache(text.replace('"3:1",2', '"3:1",1'))).toBeUndefined()
    // Shards' hints are gathered as their slides are: a later one wins.
    const later = hint({ slides: [{ index: 2, fill: 0.5, overflow: 0 }] })
    expect(mergeFitCaches([cache, { version: 1, slides: {}, hints: new Map([[KEY_B, later]]) }]).hints).toEqual(new Map([[KEY_B, later]]))
  })

  it.each([
    ['a scale the fit loop never takes', hint({ tuning: new Map([[3, { scale: 0.5, dense: false }]]) })],
    ['a step of larger type past the largest', hint({ tuning: new Map([[3, { scale: 1, dense: false, grow: [9] }]]) })],
    ['a negative fill', hint({ slides: [{ index: 2, fill: -1, overflow: 0 }] })],
    ['a cap that is no slide and page', hint({ caps: new Map([['drei', 1]]) })],
    ['a slide index that is no whole number', hint({ slides: [{ index: 1.5, fill: 0.5, overflow: 0 }] })],
  ])('verifyFitCache refuses a whole cache whose hint has %s, even with its checksum right', (_, bad) => {
    expect(verifyFitCache(serializeFitCache({ version: 1, slides: {}, hints: new Map([[KEY_A, bad]]) }).toString())).toBeUndefined()
  })

  it('verifyFitCache refuses a fill or an overflow edited after it was stored', () => {
    const cache: FitCache = { version: 1, slides: { [KEY_A]: 0, [KEY_B]: 12.5 }, fills: { [KEY_A]: 0.4, [KEY_B]: 1.2 } }
    const text = serializeFitCache(cache).toString()
    expect(verifyFitCache(text)).toEqual(cache)
    expect(verifyFitCache(text.replace('0.4', '0.9'))).toBeUndefined()
    expect(verifyFitCache(text.replace('12.5', '0'))).toBeUndefined()
  })

  const office = makeOffice()
  const essay = parseEssay('---\ntitle: T\nauthor: A\n---\n## Satu\n\nIsi.\n', 'uji', 'uji.md')
  // Five slides, as the Markdown below: a divider and a reading slide for the one section.
  const readingStoryboard = {
    slides: [
      { layout: 'title' as const },
      { layout: 'agenda' as const },
      { layout: 'section' as const, section: 'satu' },
      { layout: 'text' as const, section: 'satu' },
      { layout: 'closing' as const },
    ],
    derived: false,
  }
  const deck = planDeck(essay, readingStoryboard, office)
  const FRONT = '---\nmarp: true\nsize: "16:9"\n---\n'
  const markdown = `${FRONT}# Judul\n\n---\n\n# Agenda\n\n---\n\n# Satu\n\n---\n\nIsi.\n\n---\n\n# Terima kasih\n`

  it('slideKeys: one key per slide, from theme, front matter and the slide alone', () => {
    const keys = slideKeys(markdown, 'tema-1')
    expect(keys).toHaveLength(5)
    expect(new Set(keys).size).toBe(5)
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{64}$/)
    // The same slide elsewhere in a deck with the same front matter has the same key.
    expect(slideKeys(`${FRONT}# Agenda\n`, 'tema-1')).toEqual([keys[1]])
    // Surrounding blank lines do not matter; a changed slide changes its key only.
    expect(slideKeys(markdown.replace('# Satu', '# Satu diubah'), 'tema-1')).toEqual([
      keys[0],
      keys[1],
      expect.not.stringMatching(keys[2] as string),
      keys[3],
      keys[4],
    ])
    // Another theme or front matter changes every key.
    for (const key of slideKeys(markdown, 'tema-2')) expect(keys).not.toContain(key)
    for (const key of slideKeys(markdown.replace('16:9', '4:3'), 'tema-1')) expect(keys).not.toContain(key)
  })

  it("recordFit stores each slide's overflow (0 when it fits); cachedOverflows gives them back", () => {
    const keys = slideKeys(markdown, 'tema-1')
    const cache: FitCache = emptyFitCache()
    expect(cachedOverflows(keys, cache, deck)).toBeUndefined()
    recordFit(cache, keys, [{ slide: 4, layout: 'text', title: 'Satu', pixels: 37 }])
    expect(Object.values(cache.slides)).toEqual([0, 0, 0, 37, 0])
    expect(cachedOverflows(keys, cache, deck)).toEqual([{ slide: 4, layout: 'text', title: 'Satu', pixels: 37 }])
    recordFit(cache, keys, [])
    expect(cachedOverflows(keys, cache, deck)).toEqual([])
  })

  it('cachedOverflows needs every slide: one unknown slide means measuring the deck', () => {
    const keys = slideKeys(markdown, 'tema-1')
    const cache = emptyFitCache()
    recordFit(cache, keys.slice(0, 4), [])
    expect(cachedOverflows(keys, cache, deck)).toBeUndefined()
    expect(cachedOverflows(keys.slice(0, 4), cache, deck)).toEqual([])
  })

  it('round-trips through JSON', () => {
    const cache = emptyFitCache()
    recordFit(cache, slideKeys(markdown, 'tema-1'), [{ slide: 2, layout: 'agenda', title: 'Agenda', pixels: 3 }])
    expect(verifyFitCache(serializeFitCache(cache).toString())).toEqual(cache)
  })
})

describe('a manifest that cannot be trusted', () => {
  it('is rebuilt from the outputs on disk, named as ortug names them; other files are left out', async () => {
    await writeOutput('kota-bandung/ortug-kpu-jabar.md', '# a')
    await writeOutput('kota-bandung/ortug-kpu-jabar-handout.pdf', '%PDF h')
    await writeOutput('kota-bandung/ortug-kpu-jabar.002.png', 'png')
    await writeOutput('kota-bogor/esai-dua.pdf', '%PDF b')
    await writeOutput('kota-bogor/catatan.txt', 'bukan keluaran')
    await writeOutput('.ortug-cache/thumbs/kota-bogor--esai-dua.webp', 'webp')
    await writeOutput('Not An Office/x.pdf', '%PDF')
    await writeFile(path.join(out, 'manifest.json'), '{ "generator": "ortug", "outputs": [ { "path": "../../etc/passwd" ')
    const warnings: string[] = []
    const found = await readPreviousOutputs(out, (w) => warnings.push(w))
    expect(found.map((e) => `${e.path} ${e.office} ${e.essay} ${e.format}`)).toEqual([
      'kota-bandung/ortug-kpu-jabar-handout.pdf kota-bandung ortug-kpu-jabar handout',
      'kota-bandung/ortug-kpu-jabar.002.png kota-bandung ortug-kpu-jabar png',
      'kota-bandung/ortug-kpu-jabar.md kota-bandung ortug-kpu-jabar md',
      'kota-bogor/esai-dua.pdf kota-bogor esai-dua pdf',
    ])
    expect(
      found.every(
        (e) =>
          e.key === '' &&
          e.sha256 === sha256(e.path.endsWith('.md') ? '# a' : e.path.endsWith('.png') ? 'png' : e.path.includes('handout') ? '%PDF h' : '%PDF b'),
      ),
    ).toBe(true)
    expect(warnings).toEqual([
      `${path.join(out, 'manifest.json')} is missing, damaged or not ortug's: it is rebuilt from the 4 output(s) found on disk, which are rebuilt when their office is built`,
    ])
  })

  it('outputs found on disk stay in the next manifest, and are not up to date', async () => {
    await writeOutput('kota-bogor/esai-dua.md', '# b')
    const [entry] = await findOutputsOnDisk(out)
    const built = [await writeOutput('kota-bandung/esai-dua.md', '# baru')]
    const merged = await mergeManifest(out, built, await readPreviousOutputs(out, () => undefined))
    expect(merged.outputs.map((e) => e.path)).toEqual(['kota-bandung/esai-dua.md', 'kota-bogor/esai-dua.md'])
    expect(await isOutputFresh([entry as ManifestEntry], out, 'kota-bogor', 'esai-dua', 'md', 'kunci-1')).toBe(false)
  })

  it('a sound manifest is used as it is, without a warning', async () => {
    const entry = await writeOutput('kota-bandung/esai-dua.md', '# a')
    await writeOutput('kota-bogor/esai-dua.md', '# b')
    await writeFile(path.join(out, 'manifest.json'), JSON.stringify({ generator: `ortug ${VERSION}`, builtAt: '', outputs: [entry] }))
    const warnings: string[] = []
    expect(await readPreviousOutputs(out, (w) => warnings.push(w))).toEqual([entry])
    expect(warnings).toEqual([])
  })
})

describe('the stored fit cache', () => {
  const key = (n: number) => sha256(`slide ${n}`)
  const cache: FitCache = { version: 1, slides: { [key(1)]: 0, [key(2)]: 37.5, [key(3)]: 0 } }
  const store = async (bytes: string | Buffer) => {
    await mkdir(path.join(out, '.ortug-cache'), { recursive: true })
    await writeFile(path.join(out, FIT_CACHE), bytes)
  }

  it('round-trips with its checksum, silently', async () => {
    await store(serializeFitCache(cache))
    const warnings: string[] = []
    expect(await readFitCache(out, (w) => warnings.push(w))).toEqual(cache)
    expect(warnings).toEqual([])
  })

  it('a missing cache is empty, without a warning', async () => {
    const warnings: string[] = []
    expect(await readFitCache(out, (w) => warnings.push(w))).toEqual(emptyFitCache())
    expect(warnings).toEqual([])
  })

  const edits: [string, (stored: { checksum: string; slides: Record<string, unknown> }) => unknown][] = [
    ['every value 500', (s) => ({ ...s, slides: Object.fromEntries(Object.keys(s.slides).map((k) => [k, 500])) })],
    ['one value changed', (s) => ({ ...s, slides: { ...s.slides, [key(2)]: 0 } })],
    ['an entry added', (s) => ({ ...s, slides: { ...s.slides, [key(4)]: 0 } })],
    ['no checksum (an older ortug)', (s) => ({ version: 1, slides: s.slides })],
    ['a negative overflow, checksum recomputed', () => JSON.parse(serializeFitCache({ version: 1, slides: { [key(1)]: -5 } }).toString())],
    ['an absurd overflow', () => JSON.parse(serializeFitCache({ version: 1, slides: { [key(1)]: 1e9 } }).toString())],
  ]
  it.each(edits)('is ignored, with a warning, when edited: %s', async (_, edit) => {
    await store(JSON.stringify(edit(JSON.parse(serializeFitCache(cache).toString()))))
    const warnings: string[] = []
    expect(await readFitCache(out, (w) => warnings.push(w))).toEqual(emptyFitCache())
    expect(warnings).toEqual([`${path.join(out, FIT_CACHE)} is damaged, edited or from another ortug version: ignored, so every slide is measured again`])
  })

  it.each(['', '{', 'null', '[]', '{"version":1,"slides":[]}'])('is ignored, with a warning, when damaged: %j', async (text) => {
    await store(text)
    const warnings: string[] = []
    expect(await readFitCache(out, (w) => warnings.push(w))).toEqual(emptyFitCache())
    expect(warnings).toHaveLength(1)
  })
})

describe('resolveBuildTime', () => {
  it('is SOURCE_DATE_EPOCH when set to whole seconds, now when unset; anything else is a usage error, as for the PDF dates', () => {
    const now = new Date('2026-03-01T08:00:00Z')
    expect(resolveBuildTime({ SOURCE_DATE_EPOCH: '1767225600' }, now)).toBe('2026-01-01T00:00:00.000Z')
    for (const value of [undefined, '', ' ']) expect(resolveBuildTime({ SOURCE_DATE_EPOCH: value }, now)).toBe(now.toISOString())
    for (const value of ['kemarin', '-1', '1.5']) expect(() => resolveBuildTime({ SOURCE_DATE_EPOCH: value }, now)).toThrow(/SOURCE_DATE_EPOCH is "/)
  })
})
