import { BROWSER_KIND_ENV, launchBrowser, resolveBrowser } from '../src/browser/launch.ts'
import type { BrowserChoice } from '../src/shared/types.ts'

// The browsers the benchmark compares: each kind ortug can force with ORTUG_BROWSER (the user's
// installed Chrome/Chromium in new headless mode, the npm-shipped headless shell), and any
// executable given with --extra-browser (e.g. Debian's own chromium-headless-shell, to tell
// "Debian's build of Chromium" apart from "new headless mode").

export const BROWSER_KINDS = ['installed', 'bundled'] as const
export type BrowserKind = (typeof BROWSER_KINDS)[number]

export interface BenchBrowser {
  /** Scenario key suffix: "installed", "bundled", "extra" (then "extra-2", ...). */
  name: string
  choice: BrowserChoice
  /** "Chrome/156.0.8078.108" as the browser reports it. */
  version: string
  /** How `ortug build` is told to use it: the child's environment, or extra arguments. */
  env: NodeJS.ProcessEnv
  args: string[]
  /** The same, as a user would type it before and after `node bin/ortug.mjs build`. */
  envPrefix: string
}

/** Checks --kinds: a comma-separated subset of BROWSER_KINDS. */
export function parseKinds(value: string): BrowserKind[] {
  const kinds = value.split(',').filter(Boolean)
  for (const kind of kinds) {
    if (!(BROWSER_KINDS as readonly string[]).includes(kind)) throw new Error(`--kinds takes ${BROWSER_KINDS.join(', ')}; got "${kind}"`)
  }
  if (kinds.length === 0) throw new Error(`--kinds needs at least one of ${BROWSER_KINDS.join(', ')}`)
  return [...new Set(kinds)] as BrowserKind[]
}

/**
 * Resolves each kind as ortug would with ORTUG_BROWSER=<kind>. A kind asked for with --kinds must
 * resolve; by default a kind that does not (no installed browser, no bundled one on this
 * platform) is left out with a note.
 */
export async function resolveKinds(kinds: readonly BrowserKind[], required: boolean, log: (message: string) => void): Promise<BenchBrowser[]> {
  const browsers: BenchBrowser[] = []
  for (const kind of kinds) {
    const env = { ...process.env, [BROWSER_KIND_ENV]: kind }
    let choice: BrowserChoice
    try {
      choice = await resolveBrowser(undefined, env)
    } catch (error) {
      if (required) throw error
      log(`no ${kind} browser, leaving it out: ${(error as Error).message}`)
      continue
    }
    browsers.push({ name: kind, choice, version: await readVersion(choice), env, args: [], envPrefix: `${BROWSER_KIND_ENV}=${kind} ` })
  }
  if (browsers.length === 0) throw new Error(`none of the browser kinds ${kinds.join(', ')} is available; see \`node bin/ortug.mjs doctor\``)
  return browsers
}

/** A browser given by path, run by ortug with --browser-path; its headless mode follows from its file name. */
export async function resolveExtra(paths: readonly string[]): Promise<BenchBrowser[]> {
  const browsers: BenchBrowser[] = []
  for (const [i, executable] of paths.entries()) {
    const choice = await resolveBrowser(executable, process.env)
    browsers.push({
      name: i === 0 ? 'extra' : `extra-${i + 1}`,
      choice,
      version: await readVersion(choice),
      env: process.env,
      args: ['--browser-path', executable],
      envPrefix: '',
    })
  }
  return browsers
}

/** The version the browser reports when launched the way ortug launches it. */
async function readVersion(choice: BrowserChoice): Promise<string> {
  const launched = await launchBrowser(choice, 60_000)
  try {
    return launched.version
  } finally {
    await launched.close()
  }
}

/** "new headless" or "headless shell", for labels. */
export function modeLabel(choice: BrowserChoice): string {
  return choice.headless === 'new' ? 'new headless' : 'headless shell'
}
