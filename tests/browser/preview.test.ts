import { execFileSync } from 'node:child_process'
import { appendFile, cp, readFile, rename, writeFile } from 'node:fs/promises'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import type { Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LaunchedBrowser, launchBrowser, resolveBrowser } from '../../src/browser/launch.ts'
import { run } from '../../src/cli.ts'
import { makeProject, REPO, removeProject, runCli } from '../helpers.ts'

// `ortug preview` in-process: the real server, watchers and browser. Edits on disk must reach the
// open page by themselves (the test never reloads it), and errors must show on the page.

const OFFICE_FILE = path.join('content', 'offices', 'kota-contoh.yaml')
interface RunningPreview {
  url: string
  stderr(): string
  /** Aborts the run, as Ctrl+C does, and returns its exit code. */
  stop(): Promise<number>
}

async function startPreview(cwd: string, args: string[] = []): Promise<RunningPreview> {
  const controller = new AbortController()
  let stderr = ''
  const done = run(['preview', '--office', 'kota-contoh', '--port', '0', ...args], {
    cwd,
    signal: controller.signal,
    stdout: { write: () => true },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: false },
  })
  let ended = false
  void done.finally(() => (ended = true))
  const url = await waitFor(
    async () => {
      if (ended) throw new Error(`the preview ended before it served: ${stderr}`)
      return /http:\/\/127\.0\.0\.1:\d+\//.exec(stderr)?.[0]
    },
    'the URL on stderr',
    30_000,
  )
  return {
    url,
    stderr: () => stderr,
    stop() {
      controller.abort()
      return done
    },
  }
}

/**
 * Polls `probe` until it returns a value. The deadline only ends a wait that has failed: a rebuild
 * takes about a second, but a CI machine running two browser suites at once can take many.
 */
async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']), body }))
    })
      .on('error', reject)
      .end()
  })
}

/** The first message of the event stream, then the connection is dropped. */
function firstEvent(url: string): Promise<{ type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (response) => {
      response.setEncoding('utf8')
      response.once('data', (text: string) => {
        resolve({ type: String(response.headers['content-type']), text })
        req.destroy()
      })
    })
    req.on('error', reject).end()
  })
}

/** As many editors save: a temp file renamed over the original (a watcher on the old file hears nothing more). */
async function saveAtomically(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text)
  await rename(`${file}.tmp`, file)
}

/** `sed -i`: a temp file with a random name renamed over the original, which Node 20's recursive watch on Linux misses from the second time on. */
function sedInPlace(file: string, expression: string): void {
  execFileSync('sed', ['-i', expression, file])
}

/** Text of the slides only (the preview's banner also names the office). */
async function slidesText(page: Page): Promise<string> {
  return page
    .evaluate(() => [...document.querySelectorAll('svg[data-marpit-svg] > foreignObject > section')].map((s) => s.textContent).join('\n'))
    .catch(() => '') // the page is reloading
}

async function bodyText(page: Page): Promise<string> {
  return page.evaluate(() => document.body?.textContent ?? '').catch(() => '')
}

