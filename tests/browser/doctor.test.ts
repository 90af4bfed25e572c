import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveBrowser } from '../../src/browser/launch.ts'
import { makeProject, removeProject, runExpecting } from '../helpers.ts'

// ortug doctor: what a trainer pastes into a support request.

const browser = await resolveBrowser().catch(() => undefined)

describe('ortug doctor', () => {
  let dir: string
  beforeAll(async () => {
    dir = await makeProject({ offices: ['kota-bandung', 'kota-bogor'] })
  })
  afterAll(() => removeProject(dir))

  it('without a usable browser or output folder: exit 3, each problem with what to do, no smoke build', async () => {
    await writeFile(path.join(dir, 'a-file'), 'not a folder')
    const { stdout } = await runExpecting(3, ['doctor', '--browser-path', path.join(dir, 'no-such-chrome'), '--out', 'a-file'], dir)
    expect(stdout).toMatch(/^ok {4}Node\.js: v\d+\.\d+\.\d+ \(20\.19 or newer needed\)$/m)
    expect(stdout).toMatch(/^FAIL {2}browser: none usable\n {8}--browser-path: ".*no-such-chrome" is not an executable browser\. Install Google Chrome/m)
    expect(stdout).toMatch(/^ {8}order: --browser-path, CHROME_PATH, installed Chrome\/Chromium\/Edge, npm-shipped Chromium/m)
    expect(stdout).toMatch(/^FAIL {2}output folder: .*a-file is not writable \(E[A-Z]+\)\n {8}choose another folder with --out/m)
    expect(stdout).toMatch(/^ok {4}fonts: Source Sans 3, Source Serif 4: 5 files/m)
    expect(stdout).toMatch(/^ok {4}content: 1 essay\(s\), 2 office\(s\)/m)
    expect(stdout).toMatch(/^FAIL {2}smoke build: skipped$/m)
    expect(stdout.trim().split('\n').at(-1)).toBe('3 problem(s): see FAIL above.')
  })

  it('an office that does not exist is wrong usage, as for build and check: exit 2', async () => {
    const { stdout } = await runExpecting(2, ['doctor', '--office', 'kota-tidak-ada', '--json'], dir)
    const report = JSON.parse(stdout) as { ok: boolean; errors: { kind: string; message: string }[] }
    expect(report.ok).toBe(false)
    expect(report.errors).toEqual([{ kind: 'USAGE', message: expect.stringContaining('--office: unknown "kota-tidak-ada"; available: ') }])
  })

  it.skipIf(!browser)('with the browser in use: names it, its mode and why, and builds one office (exit 0)', async () => {
    const { stdout } = await runExpecting(0, ['doctor', '--office', 'kota-bogor'], dir)
    const mode = browser?.headless === 'new' ? 'new headless' : 'headless shell'
    expect(stdout).toContain(`ok    browser: `)
    expect(stdout).toContain(`(${mode}) at ${browser?.executablePath} (${browser?.source})`)
    expect(stdout).toContain(`        why: ${browser?.reason}`)
    expect(stdout).toMatch(/^ok {4}smoke build: kota-bogor \/ ortug-kpu-jabar \(md, html, pdf\) in \d+\.\d s$/m)
    expect(stdout.trim().split('\n').at(-1)).toBe('Everything ortug needs is here.')
  })
})
