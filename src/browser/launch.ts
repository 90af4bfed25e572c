import { constants } from 'node:fs'
import { access, mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Browser } from 'puppeteer-core'
import { fail } from '../shared/error.ts'
import { launchLimitMs } from '../shared/limits.ts'
import { isProcessRunning } from '../shared/process.ts'
import type { BrowserChoice, HeadlessMode } from '../shared/types.ts'

/** Forces one kind of browser (CI runs the browser suites once with each): "installed" or "bundled". */
export const BROWSER_KIND_ENV = 'ORTUG_BROWSER'
const BROWSER_KINDS = ['installed', 'bundled'] as const

function isBrowserKind(kind: string): kind is (typeof BROWSER_KINDS)[number] {
  return BROWSER_KINDS.some((known) => known === kind)
}

/** A thrown value's message, for an error that names its cause. */
function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause)
}

export const INSTALL_HINT =
  'Install Google Chrome, Chromium or Microsoft Edge, or set CHROME_PATH (or --browser-path) to a Chromium-based browser; on Linux x64, `npm install` also brings @sparticuz/chromium, which ortug uses when no browser is found.'

/** The npm-shipped Chromium exists for Linux on x64 only (see package.json's optionalDependencies). */
export function hasBundledChromium(platform: NodeJS.Platform = process.platform, arch: string = process.arch): boolean {
  return platform === 'linux' && arch === 'x64'
}

/** A headless shell's file name says so (chrome-headless-shell, chromium-headless-shell, headless_shell). */
export function headlessModeOf(executablePath: string): HeadlessMode {
  return /headless[-_]shell/i.test(path.basename(executablePath)) ? 'shell' : 'new'
}

/**
 * The order README "Two kinds of browser" gives: --browser-path or CHROME_PATH, then the user's Chrome, Chromium or Edge,
 * then the npm-shipped Chromium. ORTUG_BROWSER=installed or =bundled forces one kind.
 */
export async function resolveBrowser(explicitPath?: string, env: NodeJS.ProcessEnv = process.env): Promise<BrowserChoice> {
  const kind = env[BROWSER_KIND_ENV] || undefined
  if (kind !== undefined && !isBrowserKind(kind)) {
    fail('USAGE', `${BROWSER_KIND_ENV} must be one of: ${BROWSER_KINDS.join(', ')}; got "${kind}". Unset it to let ortug choose.`)
  }
  const chosen = explicitPath
    ? { path: explicitPath, source: '--browser-path' }
    : env.CHROME_PATH && kind !== 'bundled'
      ? { path: env.CHROME_PATH, source: 'CHROME_PATH' }
      : undefined
  if (chosen) {
    if (!(await isExecutableFile(chosen.path))) fail('ENVIRONMENT', `${chosen.source}: "${chosen.path}" is not an executable browser. ${INSTALL_HINT}`)
    return { executablePath: chosen.path, source: chosen.source, headless: headlessModeOf(chosen.path), reason: `given by ${chosen.source}` }
  }
  if (kind !== 'bundled') {
    for (const candidate of installedBrowserPaths(process.platform, env)) {
      if (await isExecutableFile(candidate)) {
        const reason = kind === 'installed' ? `${BROWSER_KIND_ENV}=installed; first installed browser found` : 'the first installed browser found'
        return { executablePath: candidate, source: 'installed', headless: headlessModeOf(candidate), reason }
      }
    }
    if (kind === 'installed') fail('ENVIRONMENT', `${BROWSER_KIND_ENV}=installed, but no installed browser was found. ${INSTALL_HINT}`)
  }
  if (hasBundledChromium() && env.ORTUG_NO_BUNDLED_CHROMIUM !== '1') {
    try {
      const { default: chromium } = await import('@sparticuz/chromium')
      const reason = kind === 'bundled' ? `${BROWSER_KIND_ENV}=bundled` : 'no installed Chrome, Chromium or Edge was found'
      return { executablePath: await chromium.executablePath(), source: '@sparticuz/chromium', headless: 'shell', reason }
    } catch (cause) {
      fail('ENVIRONMENT', `no browser found, and the npm-shipped Chromium could not be unpacked (${messageOf(cause)}). ${INSTALL_HINT}`, { cause })
    }
  }
  fail('ENVIRONMENT', `no browser found. ${INSTALL_HINT}`)
}

