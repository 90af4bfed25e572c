import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { headlessModeOf, launchArgs, resolveBrowser } from '../src/browser/launch.ts'
import type { BrowserChoice } from '../src/shared/types.ts'

// `npm run bench:print`: what printing one PDF costs each kind of browser, on a one-line page so
// that only the fixed cost of a print job remains. The installed browser (new headless) runs once
// as ortug launches it (with its zygote) and once without the zygote. CPU is the whole machine's
// (/proc/stat, Linux), so run it on an otherwise idle machine.

const PRINTS = 40
const USAGE = 'usage: npm run bench:print -- [--extra-browser <path>]...\n'

interface Variant {
  label: string
  choice: BrowserChoice
  args: string[]
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'extra-browser': { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } } })
  if (values.help) {
    process.stdout.write(USAGE)
    return 0
  }
  const variants: Variant[] = []
  for (const kind of ['installed', 'bundled'] as const) {
    const choice = await resolveBrowser(undefined, { ...process.env, ORTUG_BROWSER: kind }).catch(() => undefined)
    if (!choice) continue
    variants.push({ label: `${kind} (${choice.headless === 'new' ? 'new headless' : 'headless shell'}), as ortug launches it`, choice, args: [] })
    if (choice.headless === 'new') variants.push({ label: `${kind} (new headless), without the zygote`, choice, args: ['--no-zygote', '--no-sandbox'] })
  }
  for (const executable of values['extra-browser'] ?? []) {
    const choice: BrowserChoice = { executablePath: executable, source: '--extra-browser', headless: headlessModeOf(executable), reason: 'given' }
    variants.push({ label: `${path.basename(executable)} (${choice.headless === 'new' ? 'new headless' : 'headless shell'})`, choice, args: [] })
  }
  for (const variant of variants) {
    const { wallMs, cpuMs } = await measure(variant)
    process.stdout.write(`${variant.label}: ${wallMs.toFixed(1)} ms a PDF, ${cpuMs.toFixed(1)} ms of machine CPU a PDF (${PRINTS} prints)\n`)
  }
  return 0
}

async function measure({ choice, args }: Variant): Promise<{ wallMs: number; cpuMs: number }> {
  const { default: puppeteer } = await import('puppeteer-core')
  const profile = await mkdtemp(path.join(os.tmpdir(), 'ortug-bench-print-'))
  const browser = await puppeteer.launch({
    executablePath: choice.executablePath,
    headless: choice.headless === 'shell' ? 'shell' : true,
    args: [...new Set([...launchArgs(choice, profile), ...args])],
    pipe: true,
  })
  try {
    const page = await browser.newPage()
    await page.setContent('<p>Satu baris.</p>')
    await page.pdf()
    const cpuBefore = machineCpuMs()
    const started = performance.now()
    for (let i = 0; i < PRINTS; i++) await page.pdf()
    return { wallMs: (performance.now() - started) / PRINTS, cpuMs: (machineCpuMs() - cpuBefore) / PRINTS }
  } finally {
    await browser.close()
    await rm(profile, { recursive: true, force: true })
  }
}

/** user + nice + system time of every core, in ms (clock ticks are 10 ms on Linux). */
function machineCpuMs(): number {
  const [user = 0, nice = 0, system = 0] = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.split(/\s+/).slice(1, 4).map(Number) ?? []
  return (user + nice + system) * 10
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`[bench:print] FAILED: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  },
)
