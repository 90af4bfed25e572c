import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasBundledChromium, headlessModeOf, installedBrowserPaths, launchArgs, launchBrowser, resolveBrowser, startBrowser } from '../../src/browser/launch.ts'
import { openBrowserPages } from '../../src/browser/pages.ts'
import { OrtugError } from '../../src/shared/error.ts'
import type { BrowserChoice } from '../../src/shared/types.ts'
import { makeProject, REPO, readPdf, removeProject, runCli, runExpecting } from '../helpers.ts'

// Which browser ortug finds on each platform, and builds that do not hang or time out with the
// kind in use. CI runs this file once with ORTUG_BROWSER=installed and once with =bundled.

describe('finding a browser', () => {
  it('looks for Chrome, Edge and Chromium where Windows installs them, with Windows paths', () => {
    const paths = installedBrowserPaths('win32', {
      PROGRAMFILES: 'C:\\Program Files',
      'PROGRAMFILES(X86)': 'C:\\Program Files (x86)',
      LOCALAPPDATA: 'C:\\Users\\pelatih\\AppData\\Local',
    })
    expect(paths).toContain('C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe')
    expect(paths).toContain('C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe')
    expect(paths).toContain('C:\\Users\\pelatih\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe')
    expect(paths.filter((p) => p.includes('/'))).toEqual([])
    // Chrome before Edge: a trainer who installed Chrome chose it.
    expect(paths.indexOf('C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe')).toBeLessThan(
      paths.indexOf('C:\\Program Files\\Microsoft\\Edge\\Application\\msedge.exe'),
    )
  })

  it('looks in /Applications and ~/Applications on macOS', () => {
    const paths = installedBrowserPaths('darwin', { HOME: '/Users/pelatih' })
    expect(paths).toContain('/Applications/Google Chrome.app/Contents/MacOS/Google Chrome')
    expect(paths).toContain('/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge')
    expect(paths).toContain('/Users/pelatih/Applications/Google Chrome.app/Contents/MacOS/Google Chrome')
  })

  it('looks along PATH and in /snap/bin on Linux', () => {
    const paths = installedBrowserPaths('linux', { PATH: '/opt/bin:/usr/bin' })
    expect(paths.slice(0, 2)).toEqual(['/opt/bin/google-chrome-stable', '/opt/bin/google-chrome'])
    expect(paths).toContain('/usr/bin/chromium')
    expect(paths).toContain('/snap/bin/chromium')
  })

  it('tells a headless shell from a browser by its file name', () => {
    expect(headlessModeOf('/usr/lib/chromium/chromium-headless-shell')).toBe('shell')
    expect(headlessModeOf('/home/u/.cache/chrome-headless-shell/linux-143/chrome-headless-shell-linux64/chrome-headless-shell')).toBe('shell')
    expect(headlessModeOf('/tmp/chromium/headless_shell')).toBe('shell')
    expect(headlessModeOf('/usr/bin/chromium')).toBe('new')
    expect(headlessModeOf('C:\\Program Files\\Microsoft\\Edge\\Application\\msedge.exe')).toBe('new')
  })

  it('launches a headless shell without sandbox or zygote, and a full Chrome with its zygote (a print-compositor per PDF)', () => {
    const shell = launchArgs({ headless: 'shell' }, '/tmp/p', 'linux', false)
    expect(shell).toEqual(expect.arrayContaining(['--user-data-dir=/tmp/p', '--in-process-gpu', '--no-sandbox', '--no-zygote']))
    const chromeAsRoot = launchArgs({ headless: 'new' }, '/tmp/p', 'linux', true)
    expect(chromeAsRoot).toContain('--no-sandbox')
    expect(chromeAsRoot).not.toContain('--no-zygote')
    const chrome = launchArgs({ headless: 'new' }, '/tmp/p', 'linux', false)
    expect(chrome.filter((arg) => arg === '--no-sandbox' || arg === '--no-zygote')).toEqual([])
    expect(launchArgs({ headless: 'new' }, 'C:\\p', 'win32', false).filter((arg) => /sandbox|zygote|in-process-gpu/.test(arg))).toEqual([])
  })

  it('offers the npm-shipped Chromium on Linux x64 only', () => {
    expect(hasBundledChromium('linux', 'x64')).toBe(true)
    expect(hasBundledChromium('linux', 'arm64')).toBe(false)
    expect(hasBundledChromium('win32', 'x64')).toBe(false)
    expect(hasBundledChromium('darwin', 'arm64')).toBe(false)
  })

  it('installs the npm-shipped Chromium only where it runs: an optional dependency limited to Linux x64', async () => {
    const root = JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8'))
    expect(root.dependencies['@sparticuz/chromium']).toBeUndefined()
    expect(root.optionalDependencies).toEqual({ 'ortug-bundled-chromium': 'file:packages/bundled-chromium' })
    const guard = JSON.parse(await readFile(path.join(REPO, 'packages', 'bundled-chromium', 'package.json'), 'utf8'))
    expect(guard).toMatchObject({ os: ['linux'], cpu: ['x64'], dependencies: { '@sparticuz/chromium': expect.any(String) } })
    // npm ci follows the lockfile: the guard must be recorded there too, or other platforms download it anyway.
    const lock = JSON.parse(await readFile(path.join(REPO, 'package-lock.json'), 'utf8'))
    expect(lock.packages['packages/bundled-chromium']).toMatchObject({ os: ['linux'], cpu: ['x64'], optional: true })
    expect(lock.packages['node_modules/@sparticuz/chromium']).toMatchObject({ optional: true })
  })

  it('refuses an unknown ORTUG_BROWSER, a folder as --browser-path, and =installed when none is installed', async () => {
    const kind = await resolveBrowser(undefined, { ORTUG_BROWSER: 'chrome' }).catch((error: OrtugError) => error)
    expect(kind).toBeInstanceOf(OrtugError)
    expect((kind as OrtugError).kind).toBe('USAGE')
    expect((kind as OrtugError).message).toBe('ORTUG_BROWSER must be one of: installed, bundled; got "chrome". Unset it to let ortug choose.')
    const folder = await resolveBrowser(os.tmpdir(), {}).catch((error: OrtugError) => error)
    expect((folder as OrtugError).kind).toBe('ENVIRONMENT')
    expect((folder as OrtugError).message).toMatch(/^--browser-path: ".*" is not an executable browser\. Install Google Chrome/)
    const none = await resolveBrowser(undefined, { ORTUG_BROWSER: 'installed', PATH: path.join(os.tmpdir(), 'no-browsers-here') }).catch(
      (error: OrtugError) => error,
    )
    // On Linux (where the suite runs) only PATH and /snap/bin are searched; no machine here has a browser in /snap/bin.
    expect(none).toBeInstanceOf(OrtugError)
    expect((none as OrtugError).kind).toBe('ENVIRONMENT')
    expect((none as OrtugError).message).toMatch(/^ORTUG_BROWSER=installed, but no installed browser was found\. Install/)
  })

  it.skipIf(!hasBundledChromium())('ORTUG_BROWSER=bundled takes the npm-shipped headless shell even when a browser is installed', async () => {
    const choice = await resolveBrowser(undefined, { ...process.env, ORTUG_BROWSER: 'bundled', CHROME_PATH: '/usr/bin/chromium' })
    expect(choice.source).toBe('@sparticuz/chromium')
    expect(choice.headless).toBe('shell')
    expect(choice.reason).toBe('ORTUG_BROWSER=bundled')
  })
})

