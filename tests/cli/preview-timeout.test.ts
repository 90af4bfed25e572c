import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run } from '../../src/cli.ts'
import { makeProject, removeProject, runCli } from '../helpers.ts'

// `ortug preview --timeout`: parsed as build's is, and it bounds each deck's work in the preview's
// builds (the preview converts with marp-cli, no browser: a CLI test).

let dir: string
beforeAll(async () => {
  dir = await makeProject({ from: 'customized' })
})
afterAll(() => removeProject(dir))

/** Runs `ortug preview` until it prints its URL, fetches `/`, then stops it as Ctrl+C does. */
async function previewOnce(args: string[]): Promise<{ code: number; stderr: string; status: number; body: string }> {
  const controller = new AbortController()
  let stderr = ''
  const done = run(['preview', '--office', 'kota-contoh', '--port', '0', ...args], {
    cwd: dir,
    signal: controller.signal,
    stdout: { write: () => true },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: false },
  })
  let ended = false
  void done.finally(() => (ended = true))
  const deadline = Date.now() + 60_000
  const servedAt = () => /http:\/\/127\.0\.0\.1:\d+\//.exec(stderr)?.[0]
  for (;;) {
    if (servedAt() !== undefined || ended || Date.now() > deadline) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const url = servedAt()
  if (url === undefined) throw new Error(`the preview did not serve: ${stderr}`)
  const response = await fetch(url)
  const body = await response.text()
  controller.abort()
  return { code: await done, stderr, status: response.status, body }
}

describe('ortug preview --timeout', () => {
  it('bounds each deck of the build: too short a limit shows the deck as timed out, on the page and in the terminal', async () => {
    const result = await previewOnce(['--timeout', '0.001'])
    expect(result.code).toBe(0)
    expect(result.status).toBe(500)
    expect(result.stderr).toContain('did not finish within 0.001 s (--timeout)')
    expect(result.body).toContain('0.001 s (--timeout)')
  })

  it("is refused like build's when it is not a number of seconds (exit 2)", async () => {
    const bad = await runCli(['preview', '--office', 'kota-contoh', '--port', '0', '--timeout', 'soon'], dir)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--timeout must be a number of seconds above 0')
  })

  it('says what it bounds in the help', async () => {
    const help = await runCli(['preview', '--help'], dir)
    expect(help.stdout).toMatch(/--timeout <s>\s+seconds each deck's work may take in every rebuild .*\(default: 120\)/)
  })
})