describe('ortug preview in the browser', () => {
  let dir: string
  let browser: LaunchedBrowser
  let page: Page
  let preview: RunningPreview
  const officeText = () => readFile(path.join(dir, OFFICE_FILE), 'utf8')

  beforeAll(async () => {
    dir = await makeProject({ from: 'customized' })
    // A project with its own templates: layouts and the theme are watched as well.
    await cp(path.join(REPO, 'templates'), path.join(dir, 'templates'), { recursive: true })
    ;[browser, preview] = await Promise.all([resolveBrowser().then((choice) => launchBrowser(choice, 60_000)), startPreview(dir)])
    page = await browser.browser.newPage()
  })
  afterAll(async () => {
    await preview?.stop()
    await browser?.close()
    await removeProject(dir)
  })

  it('shows the deck with the office name and a banner saying the fit check is skipped', async () => {
    const response = await page.goto(preview.url, { waitUntil: 'load' })
    expect(response?.status()).toBe(200)
    expect(await slidesText(page)).toContain('KPU Kota Contoh')
    expect(await page.$eval('#ortug-preview', (el) => el.textContent)).toContain('tanpa cek muat')
    expect(preview.stderr()).toContain(`preview of kota-contoh at ${preview.url}`)
  })

  it('reloads the open page when the office, a layout or the theme changes', async () => {
    const edits: { what: string; edit: () => Promise<void>; shown: () => Promise<boolean> }[] = [
      {
        what: 'the office name',
        edit: async () => sedInPlace(path.join(dir, OFFICE_FILE), 's/^name: KPU Kota Contoh$/name: KPU Kota Contoh Berubah/'),
        shown: async () => (await slidesText(page)).includes('KPU Kota Contoh Berubah'),
      },
      {
        what: 'a layout',
        edit: () => appendFile(path.join(dir, 'templates', 'layouts', 'title.hbs'), '\nPenanda templat pratinjau\n'),
        shown: async () => (await slidesText(page)).includes('Penanda templat pratinjau'),
      },
      {
        what: 'the theme',
        edit: () => appendFile(path.join(dir, 'templates', 'theme', 'ortug.css'), '\nsection { --ortug-preview-test: 7; }\n'),
        shown: () =>
          page
            .evaluate(() => {
              const section = document.querySelector('svg[data-marpit-svg] > foreignObject > section')
              return section ? getComputedStyle(section).getPropertyValue('--ortug-preview-test').trim() === '7' : false
            })
            .catch(() => false),
      },
    ]
    for (const { what, edit, shown } of edits) {
      await edit()
      await waitFor(async () => (await shown()) || undefined, `${what} to show`)
    }
    expect(preview.stderr()).toMatch(/kota-contoh\.yaml changed: rebuilt in \d+ ms/)
  })

  it('shows an invalid office on the page, keeps serving, and shows the deck again once fixed', async () => {
    const good = await officeText()
    sedInPlace(path.join(dir, OFFICE_FILE), 's/^level: kota$/level: kotamadya/')
    const text = await waitFor(async () => {
      const text = await bodyText(page)
      return text.includes('kotamadya') ? text : undefined
    }, 'the error on the page')
    expect(text).toMatch(/content\/offices\/kota-contoh\.yaml:\d+:\d+/)
    expect(text).toContain('allowed values')
    const response = await get(preview.url)
    expect(response.status).toBe(500)
    expect(response.body).toContain('content/offices/kota-contoh.yaml:')
    expect(preview.stderr()).toMatch(/error: .*kota-contoh\.yaml:\d+:\d+: level: is "kotamadya"/)

    await saveAtomically(path.join(dir, OFFICE_FILE), good)
    await waitFor(async () => ((await slidesText(page)).includes('KPU Kota Contoh Berubah') ? true : undefined), 'the deck to come back')
    expect((await get(preview.url)).status).toBe(200)
  })

  it('stops when aborted: exit 0 and the port is closed', async () => {
    expect(await preview.stop()).toBe(0)
    await expect(get(preview.url)).rejects.toThrow(/ECONNREFUSED/)
  })
})

