import { constants } from 'node:fs'
import { access, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Browser } from 'puppeteer-core'
import { fail } from './error.ts'

export interface BrowserChoice {
  executablePath: string
  /** Where it was found, for messages: "--browser-path", "CHROME_PATH", "system", "@sparticuz/chromium". */
  source: string
  /** The npm-shipped Chromium is a headless shell and needs the old headless mode. */
  headless: true | 'shell'
}

const LAUNCH_TIMEOUT_MS = 60_000

const INSTALL_HINT =
  'Install Google Chrome, Chromium or Microsoft Edge, or set CHROME_PATH (or --browser-path) to a Chromium-based browser; on Linux, `npm install` also brings @sparticuz/chromium, which ortug uses when no browser is found.'

/** Order of DESIGN.md: --browser-path or CHROME_PATH, then the user's browsers, then the npm-shipped Chromium. */
export async function resolveBrowser(explicitPath?: string, env: NodeJS.ProcessEnv = process.env): Promise<BrowserChoice> {
  const chosen = explicitPath
    ? { path: explicitPath, source: '--browser-path' }
    : env.CHROME_PATH
      ? { path: env.CHROME_PATH, source: 'CHROME_PATH' }
      : undefined
  if (chosen) {
    if (!(await isExecutable(chosen.path))) fail('ENVIRONMENT', `${chosen.source}: "${chosen.path}" is not an executable browser. ${INSTALL_HINT}`)
    return { executablePath: chosen.path, source: chosen.source, headless: true }
  }
  for (const candidate of systemBrowserPaths(env)) {
    if (await isExecutable(candidate)) return { executablePath: candidate, source: 'system', headless: true }
  }
  if (process.platform === 'linux' && env.ORTUG_NO_BUNDLED_CHROMIUM !== '1') {
    try {
      const { default: chromium } = await import('@sparticuz/chromium')
      return { executablePath: await chromium.executablePath(), source: '@sparticuz/chromium', headless: 'shell' }
    } catch (cause) {
      fail('ENVIRONMENT', `no browser found, and the npm-shipped Chromium could not be unpacked (${(cause as Error).message}). ${INSTALL_HINT}`, { cause })
    }
  }
  fail('ENVIRONMENT', `no browser found. ${INSTALL_HINT}`)
}

function systemBrowserPaths(env: NodeJS.ProcessEnv): string[] {
  if (process.platform === 'win32') {
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter(Boolean) as string[]
    return roots.flatMap((root) => [
      path.join(root, 'Google', 'Chrome', 'Application', 'chrome.exe'),
      path.join(root, 'Microsoft', 'Edge', 'Application', 'msedge.exe'),
      path.join(root, 'Chromium', 'Application', 'chrome.exe'),
    ])
  }
  if (process.platform === 'darwin') {
    return ['Google Chrome', 'Chromium', 'Microsoft Edge'].map((name) => `/Applications/${name}.app/Contents/MacOS/${name}`)
  }
  const names = ['google-chrome-stable', 'google-chrome', 'chromium', 'chromium-browser', 'microsoft-edge-stable', 'microsoft-edge']
  const dirs = (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(path.delimiter).concat('/snap/bin')
  return dirs.flatMap((dir) => names.map((name) => path.join(dir, name)))
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  )
}

export interface LaunchedBrowser {
  browser: Browser
  choice: BrowserChoice
  close(): Promise<void>
  /** Ends the browser process at once (interrupts). */
  kill(): void
}

/** Launches one browser for a whole build, with a throwaway profile and no background network. */
export async function launchBrowser(choice: BrowserChoice, timeoutMs: number): Promise<LaunchedBrowser> {
  const { default: puppeteer } = await import('puppeteer-core')
  const profile = await mkdtemp(path.join(os.tmpdir(), 'ortug-profile-'))
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
    // Two renderer processes serve all pages: as many as this machine has cores, and far less memory than one per page.
    '--renderer-process-limit=2',
    // A page's earlier documents stay in its renderer until V8 collects garbage, which with the
    // default limit (gigabytes) it seldom does; a deck page's scripts need a few MB.
    '--js-flags=--max-old-space-size=128',
  ]
  if (process.platform === 'linux') {
    // Fewer processes, less memory (each maps Chromium's 80 MB of code again): the GPU thread
    // runs in the browser process (there is no GPU anyway).
    args.push('--in-process-gpu')
    // Chromium refuses to run as root with its sandbox (CI containers); without the sandbox
    // it needs no zygote processes either.
    if (process.getuid?.() === 0 || choice.headless === 'shell') args.push('--no-sandbox', '--no-zygote')
  }
  let browser: Browser
  try {
    browser = await puppeteer.launch({
      executablePath: choice.executablePath,
      headless: choice.headless,
      args,
      // Starting Chromium cold (unpacking the npm-shipped one) can take longer than a page step.
      timeout: Math.max(timeoutMs, LAUNCH_TIMEOUT_MS),
      protocolTimeout: Math.max(timeoutMs, LAUNCH_TIMEOUT_MS),
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      pipe: true,
    })
  } catch (cause) {
    await rm(profile, { recursive: true, force: true })
    fail(
      'ENVIRONMENT',
      `the browser at ${choice.executablePath} (${choice.source}) failed to start: ${(cause as Error).message.split('\n')[0]}. ${INSTALL_HINT}`,
      { cause },
    )
  }
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
  return {
    browser,
    choice,
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
