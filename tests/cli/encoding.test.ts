import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { makeProject, removeProject, runCli } from '../helpers.ts'

// Content files are UTF-8: a byte that is not (a file saved as Windows-1252) is refused at its
// place, never turned into U+FFFD (the essay would no longer be verbatim). Item 7 of issue 21.

let project: string | undefined
afterEach(async () => {
  if (project) await removeProject(project)
  project = undefined
})

/** Replaces the first `marker` in a project file by the Latin-1 byte 0xE9 ("é" in Windows-1252). */
async function spoil(file: string, marker: string): Promise<void> {
  const text = await readFile(file)
  const at = text.indexOf(marker)
  expect(at).toBeGreaterThanOrEqual(0)
  await writeFile(file, Buffer.concat([text.subarray(0, at), Buffer.from([0xe9]), text.subarray(at + marker.length)]))
}

describe('invalid UTF-8 in a content file', () => {
  it('in an essay: check exits 1 naming the file, line and column', async () => {
    project = await makeProject({ offices: ['kota-bandung'] })
    const essay = path.join(project, 'content', 'essays', 'ortug-kpu-jabar.md')
    const lines = (await readFile(essay, 'utf8')).split('\n')
    const line = lines.findIndex((l) => l.startsWith('## ')) + 2
    await writeFile(
      essay,
      Buffer.concat([Buffer.from(`${lines.slice(0, line - 1).join('\n')}\nX`), Buffer.from([0xe9]), Buffer.from(`\n${lines.slice(line - 1).join('\n')}`)]),
    )
    const result = await runCli(['check', '--no-fit'], project)
    expect(result.stderr).toMatch(
      new RegExp(`content/essays/ortug-kpu-jabar\\.md:${line}:2: is not valid UTF-8: the byte at offset \\d+ \\(0xE9\\), line ${line}, column 2`),
    )
    expect(result.code).toBe(1)
  })

  it('in an office name: check and build exit 1, nothing is written', async () => {
    project = await makeProject({ offices: ['kota-bandung'] })
    await spoil(path.join(project, 'content', 'offices', 'kota-bandung.yaml'), 'Bandung')
    const check = await runCli(['check', '--no-fit'], project)
    expect(check.stderr).toMatch(/content\/offices\/kota-bandung\.yaml:\d+:\d+: is not valid UTF-8/)
    expect(check.code).toBe(1)
    const build = await runCli(['build', '--format', 'md'], project)
    expect(build.stderr).toMatch(/kota-bandung\.yaml:\d+:\d+: is not valid UTF-8/)
    expect(build.code).toBe(1)
    expect(existsSync(path.join(project, 'dist', 'kota-bandung'))).toBe(false)
  })

  it('in _defaults.yaml, a storyboard and a template', async () => {
    project = await makeProject({ offices: ['kota-bandung'] })
    await cpTemplates(project)
    await spoil(path.join(project, 'content', 'offices', '_defaults.yaml'), ':')
    await spoil(path.join(project, 'content', 'essays', 'ortug-kpu-jabar.deck.yaml'), 'layout')
    await spoil(path.join(project, 'templates', 'layouts', 'points.hbs'), '<')
    const result = await runCli(['check', '--no-fit'], project)
    for (const file of ['content/offices/_defaults.yaml', 'content/essays/ortug-kpu-jabar.deck.yaml', 'templates/layouts/points.hbs']) {
      expect(result.stderr).toMatch(new RegExp(`${file.replace(/\./g, '\\.')}:\\d+:\\d+: is not valid UTF-8`))
    }
    expect(result.code).toBe(1)
  })

  it('a byte order mark at the start of an office file is accepted and dropped', async () => {
    project = await makeProject({ offices: ['kota-bandung'] })
    const file = path.join(project, 'content', 'offices', 'kota-bandung.yaml')
    await writeFile(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), await readFile(file)]))
    const result = await runCli(['check', '--no-fit'], project)
    expect(result.stderr).not.toMatch(/error|warning|UTF-8/)
    expect(result.code).toBe(0)
  })
})

async function cpTemplates(dir: string): Promise<void> {
  const { cp } = await import('node:fs/promises')
  await cp(path.join(import.meta.dirname, '..', '..', 'templates'), path.join(dir, 'templates'), { recursive: true })
}