describe('ortug preview over HTTP', () => {
  let dir: string
  let preview: RunningPreview

  beforeAll(async () => {
    dir = await makeProject({
      from: 'customized',
      files: {
        'content/essays/esai-dua.md': '---\ntitle: "Esai <b>Dua</b> & \\"kutipan\\""\nauthor: Penulis Dua\n---\n\n## Satu {#satu}\n\nKalimat esai dua.\n',
      },
    })
    preview = await startPreview(dir)
  })
  afterAll(async () => {
    await preview?.stop()
    await removeProject(dir)
  })

  it('lists the decks of several essays, escaped, and serves each deck at /<slug>', async () => {
    const index = await get(preview.url)
    expect(index.status).toBe(200)
    expect(index.body).toContain('Esai &lt;b&gt;Dua&lt;/b&gt; &amp; &quot;kutipan&quot;')
    expect(index.body).not.toContain('<b>Dua</b>')
    expect(index.body).toContain('href="/esai-contoh"')
    expect(index.body).toContain('href="/esai-dua"')
    const deck = await get(`${preview.url}esai-dua`)
    expect(deck.status).toBe(200)
    expect(deck.type).toContain('text/html')
    expect(deck.body).toContain('Kalimat esai dua.')
    expect(deck.body).toContain('new EventSource("/__ortug/events")')
    const missing = await get(`${preview.url}tidak-ada`)
    expect(missing.status).toBe(404)
    expect(missing.body).toContain('Tidak ada dek di /tidak-ada.')
  })

  it('speaks Indonesian on its pages, as the catalogue does (the terminal stays English)', async () => {
    const index = await get(preview.url)
    expect(index.body).toContain('<html lang="id">')
    expect(index.body).toContain('<h1>Pratinjau: KPU Kota Contoh</h1>')
    expect(index.body).toMatch(/\d+ slide ·/)
    expect(index.body).not.toMatch(/Preview|slides ·/)
    const deck = await get(`${preview.url}esai-dua`)
    expect(deck.body).toContain('Pratinjau KPU Kota Contoh · tanpa cek muat')
    expect(deck.body).not.toContain('fit check skipped')
    expect(preview.stderr()).toContain('preview of kota-contoh at')
  })

  it('streams the version to pages and refuses foreign Host headers', async () => {
    const event = await firstEvent(`${preview.url}__ortug/events`)
    expect(event.type).toBe('text/event-stream')
    expect(event.text).toMatch(/^retry: \d+\nevent: version\ndata: \S+\n\n/)
    expect((await get(preview.url, { host: 'evil.example' })).status).toBe(403)
  })

  it('escapes user text in the error page', async () => {
    const office = path.join(dir, OFFICE_FILE)
    await appendFile(office, '"<img src=x onerror=alert(1)>": 1\n')
    const page = await waitFor(async () => {
      const response = await get(preview.url)
      return response.status === 500 ? response.body : undefined
    }, 'the error page')
    expect(page).toContain('unknown key')
    expect(page).toContain('<html lang="id">')
    expect(page).toContain('<title>Pratinjau: 1 masalah</title>')
    expect(page).toContain('Masalah: 1. Pratinjau dibuat ulang begitu perbaikan disimpan.')
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(page).not.toContain('<img src=x')
  })
})

describe('ortug preview usage', () => {
  let dir: string
  beforeAll(async () => {
    dir = await makeProject({ from: 'customized' })
  })
  afterAll(() => removeProject(dir))

  it('rejects a missing or unknown office, an unknown essay and a bad port with exit 2', async () => {
    const missing = await runCli(['preview'], dir)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('--office is required')
    const unknown = await runCli(['preview', '--office', 'kota-nowhere', '--port', '0'], dir)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('--office: unknown "kota-nowhere"; available: kota-contoh')
    const essay = await runCli(['preview', '--office', 'kota-contoh', '--essay', 'tidak-ada', '--port', '0'], dir)
    expect(essay.code).toBe(2)
    expect(essay.stderr).toContain('available: esai-contoh')
    for (const port of ['70000', 'abc', '-1', '8080.5']) {
      const bad = await runCli(['preview', '--office', 'kota-contoh', `--port=${port}`], dir)
      expect(bad.code, port).toBe(2)
      expect(bad.stderr).toContain('--port must be a port number from 1 to 65535, or 0')
    }
  })

  it('exits 3 when the port asked for is taken', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = blocker.address() as AddressInfo
      const taken = await runCli(['preview', '--office', 'kota-contoh', '--port', String(port)], dir)
      expect(taken.code).toBe(3)
      expect(taken.stderr).toContain(`port ${port} on 127.0.0.1 is in use`)
    } finally {
      blocker.close()
    }
  })
})
