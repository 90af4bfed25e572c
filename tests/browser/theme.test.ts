import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { Marp } from '@marp-team/marp-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { type LaunchedBrowser, launchBrowser, resolveBrowser } from '../../src/browser/launch.ts'
import { splitSlides } from '../../src/browser/page.ts'
import { embedTheme, loadFontFaceCss } from '../../src/render/theme.ts'
import { makeProject, REPO, removeProject, runExpecting } from '../helpers.ts'
import { diffRatio } from '../visual/render.ts'

// The .md in dist/ opens alone in Marp for VS Code, which knows no theme "ortug": it carries the
// theme and its fonts in `style:`, and `theme: ortug` stays for workspaces that register it.

const THEME_FILE = path.join(REPO, 'templates', 'theme', 'ortug.css')
const frontMatter = (markdown: string) => parseYaml(markdown.split(/^---$/m)[1] as string) as Record<string, string>

describe('embedTheme', () => {
  const theme = {
    css: '/* @theme ortug */\n/* @size 4:3 960px 720px */\nsection {\n  color: red;\n\n  padding: 1px;\n}',
    fonts: '@font-face { font-family: "X"; src: url("data:font/woff2;base64,AAAA"); }',
  }

  it("puts the theme and fonts before the deck's own style lines, and leaves the slides alone", () => {
    const markdown = '---\nmarp: true\ntheme: ortug\nstyle: |\n  section { --primary: #123456; }\n---\n# Judul\n\n---\n\n# Dua\n'
    const out = embedTheme(markdown, theme)
    const front = frontMatter(out)
    expect(front.theme).toBe('ortug')
    expect(front.style).toContain(`\nsection {\n  color: red;\n\n  padding: 1px;\n}\n${theme.fonts}\nsection { --primary: #123456; }\n`)
    expect(front.style).not.toContain('@theme')
    expect(front.style).not.toContain('@size')
    expect(out.endsWith('---\n# Judul\n\n---\n\n# Dua\n')).toBe(true)
  })

  it('adds a style: to a front matter without one, and leaves Markdown without front matter as it is', () => {
    const out = embedTheme('---\nmarp: true\n---\n# Judul\n', theme)
    expect(frontMatter(out).style).toContain('color: red;')
    expect(embedTheme('# Judul\n', theme)).toBe('# Judul\n')
  })
})

const inUse = await resolveBrowser().catch(() => undefined)

describe.skipIf(!inUse)(`the .md of a build, opened alone (${inUse ? inUse.executablePath : 'no browser: skipped'})`, () => {
  let dir: string
  let markdown: string
  let browser: LaunchedBrowser

  beforeAll(async () => {
    dir = await makeProject({ offices: ['kota-bandung'] })
    await runExpecting(0, ['build', '--format', 'md', '--quiet'], dir)
    markdown = await readFile(path.join(dir, 'dist', 'kota-bandung', 'ortug-kpu-jabar.md'), 'utf8')
    browser = await launchBrowser(inUse as NonNullable<typeof inUse>, 60_000)
  })

  afterAll(async () => {
    await browser?.close()
    if (dir) await removeProject(dir)
  })

  it('names the theme and carries its CSS and fonts in style:', async () => {
    const front = frontMatter(markdown)
    expect(front.theme).toBe('ortug')
    const themeCss = await readFile(THEME_FILE, 'utf8')
    // Every rule of the theme file is in the .md (metadata comments aside).
    for (const line of themeCss.split('\n').filter((l) => l.trim() && !l.includes('@theme') && !l.includes('@size'))) {
      expect(front.style as string).toContain(line.trim())
    }
    expect((front.style as string).match(/@font-face/g)?.length).toBe((await loadFontFaceCss()).match(/@font-face/g)?.length)
    expect((front.style as string).trimEnd().endsWith('section { --primary: #8f1d21; --accent: #e0a526; }')).toBe(true)
  })

  it('looks like the deck in a Marp that does not know the theme (as Marp for VS Code opens it)', async () => {
    // What VS Code does: marp-core with its built-in themes only; "ortug" falls back to the default theme.
    const alone = new Marp({ html: false, math: false }).render(markdown)
    // What ortug renders: the theme registered.
    const registered = new Marp({ html: false, math: false })
    registered.themeSet.add(await readFile(THEME_FILE, 'utf8'))
    const fonts = await loadFontFaceCss()
    const real = registered.render(markdown)
    const page = await browser.browser.newPage()
    try {
      await page.setViewport({ width: 1280, height: 720, deviceScaleFactor: 0.25 })
      const shoot = async (render: { html: string; css: string }, index: number) => {
        const svg = splitSlides(render.html)[index] as string
        await page.setContent(
          `<!DOCTYPE html><html><head><style>${fonts}${render.css}</style><style>body{margin:0} div.marpit>svg{display:block;width:1280px;height:720px}</style></head><body><div class="marpit">${svg}</div></body></html>`,
        )
        await page.evaluate(() => document.fonts.ready.then(() => undefined))
        return page.screenshot({ type: 'png', clip: { x: 0, y: 0, width: 1280, height: 720 } })
      }
      const slides = splitSlides(real.html).length
      expect(slides).toBeGreaterThan(5)
      // Most slides match; a few keep a shift of some pixels from the default theme's rules
      // (title, quote, closing: about 1 to 6 % of their pixels), against 9 % and more without the embedded theme.
      const ratios: number[] = []
      for (let index = 0; index < slides; index++) ratios.push(diffRatio(await shoot(alone, index), await shoot(real, index)))
      const report = ratios.map((ratio, index) => `slide ${index + 1}: ${(ratio * 100).toFixed(2)} %`).join(', ')
      expect(Math.max(...ratios), report).toBeLessThanOrEqual(0.08)
      expect(ratios.filter((ratio) => ratio <= 0.01).length, report).toBeGreaterThanOrEqual(Math.ceil(slides * 0.8))
      // Without the embedded theme the same Marp shows its default theme: the check can fail.
      const bare = new Marp({ html: false, math: false }).render(markdown.replace(/^style: \|[\s\S]*?(?=^---$)/m, ''))
      for (const index of [0, 2]) expect(diffRatio(await shoot(bare, index), await shoot(real, index)), `bare slide ${index + 1}`).toBeGreaterThan(0.05)
    } finally {
      await page.close()
    }
  })
})
