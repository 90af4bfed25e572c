import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveBrowser } from '../../src/browser/launch.ts'
import { convertInTime, type MarpWorker } from '../../src/render/marp.ts'
import { makeProject, REPO, removeProject, runExpecting } from '../helpers.ts'

// The pipeline that build, check and preview share: a deck that fails fails its office only, and
// check reports every problem, not the first of each office.

const inUse = await resolveBrowser().catch(() => undefined)

describe('failures stay with their office', () => {
  it('a layout override that fails for one office: that office fails, the other is written, check --no-fit finds it too', async () => {
    const dir = await makeProject({ offices: ['kota-bandung', 'kota-bogor'] })
    try {
      // A project's templates/ replaces the built-in one: start from a copy.
      await cp(path.join(REPO, 'templates'), path.join(dir, 'templates'), { recursive: true })
      await mkdir(path.join(dir, 'templates/offices/kota-bogor'), { recursive: true })
      await writeFile(path.join(dir, 'templates/offices/kota-bogor/closing.hbs'), '# {{office.tidakAda}}\n')
      const build = await runExpecting(1, ['build', '--format', 'md'], dir)
      const problem =
        /error: .*templates\/offices\/kota-bogor\/closing\.hbs: kota-bogor: template .*closing\.hbs failed for office "kota-bogor", essay "ortug-kpu-jabar": "tidakAda" not defined/
      expect(build.stderr).toMatch(problem)
      expect(await readdir(path.join(dir, 'dist'))).toContain('kota-bandung')
      expect(await readdir(path.join(dir, 'dist'))).not.toContain('kota-bogor')
      const check = await runExpecting(1, ['check', '--no-fit'], dir)
      expect(check.stderr).toMatch(/closing\.hbs failed for office "kota-bogor", essay "ortug-kpu-jabar": "tidakAda" not defined/)
      expect(check.stderr).toContain('1 problem(s) found')
    } finally {
      await removeProject(dir)
    }
  })

  it.skipIf(!inUse)('check measures every deck of an office and reports each that cannot fit', async () => {
    // One word no slide holds: a long sentence would be cut into continuation slides, a word is never cut.
    const word = 'Pertanggungjawabanketatausahaan'.repeat(120)
    // More decks than check measures at once, so a check that stopped at an office's first failure would miss some.
    const slugs = Array.from({ length: 8 }, (_, i) => `mustahil-${i + 1}`)
    const files = Object.fromEntries(
      slugs.map((slug) => [`content/essays/${slug}.md`, `---\ntitle: ${slug}\nauthor: Penulis Contoh\n---\n\n## Satu Kalimat {#satu}\n\n${word}.\n`]),
    )
    const dir = await makeProject({ from: 'fit', files })
    try {
      const check = await runExpecting(1, ['check', '--office', 'kota-lebar', '--essay', slugs.join(',')], dir)
      for (const slug of slugs) expect(check.stderr).toMatch(new RegExp(`kota-lebar / ${slug} / slide \\d+ \\(text, "Satu Kalimat"\\): overflows by \\d+ px`))
      expect(check.stderr).toContain(`${slugs.length} problem(s) found`)
    } finally {
      await removeProject(dir)
    }
  })
})

describe('marp-cli conversions stay with their office', () => {
  it('a conversion that does not finish: the batch is converted office by office, the stuck office fails alone within --timeout', async () => {
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'ortug-convert-'))
    // marp-cli in a process that never answers for kota-lambat's deck, until the process is ended.
    const hanging = new Set<() => void>()
    const marp: MarpWorker = {
      render: () => Promise.reject(new Error('not used')),
      convert: async (decks) => {
        if (decks.some((deck) => deck.base.startsWith('kota-lambat/'))) {
          await new Promise<void>((_, reject) => hanging.add(() => reject(new Error("Marp's process exited"))))
        }
        return new Map(decks.map((deck) => [deck.base, Buffer.from(`<html>${deck.markdown}</html>`)]))
      },
      start: () => undefined,
      close: () => {
        for (const end of hanging) end()
        hanging.clear()
      },
    }
    const decks = ['kota-a', 'kota-lambat', 'kota-b'].map((office) => ({
      base: `${office}/esai`,
      office,
      formats: ['md', 'html'],
      markdown: () => `# ${office}`,
      fitted: Promise.resolve(),
    }))
    try {
      const { outputs, failures } = await convertInTime(marp, decks, {
        workDir: path.join(workDir, 'marp-1'),
        themeCss: '',
        fontCss: '',
        failed: () => false,
        timeoutMs: 500,
      })
      expect([...outputs.keys()].sort()).toEqual(['kota-a/esai.html', 'kota-b/esai.html'])
      expect(Buffer.from(outputs.get('kota-b/esai.html') ?? []).toString()).toBe('<html># kota-b</html>')
      expect([...failures.keys()]).toEqual(['kota-lambat'])
      expect(failures.get('kota-lambat')?.message).toBe('kota-lambat / esai: did not finish within 0.5 s (--timeout) while converting with marp-cli')
    } finally {
      await rm(workDir, { recursive: true, force: true })
    }
  })
})