/** Where Chrome, Edge and Chromium install themselves, most likely first. Pure, for tests of every platform. */
export function installedBrowserPaths(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
  if (platform === 'win32') {
    const join = path.win32.join
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter((root): root is string => Boolean(root))
    return roots.flatMap((root) => [
      join(root, 'Google', 'Chrome', 'Application', 'chrome.exe'),
      join(root, 'Microsoft', 'Edge', 'Application', 'msedge.exe'),
      join(root, 'Chromium', 'Application', 'chrome.exe'),
    ])
  }
  if (platform === 'darwin') {
    const apps = ['Google Chrome', 'Microsoft Edge', 'Chromium'].map((name) => `/Applications/${name}.app/Contents/MacOS/${name}`)
    const home = env.HOME
    return home ? [...apps, ...apps.map((app) => path.posix.join(home, app))] : apps
  }
  const names = ['google-chrome-stable', 'google-chrome', 'chromium', 'chromium-browser', 'microsoft-edge-stable', 'microsoft-edge']
  const dirs = (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':').filter(Boolean).concat('/snap/bin')
  return dirs.flatMap((dir) => names.map((name) => path.posix.join(dir, name)))
}

/** An executable regular file: a folder has the x bit too, and would fail only at launch. */
async function isExecutableFile(file: string): Promise<boolean> {
  try {
    await access(file, process.platform === 'win32' ? constants.F_OK : constants.X_OK)
    return (await stat(file)).isFile()
  } catch {
    return false
  }
}

export interface LaunchedBrowser {
  browser: Browser
  choice: BrowserChoice
  /** "Chrome/156.0.8078.108" as the browser reports it. */
  version: string
  close(): Promise<void>
  /** Ends the browser process at once (interrupts, a stuck page). */
  kill(): void
}

/** "Chrome/156.0.8078.108 (new headless) at /usr/bin/chromium (installed)": what messages and doctor say. */
export function describeBrowser(choice: BrowserChoice, version?: string): string {
  return `${version ?? 'browser'} (${choice.headless === 'new' ? 'new headless' : 'headless shell'}) at ${choice.executablePath} (${choice.source})`
}

/** Chromium's command line for a build, apart from the headless mode (puppeteer adds it). */
export function launchArgs(
  choice: Pick<BrowserChoice, 'headless'>,
  profile: string,
  platform: NodeJS.Platform = process.platform,
  root = process.getuid?.() === 0,
): string[] {
  const args = [
    `--user-data-dir=${profile}`,
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-default-apps',
    '--disable-sync',
    '--disable-extensions',
    '--no-first-run',
    '--no-default-browser-check',
    '--font-render-hinting=none',
    '--mute-audio',
    // The network service (every page load goes through it) in the browser process rather than a
    // process of its own: one process fewer, about 100 MB less summed RSS ("Measured").
    '--enable-features=NetworkServiceInProcess2',
    // Chromium 15x's new headless mode gives each window an omnibox whose popups are WebUI pages
    // (chrome://omnibox-popup.top-chrome/), loaded ahead in a renderer of their own: 1.2 CPU-s
    // for the first window, 2.4 with the capture window, while a build is starting. Chromium
    // ignores feature names it does not know, so older and other browsers take this too.
    '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup',
    // Two renderer processes serve all pages: as many as this machine has cores, and far less memory than one per page.
    '--renderer-process-limit=2',
    // A page's earlier documents stay in its renderer until V8 collects garbage, which with the
    // default limit (gigabytes) it seldom does; a deck page's scripts need a few MB.
    '--js-flags=--max-old-space-size=128',
    // Chrome rates the device for its on-device AI about three minutes after starting, in a
    // process of its own (on_device_model, 90 MB) that a long build or a preview then carries.
    // Given the rating, it starts none: 7 ("GPU blocked") is what it finds with the GPU disabled.
    '--optimization-guide-performance-class=7',
  ]
  if (platform === 'linux') {
    // Fewer processes, less memory (each maps Chromium's 80 MB of code again): the GPU thread
    // runs in the browser process (there is no GPU anyway).
    args.push('--in-process-gpu')
    // Chromium refuses to run as root with its sandbox (CI containers). A headless shell needs no
    // zygote; a full Chrome starts a print-compositor process for every PDF, which without the
    // zygote is a fresh exec of the whole browser (`npm run bench:print` measures both).
    if (root || choice.headless === 'shell') args.push('--no-sandbox', ...(choice.headless === 'shell' ? ['--no-zygote'] : []))
  }
  return args
}

