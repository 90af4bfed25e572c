import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { installProfiler, NO_PROFILE, openProfiler, profiler, readTrace } from '../../src/shared/profile.ts'

// The stage timer behind `npm run bench`: off it does nothing at all, on it writes one JSON line a stage.

const dirs: string[] = []
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ortug-profile-'))
  dirs.push(dir)
  return dir
}
afterEach(async () => {
  installProfiler(NO_PROFILE)
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

function steppingClock() {
  let t = 1000
  return { now: () => (t += 5), pid: 4242 }
}

describe('profiler', () => {
  it('is off without a file: the no-op, which never asks for a page and writes nothing', async () => {
    const off = openProfiler(undefined, '/nonexistent/pages')
    expect(off).toBe(NO_PROFILE)
    expect(off.on).toBe(false)
    expect(profiler()).toBe(NO_PROFILE)
    const end = off.start('deck print', 'a / b')
    expect(end()).toBeUndefined()
    expect(await off.time('marp render', 'a / b', async () => 7)).toBe(7)
    let asked = false
    await off.page('deck', 'a / b', { width: '1px', height: '1px' }, () => {
      asked = true
      return ''
    })
    expect(asked).toBe(false)
    await off.flush()
  })

  it('on, writes a trace line per stage with deck, start, end and pid, appending on each flush', async () => {
    const dir = await tempDir()
    const file = path.join(dir, 'trace.jsonl')
    const on = openProfiler(file, undefined, steppingClock())
    expect(installProfiler(on)).toBe(NO_PROFILE)
    expect(profiler()).toBe(on)
    const end = on.start('reading and planning')
    end()
    await on.time('deck print', 'kota-a / esai', async () => undefined)
    await expect(on.time('handout print', 'kota-a / esai', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    await on.flush()
    on.start('commit')()
    await on.flush()
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n')
    expect(lines).toHaveLength(4)
    const { stages, pages } = readTrace(lines.join('\n'))
    expect(pages).toEqual([])
    expect(stages).toEqual([
      { stage: 'reading and planning', start: 1005, end: 1010, pid: 4242 },
      { stage: 'deck print', deck: 'kota-a / esai', start: 1015, end: 1020, pid: 4242 },
      { stage: 'handout print', deck: 'kota-a / esai', start: 1025, end: 1030, pid: 4242 },
      { stage: 'commit', start: 1035, end: 1040, pid: 4242 },
    ])
  })

  it('with a pages folder, keeps each printed page and records how it was printed', async () => {
    const dir = await tempDir()
    const file = path.join(dir, 'trace.jsonl')
    const on = openProfiler(file, path.join(dir, 'pages'), steppingClock())
    await on.page('deck', 'kota-a / esai', { width: '1280px', height: '720px' }, () => '<p>deck</p>')
    await on.page('handout', 'kota-a / esai', { width: '210mm', height: '297mm' }, async () => '<p>handout</p>')
    await on.flush()
    const { stages, pages } = readTrace(await readFile(file, 'utf8'))
    expect(pages).toEqual([
      { page: 'deck', deck: 'kota-a / esai', file: '00001-deck.html', pdf: { width: '1280px', height: '720px' } },
      { page: 'handout', deck: 'kota-a / esai', file: '00002-handout.html', pdf: { width: '210mm', height: '297mm' } },
    ])
    expect(stages.map((s) => s.stage)).toEqual(['profile pages', 'profile pages'])
    expect(await readdir(path.join(dir, 'pages'))).toEqual(['00001-deck.html', '00002-handout.html'])
    expect(await readFile(path.join(dir, 'pages', '00002-handout.html'), 'utf8')).toBe('<p>handout</p>')
  })
})