const inUse: BrowserChoice | undefined = await resolveBrowser().catch(() => undefined)

describe.skipIf(!inUse)(`builds with the browser in use (${inUse ? `${inUse.headless} mode, ${inUse.executablePath}` : 'none'})`, () => {
  const OFFICES = ['kota-bandung', 'kota-bogor', 'kota-depok', 'kota-cimahi', 'kabupaten-garut', 'kabupaten-subang']
  let dir: string
  beforeAll(async () => {
    dir = await makeProject({ offices: OFFICES })
  })
  afterAll(() => removeProject(dir))

  // The regression of the installed browser's new headless mode: screenshots of background tabs
  // were never answered and every office after them timed out.
  it('six offices, pdf and html, default --jobs and a short --timeout: exit 0, every PDF complete', async () => {
    await runExpecting(0, ['build', '--format', 'pdf,html', '--timeout', '20', '--out', 'six'], dir)
    for (const office of OFFICES) {
      expect((await readdir(path.join(dir, 'six', office))).sort()).toEqual(['ortug-kpu-jabar.html', 'ortug-kpu-jabar.pdf'])
      expect((await readPdf(path.join(dir, 'six', office, 'ortug-kpu-jabar.pdf'))).pages).toBeGreaterThan(10)
    }
  })

  it('every page format at --jobs 8: slide images, overview, thumbnails in the catalogue', async () => {
    const offices = OFFICES.slice(0, 3).join(',')
    await runExpecting(0, ['build', '--office', offices, '--format', 'pdf,handout,png,overview', '--jobs', '8', '--timeout', '30', '--out', 'all'], dir)
    const files = await readdir(path.join(dir, 'all', 'kota-bandung'))
    expect(files).toContain('ortug-kpu-jabar.001.png')
    expect(files).toContain('ortug-kpu-jabar-overview.png')
    expect(files).toContain('ortug-kpu-jabar-handout.pdf')
    const thumbs = await readdir(path.join(dir, 'all', '.ortug-cache', 'thumbs'))
    expect(thumbs.sort()).toEqual(
      OFFICES.slice(0, 3)
        .map((o) => `${o}--ortug-kpu-jabar.webp`)
        .sort(),
    )
  })

  // A deck whose office failed gives its tab up; the tab opened in its place landed in the capture
  // window (the window focused last) and hid the capture page, whose next screenshot then waited
  // for a frame until --timeout: ten offices with four bad ones took 60 s instead of 6.
  it('tabs opened after the capture window leave it visible: a capture that needs a frame gets one', async () => {
    const pages = openBrowserPages({ timeoutMs: 30_000 })
    try {
      const frame = (page: Page) =>
        page.evaluate(() =>
          Promise.race([
            new Promise<string>((done) => requestAnimationFrame(() => done(document.visibilityState))),
            new Promise<string>((done) => setTimeout(() => done(`no frame (${document.visibilityState})`), 3000)),
          ]),
        )
      expect(await pages.capture(frame)).toBe('visible')
      const tab = await pages.acquire('deck')
      await pages.release('deck', tab, false)
      const reopened = await pages.acquire('deck')
      expect(await pages.capture(frame)).toBe('visible')
      await pages.release('deck', reopened, true)
    } finally {
      await pages.close()
    }
  })

  // A deck given up on (--timeout) can hand its tab back after the browser was replaced; pooled, that
  // tab failed the next deck with "Attempted to use detached Frame", and the run as a broken browser.
  it('a tab of a replaced browser is never handed out again', async () => {
    const pages = openBrowserPages({ timeoutMs: 30_000 })
    try {
      const old = await pages.acquire('deck')
      await pages.restart()
      await pages.release('deck', old, true)
      const next = await pages.acquire('deck')
      expect(next).not.toBe(old)
      expect(await next.evaluate(() => 1 + 1)).toBe(2)
      await pages.release('deck', next, true)
    } finally {
      await pages.close()
    }
  })

  // An interrupted build kills its browser at once: a tab warm() was still opening then never
  // opened, and closing the pool waited for it until the 10 s grace ended the process, leaving
  // staging and the lock behind. A tab that never opens stands in for it (the tests' timeouts
  // fail a close that waits).
  for (const interrupted of [false, true]) {
    it(`closing the pool does not wait for a tab that never opens (${interrupted ? 'interrupted run' : 'normal end'})`, { timeout: 8000 }, async () => {
      const controller = new AbortController()
      const pages = openBrowserPages({ timeoutMs: 30_000, signal: controller.signal })
      const { browser } = await pages.get()
      browser.newPage = () => new Promise<never>(() => undefined)
      pages.warm({ deck: 1, handout: 0 })
      if (interrupted) controller.abort()
      await pages.close()
      expect(browser.process()?.exitCode ?? browser.process()?.signalCode).not.toBeNull()
    })
  }

  // A deck given up on can discard its tabs after their browser was replaced: such a tab cannot
  // close, and replacing the browser for it killed the one the next deck was printing in, which
  // then failed as "the browser failed again after it was restarted".
  it("discarding a replaced browser's tab leaves the browser in use running", async () => {
    const pages = openBrowserPages({ timeoutMs: 30_000 })
    try {
      const old = await pages.acquire('deck')
      await pages.restart()
      const next = await pages.acquire('deck')
      await pages.discard([old])
      expect(await next.evaluate(() => 1 + 1)).toBe(2)
      await pages.release('deck', next, true)
    } finally {
      await pages.close()
    }
  })

  it("--timeout counts an office's work, not the browser's start-up", async () => {
    const real = inUse as BrowserChoice
    // A browser that takes 5 s to start; the same kind, so the same mode.
    const slow = path.join(dir, real.headless === 'shell' ? 'slow-headless-shell' : 'slow-chrome')
    await writeFile(slow, `#!/bin/sh\nsleep 5\nexec "${real.executablePath}" "$@"\n`)
    await chmod(slow, 0o755)
    const result = await runCli(['build', '--office', 'kota-bandung', '--format', 'pdf', '--timeout', '4', '--browser-path', slow, '--out', 'slow'], dir)
    expect(result.code, result.stderr).toBe(0)
    expect((await readPdf(path.join(dir, 'slow', 'kota-bandung', 'ortug-kpu-jabar.pdf'))).pages).toBeGreaterThan(10)
  })

  // Each Chromium process maps the browser's code again (60–100 MB of RSS): the network service
  // runs in the browser process (NetworkServiceInProcess2), as the GPU thread does.
  it.skipIf(process.platform !== 'linux')('runs the network service inside the browser process, and pages still load', async () => {
    const launched = await launchBrowser(inUse as BrowserChoice, 60_000)
    try {
      const page = await launched.browser.newPage()
      await page.goto('data:text/html,<title>ortug</title><p>halo</p>')
      expect(await page.evaluate(() => `${document.title} ${document.querySelector('p')?.textContent}`)).toBe('ortug halo')
      const group = launched.browser.process()?.pid as number
      const services = await processesInGroup(group)
      expect(services.length).toBeGreaterThan(1)
      expect(services.filter((line) => line.includes('network.mojom.NetworkService'))).toEqual([])
    } finally {
      await launched.close()
    }
  })

  // Chromium 15x's new headless mode loads each window's omnibox popups (WebUI pages in a
  // renderer of their own) as it opens the window: 1.2–2.4 CPU-s at the start of every build.
  it('opens no browser UI pages (the omnibox popups of a window) beside the pages it loads', async () => {
    const launched = await launchBrowser(inUse as BrowserChoice, 60_000)
    try {
      const window = await launched.browser.newPage(inUse?.headless === 'new' ? { type: 'window' } : undefined)
      await window.goto('data:text/html,<p>halo</p>')
      const urls = launched.browser.targets().map((target) => target.url())
      expect(urls).toContain('data:text/html,<p>halo</p>')
      expect(urls.filter((url) => url.startsWith('chrome://'))).toEqual([])
    } finally {
      await launched.close()
    }
  })

  // Chrome starts its on-device-model service about three minutes in, to rate the device for AI
  // features: 90 MB more in a 552-office build or a long preview. With the rating given it does
  // not, and records the given one in the profile at once (unrated, Local State has none before
  // that service has run). A headless shell has no such service and keeps no Local State.
  it('gives a full Chrome its device rating, so that it starts no process to measure one', async () => {
    const choice = inUse as BrowserChoice
    const profile = await mkdtemp(path.join(os.tmpdir(), 'ortug-rating-'))
    try {
      const browser = await startBrowser(choice, profile, 60_000)
      try {
        await (await browser.newPage()).goto('data:text/html,<p>halo</p>')
      } finally {
        // Closed, not killed: Chrome writes Local State as it exits.
        await browser.close()
      }
      const localState = await readFile(path.join(profile, 'Local State'), 'utf8').then(JSON.parse, () => undefined)
      expect(localState?.optimization_guide?.on_device?.performance_class).toBe(choice.headless === 'new' ? 7 : undefined)
    } finally {
      await rm(profile, { recursive: true, force: true })
    }
  })

  // Under load (a CI machine running two browser suites), Chromium now and then exited while
  // starting ("Target closed") and started the next time.
  it.each([
    { exits: 1, starts: true },
    { exits: 2, starts: false },
  ])('a browser that exits $exits time(s) while starting: started again once, then reported with the count', async ({ exits, starts }) => {
    const real = inUse as BrowserChoice
    const count = path.join(dir, `starts-${exits}`)
    const flaky = path.join(dir, real.headless === 'shell' ? `flaky-${exits}-headless-shell` : `flaky-${exits}-chrome`)
    await writeFile(
      flaky,
      `#!/bin/sh\nn=$(cat "${count}" 2>/dev/null || echo 0)\necho $((n + 1)) > "${count}"\n[ "$n" -lt ${exits} ] && { echo crashed >&2; exit 1; }\nexec "${real.executablePath}" "$@"\n`,
    )
    await chmod(flaky, 0o755)
    const launching = launchBrowser({ ...real, executablePath: flaky }, 60_000)
    if (starts) {
      const launched = await launching
      try {
        expect(launched.version).toMatch(/\/\d+\./)
      } finally {
        await launched.close()
      }
    } else {
      await expect(launching).rejects.toThrow(/failed to start \(started 2 times\): /)
    }
    expect((await readFile(count, 'utf8')).trim()).toBe('2')
  })
})

/** The command lines of the processes in a process group (Linux): puppeteer starts Chromium as the leader of its own. */
async function processesInGroup(group: number): Promise<string[]> {
  const lines: string[] = []
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
    // Fields after the command name (in parentheses): state, ppid, pgrp.
    const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])
    if (pgrp === group) lines.push((await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' '))
  }
  return lines
}
