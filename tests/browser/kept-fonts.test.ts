import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LaunchedBrowser, launchBrowser, resolveBrowser } from '../../src/browser/launch.ts'
import { loadIsolated } from '../../src/browser/page.ts'
import { loadFontFaceCss } from '../../src/render/theme.ts'

// A tab is given the theme's fonts once (loadIsolated's `fonts`) and keeps them from one page to
// the next: the pages a build loads carry no @font-face of their own.

const page = (text: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><span id="theme" style="font: 700 40px 'Source Sans 3', monospace">${text}</span><span id="fallback" style="font: 700 40px monospace">${text}</span></body></html>`

describe('fonts kept by a tab', () => {
  let browser: LaunchedBrowser
  let fonts: string
  beforeAll(async () => {
    browser = await launchBrowser(await resolveBrowser(), 60_000)
    fonts = await loadFontFaceCss()
  })
  afterAll(() => browser.close())

  const widths = (tab: Awaited<ReturnType<LaunchedBrowser['browser']['newPage']>>) =>
    tab.evaluate(() => ['theme', 'fallback'].map((id) => document.getElementById(id)?.getBoundingClientRect().width ?? 0))

  it('lays out and prints the second, third… page of a tab in the theme fonts, though they carry none', async () => {
    const tab = await browser.browser.newPage()
    for (const text of ['Integritas', 'Loyalitas dan integritas', 'Orientasi tugas']) {
      await loadIsolated(tab, page(text), text, fonts)
      const [theme, fallback] = await widths(tab)
      // Source Sans 3 is narrower than a monospace face: the span is set in it, not in the fallback.
      expect(theme, text).toBeLessThan((fallback ?? 0) * 0.8)
      expect(await tab.evaluate(() => document.fonts.check('700 40px "Source Sans 3"'))).toBe(true)
    }
    const pdf = Buffer.from(await tab.pdf({ width: '400px', height: '200px' })).toString('latin1')
    expect(pdf).toMatch(/\/FontName \/[A-Z]{6}\+SourceSans3/)
    await tab.close()
  })

  it('a page loaded without the fonts is set in the fallback: the kept fonts are what the pages rely on', async () => {
    const tab = await browser.browser.newPage()
    await loadIsolated(tab, page('Integritas'), 'no fonts')
    const [theme, fallback] = await widths(tab)
    expect(theme).toBe(fallback)
    await tab.close()
  })

  it('fonts given anew (another theme) replace those kept', async () => {
    const tab = await browser.browser.newPage()
    await loadIsolated(tab, page('Integritas'), 'theme fonts', fonts)
    const other = fonts.replaceAll('"Source Sans 3"', '"Lain"')
    await loadIsolated(tab, page('Integritas'), 'other fonts', other)
    expect(await tab.evaluate(() => [...document.fonts].map((face) => face.family))).not.toContain('Source Sans 3')
    const [theme, fallback] = await widths(tab)
    expect(theme).toBe(fallback)
    await tab.close()
  })
})