/** A build's browser profile: `ortug-profile-<pid>-XXXXXX` in the temp folder, removed when the browser closes. */
export const PROFILE_PREFIX = 'ortug-profile-'
const RE_PROFILE = /^ortug-profile-(\d+)-[A-Za-z0-9]{6}$/

/**
 * Removes the profiles of builds that were killed (SIGKILL, a power cut) before they could remove
 * their own: those whose process no longer runs. Chromium writes some MB into each.
 */
export async function removeStaleProfiles(dir = os.tmpdir(), isRunning: (pid: number) => boolean = isProcessRunning): Promise<string[]> {
  const stale = (await readdir(dir).catch(() => [])).filter((name) => {
    const pid = Number(RE_PROFILE.exec(name)?.[1])
    return pid > 0 && pid !== process.pid && !isRunning(pid)
  })
  // A killed build's browser may still be writing into its profile for a moment: rm retries.
  await Promise.all(stale.map((name) => rm(path.join(dir, name), { recursive: true, force: true, maxRetries: 5 }).catch(() => undefined)))
  return stale
}

/** How many times a browser that dies while starting is started: a loaded machine's Chromium sometimes exits at once and starts the next time. */
const START_TRIES = 2

/** Launches one browser for a whole build, with a throwaway profile and no background network. */
export async function launchBrowser(choice: BrowserChoice, timeoutMs: number): Promise<LaunchedBrowser> {
  await removeStaleProfiles()
  for (let tries = 1; ; tries += 1) {
    const profile = await mkdtemp(path.join(os.tmpdir(), `${PROFILE_PREFIX}${process.pid}-`))
    try {
      return await toLaunchedBrowser(await startBrowser(choice, profile, timeoutMs), choice, profile)
    } catch (cause) {
      await rm(profile, { recursive: true, force: true })
      // A start that timed out has already waited its whole limit: it is not waited for twice.
      const timedOut = cause instanceof Error && cause.name === 'TimeoutError'
      if (tries < START_TRIES && !timedOut) continue
      const times = tries > 1 ? ` (started ${tries} times)` : ''
      fail(
        'ENVIRONMENT',
        `the browser at ${choice.executablePath} (${choice.source}) failed to start${times}: ${messageOf(cause).split('\n')[0]}. ${INSTALL_HINT}`,
        {
          cause,
        },
      )
    }
  }
}

/** Chromium with ortug's command line, in `profile`, which the caller owns (launchBrowser makes and removes it). */
export async function startBrowser(choice: BrowserChoice, profile: string, timeoutMs: number): Promise<Browser> {
  const { default: puppeteer } = await import('puppeteer-core')
  return puppeteer.launch({
    executablePath: choice.executablePath,
    headless: choice.headless === 'shell' ? 'shell' : true,
    args: launchArgs(choice, profile),
    // Starting Chromium cold (unpacking the npm-shipped one) can take longer than a page step.
    timeout: launchLimitMs(timeoutMs),
    protocolTimeout: launchLimitMs(timeoutMs),
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    pipe: true,
  })
}

/** The started browser with its version, and the means to close it (or kill it) and remove its profile. */
async function toLaunchedBrowser(browser: Browser, choice: BrowserChoice, profile: string): Promise<LaunchedBrowser> {
  // puppeteer starts Chromium detached (its own process group) on Linux and macOS: killing the
  // group also ends renderers and helpers that would otherwise outlive the browser for a moment.
  const kill = () => {
    const child = browser.process()
    if (!child?.pid || child.exitCode !== null) return
    try {
      if (process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL')
      else child.kill('SIGKILL')
    } catch {
      child.kill('SIGKILL')
    }
  }
  const version = await browser.version().catch(() => 'unknown version')
  return {
    browser,
    choice,
    version,
    kill,
    async close() {
      try {
        // A browser that does not close within 5 s is killed below.
        let timer: NodeJS.Timeout | undefined
        await Promise.race([browser.close(), new Promise((resolve) => (timer = setTimeout(resolve, 5000)))])
        clearTimeout(timer)
      } finally {
        kill()
        await rm(profile, { recursive: true, force: true })
      }
    },
  }
}
