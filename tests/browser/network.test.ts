import { readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LaunchedBrowser, launchBrowser, resolveBrowser } from '../../src/browser/launch.ts'
import { type CliResult, makeProject, openRecording, removeProject, runExpecting } from '../helpers.ts'

// DESIGN.md: outputs are self-contained, no network requests when opened. The shipped essay for
// a few shipped offices, each HTML deck opened from file:// in the real browser and paged through.

const OFFICES = ['provinsi-jawa-barat', 'kota-bandung', 'kabupaten-pangandaran']
const ESSAY = 'ortug-kpu-jabar'

describe('HTML decks make no network requests and log no errors', () => {
  let dir: string
  let out: string
  let build: CliResult
  let browser: LaunchedBrowser

  beforeAll(async () => {
    dir = await makeProject({ offices: OFFICES })
    out = path.join(dir, 'dist')
    build = await runExpecting(0, ['build', '--format', 'md,html', '--essay', ESSAY], dir)
    browser = await launchBrowser(await resolveBrowser(), 60_000)
  })
  afterAll(async () => {
    await browser?.close()
    await removeProject(dir)
  })

  it('builds the decks', async () => {
    expect(build.code, build.stderr).toBe(0)
    for (const office of OFFICES) expect(await readdir(path.join(out, office))).toContain(`${ESSAY}.html`)
  })

  it('the recorder itself sees a request and a console error (a control for the tests below)', async () => {
    const file = path.join(out, 'kontrol.html')
    await writeFile(file, '<!DOCTYPE html><img src="http://example.com/x.png"><script>console.error("kontrol")</script>')
    const { page, requests, errors } = await openRecording(browser, pathToFileURL(file).href)
    await page.close()
    expect(requests).toEqual(['http://example.com/x.png'])
    expect(errors).toContain('kontrol')
  })

  it.each(OFFICES)('%s: the deck and its presenter view, paged with the arrow keys', async (office) => {
    const url = pathToFileURL(path.join(out, office, `${ESSAY}.html`)).href
    for (const view of [url, `${url}?view=presenter`]) {
      const { page, requests, errors } = await openRecording(browser, view)
      try {
        const slides = await page.$$eval('svg[data-marpit-svg]', (svgs) => svgs.length)
        expect(slides).toBeGreaterThan(4)
        for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight')
        await page.waitForFunction(() => location.hash === '#5')
        await page.keyboard.press('End')
        await page.waitForFunction((last) => location.hash === `#${last}`, {}, slides)
        await page.keyboard.press('ArrowLeft')
        await page.waitForFunction((before) => location.hash === `#${before}`, {}, slides - 1)
        // Late requests (fonts, images of the slides just shown) have had their turn.
        await page.evaluate(() => document.fonts.ready.then(() => new Promise((resolve) => requestAnimationFrame(() => resolve(undefined)))))
        expect(requests, view).toEqual([])
        expect(errors, view).toEqual([])
      } finally {
        await page.close()
      }
    }
  })
})
