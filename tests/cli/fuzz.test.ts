import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FUZZ_CASES, FUZZ_SEED, mutateBytes, mutateText, nastyString, Random } from '../fuzz.ts'
import { type CliResult, makeProject, removeProject, runCli } from '../helpers.ts'
import { makePng } from '../images.ts'

// The fuzz corpus through the real command (issue 21): a sample of the in-process cases
// (tests/unit/fuzz.test.ts) as a user or a CI job would meet them: random flags, mutated content
// files, and damaged manifests, fit caches, journals and shard manifests in the output folder.
// Each run must end with its documented exit code (0, 1 or 2; 3 only where the output folder
// itself is at fault) and a message, never "internal error" or a stack trace. No browser is
// started: builds select no office (--shard 10000/10000) or stop at the content.

/** Runs in this file: a fiftieth of the in-process cases, at least 40. */
const RUNS = Math.max(40, Math.round(FUZZ_CASES / 50))
/** Appended to every build: the last --shard wins, and shard 10000 of 10000 holds no office of a small project. */
const NO_OFFICE = ['--shard', '10000/10000']

let project: string
beforeAll(async () => {
  project = await makeProject({ offices: ['kota-bandung', 'kota-bogor'] })
})
afterAll(() => removeProject(project))

function expectCleanExit(result: CliResult, allowed: readonly number[], label: string): void {
  const shown = `${label} (seed ${FUZZ_SEED}) exited ${result.code}:\n${result.stderr.slice(0, 2000)}`
  expect(allowed, shown).toContain(result.code)
  expect(result.stderr, shown).not.toMatch(/internal error|\n\s+at \S+ \(|Maximum call stack|heap out of memory/i)
  if (result.code !== 0) expect(result.stderr.trim().length, shown).toBeGreaterThan(0)
}

const FLAGS: Record<string, readonly string[]> = {
  '--office': ['kota-bandung', 'kota-bandung,kota-bogor', 'tidak-ada', '', ',', 'KOTA'],
  '--essay': ['ortug-kpu-jabar', 'x', ''],
  '--format': ['md', 'md,html', 'pdf,handout', 'pptx', 'exe', '', 'md,md'],
  '--handout': ['three-up', 'six-up', 'notes', 'nine-up', ''],
  '--paper': ['A4', 'F4', 'a4', 'Letter'],
  '--jobs': ['1', '0', '-1', '1e9', 'NaN', '2.5', 'dua'],
  '--timeout': ['1', '0', '86401', 'Infinity', '1e-9', ''],
  '--shard': ['1/1', '2/1', '1/4294967296', '1/300000000', '0/0', 'a/b', '1/10000'],
  '--out': ['keluaran', 'dist', 'a b', 'ü', '-'],
  '--port': ['0', '65536', 'x'],
  '--json': [],
  '--quiet': [],
  '--force': [],
  '--no-fit': [],
  '--bogus': ['1'],
}

describe(`fuzz through the CLI (seed ${FUZZ_SEED}, ${RUNS} runs per group)`, () => {
  it('random flags: exit 0, 1 or 2 with a message', { timeout: 600_000 }, async () => {
    const random = new Random(FUZZ_SEED + 100)
    for (let n = 0; n < RUNS; n++) {
      const command = random.pick(['build', 'build', 'check', 'list', 'new-office', 'merge-manifests', 'nonsense', '--version', '--help'])
      const args = [command]
      if (command === 'new-office') args.push(random.pick(['kota-baru', 'Kota Baru', '_x', '', nastyString(random)]))
      if (command === 'merge-manifests') args.push(random.pick(['shard-a', 'dist', 'tidak-ada']))
      for (let i = random.int(5); i > 0; i--) {
        const [flag, values] = random.pick(Object.entries(FLAGS))
        args.push(flag)
        if (values.length > 0) args.push(random.chance(0.85) ? random.pick(values) : nastyString(random))
      }
      // A build never reaches the browser: after the flags, it selects no office (or is refused first).
      if (command === 'build' || command === 'check') args.push(...(command === 'build' ? NO_OFFICE : ['--no-fit']))
      expectCleanExit(await runCli(args, project), [0, 1, 2], `flags case ${n}: ortug ${JSON.stringify(args)}`)
    }
  })

  it('mutated content files: check --no-fit exits 0 or 1 with a message', { timeout: 600_000 }, async () => {
    const random = new Random(FUZZ_SEED + 101)
    const files = [
      'content/offices/kota-bandung.yaml',
      'content/offices/_defaults.yaml',
      'content/essays/ortug-kpu-jabar.md',
      'content/essays/ortug-kpu-jabar.deck.yaml',
    ]
    const originals = new Map(await Promise.all(files.map(async (f) => [f, await readFile(path.join(project, f))] as const)))
    await mkdir(path.join(project, 'content', 'assets', 'logos'), { recursive: true })
    for (let n = 0; n < RUNS; n++) {
      const file = random.pick([...files, 'logo'])
      if (file === 'logo') {
        const logo = mutateBytes(random, makePng(30, 20))
        await writeFile(path.join(project, 'content', 'assets', 'logos', 'uji.png'), logo)
        await writeFile(path.join(project, 'content', 'offices', 'kota-bandung.yaml'), `${originals.get(files[0] as string)}logo: assets/logos/uji.png\n`)
      } else {
        const original = originals.get(file) as Buffer
        const changed = random.chance(0.8) ? Buffer.from(mutateText(random, original.toString('utf8'))) : mutateBytes(random, original)
        await writeFile(path.join(project, file), changed)
      }
      expectCleanExit(await runCli(['check', '--no-fit'], project), [0, 1], `content case ${n} (${file})`)
      for (const [f, bytes] of originals) await writeFile(path.join(project, f), bytes)
    }
  })

  it('damaged manifest, fit cache and journal in the output folder: never an internal error', { timeout: 600_000 }, async () => {
    const random = new Random(FUZZ_SEED + 102)
    const out = path.join(project, 'keluaran-fuzz')
    await rm(out, { recursive: true, force: true })
    expectCleanExit(await runCli(['build', '--out', out, ...NO_OFFICE], project), [0], 'the first build')
    const manifest = await readFile(path.join(out, 'manifest.json'), 'utf8')
    const journal = JSON.stringify({ version: 1, token: 'x', moves: [{ from: '.ortug-staging-x/a', to: 'a' }] })
    const fit = JSON.stringify({ version: 1, checksum: '0'.repeat(64), slides: { ['a'.repeat(64)]: 1 } })
    for (let n = 0; n < RUNS; n++) {
      const [file, text] = random.pick([
        ['manifest.json', manifest],
        ['.ortug-cache/fit.json', fit],
        ['.ortug-journal.json', journal],
      ] as const)
      await mkdir(path.join(out, '.ortug-cache'), { recursive: true })
      await writeFile(path.join(out, file), mutateText(random, text))
      const result = await runCli(['build', '--out', out, ...NO_OFFICE], project)
      // A damaged journal stops the build (exit 3) saying what to delete: the folder may mix two builds.
      expectCleanExit(result, file === '.ortug-journal.json' ? [0, 3] : [0], `output case ${n} (${file})`)
      if (result.code === 3) expect(result.stderr).toMatch(/is not a journal ortug wrote|cannot/)
      await rm(path.join(out, '.ortug-journal.json'), { force: true })
    }
  })

  it('damaged shard manifests: merge-manifests exits 0, 1 or 2 with a message', { timeout: 600_000 }, async () => {
    const random = new Random(FUZZ_SEED + 103)
    // Two shards of a build whose shares hold no office (a shard build of an office needs the
    // browser): the manifest of a build that selected none, its shard record renumbered.
    const shards = ['shard-1', 'shard-2'].map((name) => path.join(project, name))
    for (const [i, dir] of shards.entries()) {
      await rm(dir, { recursive: true, force: true })
      expectCleanExit(await runCli(['build', '--out', dir, ...NO_OFFICE], project), [0], `shard ${i + 1}`)
      const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'))
      manifest.shard = { ...manifest.shard, index: i + 1, count: 2 }
      await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2))
    }
    expectCleanExit(await runCli(['merge-manifests', ...shards, '--out', path.join(project, 'merged')], project), [0], 'the intact merge')
    const originals = await Promise.all(shards.map((dir) => readFile(path.join(dir, 'manifest.json'), 'utf8')))
    for (let n = 0; n < Math.ceil(RUNS / 2); n++) {
      const which = random.int(2)
      await writeFile(path.join(shards[which] as string, 'manifest.json'), mutateText(random, originals[which] as string))
      const result = await runCli(['merge-manifests', ...shards, '--out', path.join(project, 'merged')], project)
      expectCleanExit(result, [0, 1, 2], `merge case ${n}`)
      await writeFile(path.join(shards[which] as string, 'manifest.json'), originals[which] as string)
    }
  })
})
