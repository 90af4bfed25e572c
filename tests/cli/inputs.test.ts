import { cp, readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { sha256 } from '../../src/shared/hash.ts'
import { makeProject, REPO, removeProject, runExpecting } from '../helpers.ts'

// The manifest's `inputs`: every file that shaped an output, by a key that names it the same on
// every machine, with that file's hash. A project without templates/ uses ortug's own.

let project: string
afterEach(() => removeProject(project))

/** The file a manifest key names: the project's own, ortug's (`ortug/...`), or a package's. */
function fileOfKey(key: string): string {
  if (key.startsWith('content/') || key.startsWith('templates/')) return path.join(project, key)
  if (key.startsWith('ortug/')) return path.join(REPO, key.slice('ortug/'.length))
  return path.join(REPO, 'node_modules', key)
}

async function builtInputs(): Promise<Record<string, string>> {
  await runExpecting(0, ['build', '--format', 'md'], project)
  const manifest = JSON.parse(await readFile(path.join(project, 'dist', 'manifest.json'), 'utf8'))
  expect(manifest.outputs.length).toBeGreaterThan(0)
  return manifest.outputs[0].inputs
}

describe('manifest inputs', () => {
  it('without templates/: ortug’s own templates and theme as ortug/templates/..., each key naming the file hashed', async () => {
    project = await makeProject({ offices: ['kota-bandung'] })
    const inputs = await builtInputs()
    const keys = Object.keys(inputs)
    expect(keys).toEqual(
      expect.arrayContaining([
        'content/essays/ortug-kpu-jabar.md',
        'content/essays/ortug-kpu-jabar.deck.yaml',
        'content/offices/kota-bandung.yaml',
        'content/offices/_defaults.yaml',
        'ortug/templates/deck.hbs',
        'ortug/templates/layouts/points.hbs',
        'ortug/templates/theme/ortug.css',
      ]),
    )
    for (const [key, hash] of Object.entries(inputs)) expect(sha256(await readFile(fileOfKey(key))), key).toBe(hash)
  })

  it('with templates/: the project’s templates by their path in the project', async () => {
    project = await makeProject({ offices: ['kota-bandung'] })
    await cp(path.join(REPO, 'templates'), path.join(project, 'templates'), { recursive: true })
    const inputs = await builtInputs()
    expect(Object.keys(inputs)).toEqual(expect.arrayContaining(['templates/deck.hbs', 'templates/theme/ortug.css', 'content/offices/kota-bandung.yaml']))
    expect(Object.keys(inputs).filter((key) => key.startsWith('ortug/'))).toEqual([])
    for (const [key, hash] of Object.entries(inputs)) expect(sha256(await readFile(fileOfKey(key))), key).toBe(hash)
  })
})
