import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { runCommand } from './process.ts'
import type { RunRecord } from './report.ts'

// `node bin/ortug.mjs ...` as a child process, and checks of what it wrote.

export const REPO = path.resolve(import.meta.dirname, '..')
const CLI = path.join(REPO, 'bin', 'ortug.mjs')

export interface BuildCapabilities {
  usage: string
  /** `build --force` exists (rebuild everything, ignoring any cache). */
  force: boolean
  /** `handout` is one of the formats in the usage line. */
  handout: boolean
}

export async function buildCapabilities(): Promise<BuildCapabilities> {
  const { stdout } = await runCommand({ label: 'ortug build --help', file: process.execPath, args: [CLI, 'build', '--help'], cwd: REPO })
  return { usage: stdout.trim(), force: /--force\b/.test(stdout), handout: /\bhandout\b/.test(stdout) }
}

/** The command line as a user would type it, for the report. */
export function describe(args: readonly string[]): string {
  return ['node bin/ortug.mjs', ...args].join(' ')
}

/** Runs `ortug <args> --json` in `cwd` (with `env`, e.g. ORTUG_BROWSER, when given); fails if ortug does. */
export async function ortug(label: string, cwd: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<RunRecord> {
  const result = await runCommand({ label, file: process.execPath, args: [CLI, ...args, '--json'], cwd, env })
  return {
    seconds: result.seconds,
    peakTreeRssBytes: result.peakTreeRssBytes,
    peakTreePssBytes: result.peakTreePssBytes,
    peakProcesses: result.peakProcesses,
    commands: 1,
    ortugSeconds: reportedSeconds(result.stdout),
    cpu: result.cpu,
  }
}

function reportedSeconds(stdout: string): number | undefined {
  try {
    const last = stdout.trim().split('\n').at(-1) ?? ''
    const seconds = (JSON.parse(last) as { seconds?: unknown }).seconds
    return typeof seconds === 'number' ? seconds : undefined
  } catch {
    return undefined
  }
}

/**
 * Checks that every office got non-empty outputs, the same kinds for all; returns those kinds
 * (file name endings after the essay slug, e.g. ".md", ".pdf", "-handout.pdf").
 */
export async function verifyBuild(outDir: string, offices: readonly string[], slugs: readonly string[]): Promise<string[]> {
  let kinds: string[] | undefined
  for (const office of offices) {
    const found = await officeOutputs(path.join(outDir, office), slugs)
    if (found.length === 0) throw new Error(`ortug wrote no outputs for ${office} in ${outDir}`)
    if (kinds && found.join(' ') !== kinds.join(' ')) throw new Error(`${office} has outputs ${found.join(' ')}, other offices ${kinds.join(' ')}`)
    kinds = found
  }
  return kinds ?? []
}

/** What a build folder's manifest.json says: the shard's offices (for `--shard` builds) and the number of outputs. */
export async function readManifest(outDir: string): Promise<{ shardOffices?: string[]; outputs: number }> {
  const file = path.join(outDir, 'manifest.json')
  const manifest = JSON.parse(await readFile(file, 'utf8')) as { shard?: { offices?: string[] }; outputs?: unknown[] }
  if (!Array.isArray(manifest.outputs)) throw new Error(`${file} has no outputs list`)
  return { shardOffices: manifest.shard?.offices, outputs: manifest.outputs.length }
}

async function officeOutputs(dir: string, slugs: readonly string[]): Promise<string[]> {
  const files = await readdir(dir).catch(() => [] as string[])
  const kinds = new Set<string>()
  for (const file of files) {
    const slug = slugs.find((s) => file.startsWith(s))
    if (!slug) continue
    if ((await stat(path.join(dir, file))).size === 0) throw new Error(`${path.join(dir, file)} is empty`)
    kinds.add(file.slice(slug.length))
  }
  return [...kinds].sort()
}
