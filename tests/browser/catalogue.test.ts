import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LaunchedBrowser, launchBrowser, resolveBrowser } from '../../src/browser/launch.ts'
import { formatWib, orderOffices, renderCatalogue } from '../../src/output/catalogue.ts'
import type { Manifest, ManifestEntry } from '../../src/shared/types.ts'
import { FIXTURES, makeProject, openRecording, removeProject, runExpecting } from '../helpers.ts'

// dist/index.html: offices in the order a trainer looks for them, times in WIB, how to present and
// print, and each office told apart by its name, its colours and its own title slide.

function entry(office: string, officeName: string, extra: Partial<ManifestEntry> = {}): ManifestEntry {
  return {
    path: `${office}/esai.pdf`,
    bytes: 2048,
    sha256: '0'.repeat(64),
    office,
    officeName,
    essay: 'esai',
    essayTitle: 'Esai',
    format: 'pdf',
    key: 'k',
    inputs: {},
    ...extra,
  }
}

describe('the catalogue page', () => {
  it('shows times in WIB (UTC+7), date first, the time as EYD writes it', () => {
    expect(formatWib('2026-11-29T02:40:00.000Z')).toBe('29 Nov 2026 09.40 WIB')
    expect(formatWib('2026-12-31T17:05:00Z')).toBe('1 Jan 2027 00.05 WIB')
    expect(formatWib('2026-08-17T00:00:00Z')).toBe('17 Agu 2026 07.00 WIB')
    expect(formatWib('bukan tanggal')).toBe('bukan tanggal')
  })

  it('orders the province, then kabupaten, then kota, by name; an older entry without a level goes by its name, else last', () => {
    const manifest: Manifest = {
      generator: 'ortug',
      builtAt: '2026-11-29T02:40:00Z',
      outputs: [
        entry('kota-a', 'KPU Kota Zeta', { officeLevel: 'kota' }),
        entry('x-lain', 'Panitia Lain'),
        entry('kab-b', 'KPU Kabupaten Beta', { officeLevel: 'kabupaten' }),
        entry('kota-b', 'KPU Kota Alfa', { officeLevel: 'kota' }),
        entry('lama', 'KPU Kabupaten Alfa'),
        entry('prov', 'KPU Provinsi Contoh', { officeLevel: 'provinsi' }),
      ],
    }
    expect(orderOffices(manifest).map((card) => card.name)).toEqual([
      'KPU Provinsi Contoh',
      'KPU Kabupaten Alfa',
      'KPU Kabupaten Beta',
      'KPU Kota Alfa',
      'KPU Kota Zeta',
      'Panitia Lain',
    ])
    const html = renderCatalogue(manifest)
    expect(html).toContain('6 kantor · dibuat 29 Nov 2026 09.40 WIB')
    expect([...html.matchAll(/<h2 class="group-heading">(\w+)/g)].map((m) => m[1])).toEqual(['Provinsi', 'Kabupaten', 'Kota', 'Lainnya'])
  })

  it('shows an office colour only when it is a colour', () => {
    const manifest: Manifest = {
      generator: 'ortug',
      builtAt: '',
      outputs: [
        entry('kota-a', 'KPU Kota A', { officeLevel: 'kota', officeColors: { primary: '#1d4e89', accent: '#f2c14e' } }),
        entry('kota-b', 'KPU Kota B', { officeLevel: 'kota', officeColors: { primary: 'red;}</style><script>', accent: '#ffffff' } }),
      ],
    }
    const html = renderCatalogue(manifest)
    expect(html).toContain('style="--office: #1d4e89"')
    expect(html).toContain('<i style="background: #f2c14e"></i>')
    expect(html).not.toContain('<script>x')
    expect(html.match(/class="swatches"/g)).toHaveLength(1)
  })
})

const inUse = await resolveBrowser().catch(() => undefined)

describe.skipIf(!inUse)(`the catalogue of a real build (${inUse ? inUse.executablePath : 'no browser: skipped'})`, () => {
  const OFFICES = ['kota-bogor', 'kabupaten-garut', 'provinsi-jawa-barat', 'kabupaten-bekasi']
  let dir: string
  let browser: LaunchedBrowser
  let html: string

  beforeAll(async () => {
    dir = await makeProject({
      offices: OFFICES,
      files: {
        'content/offices/kota-contoh.yaml': [
          'name: KPU Kota Contoh',
          'region: Kota Contoh',
          'level: kota',
          'colors: { primary: "#1d4e89", accent: "#f2c14e" }',
          'logo: assets/logos/kota-contoh.png',
        ].join('\n'),
        'content/assets/logos/kota-contoh.png': await readFile(path.join(FIXTURES, 'customized', 'content', 'assets', 'logos', 'kota-contoh.png')),
      },
    })
    await runExpecting(0, ['build', '--format', 'md,pdf', '--quiet', '--timeout', '120'], dir)
    html = await readFile(path.join(dir, 'dist', 'index.html'), 'utf8')
    browser = await launchBrowser(inUse as NonNullable<typeof inUse>, 60_000)
  })

  afterAll(async () => {
    await browser?.close()
    if (dir) await removeProject(dir)
  })

  it('lists the province, then kabupaten, then kota, alphabetically, with the build time in WIB and how to present and print', async () => {
    const manifest = JSON.parse(await readFile(path.join(dir, 'dist', 'manifest.json'), 'utf8')) as Manifest
    expect(html).toContain(`5 kantor · dibuat ${formatWib(manifest.builtAt)}`)
    expect(formatWib(manifest.builtAt)).toMatch(/^\d{1,2} \w{3} \d{4} \d{2}\.\d{2} WIB$/)
    const { page, requests, errors } = await openRecording(browser, pathToFileURL(path.join(dir, 'dist', 'index.html')).href)
    try {
      const names = await page.$$eval('.office h2', (headings) => headings.map((h) => h.textContent))
      expect(names).toEqual(['KPU Provinsi Jawa Barat', 'KPU Kabupaten Bekasi', 'KPU Kabupaten Garut', 'KPU Kota Bogor', 'KPU Kota Contoh'])
      const help = await page.$eval('.help', (el) => el.textContent ?? '')
      expect(help).toMatch(/\bp membuka tampilan penyaji/)
      expect(help).toMatch(/\bf layar penuh/)
      expect(help).toMatch(/Handout.*A4 atau F4/)
      await page.type('input[type=search]', 'garut')
      const visible = await page.$$eval('.group', (groups) =>
        groups.filter((g) => !(g as HTMLElement).hidden).map((g) => g.querySelector('.group-heading')?.firstChild?.textContent?.trim()),
      )
      expect(visible).toEqual(['Kabupaten'])
      expect(requests).toEqual([])
      expect(errors).toEqual([])
    } finally {
      await page.close()
    }
  })

  it('on a phone (390 px): every link and the search box at least 44 px, sharp thumbnails, counts that follow the search, the essay title once', async () => {
    const { page } = await openRecording(browser, pathToFileURL(path.join(dir, 'dist', 'index.html')).href, (tab) =>
      tab.setViewport({ width: 390, height: 844, deviceScaleFactor: 2 }),
    )
    try {
      const small = await page.$$eval('a, input, summary, button', (elements) =>
        elements.flatMap((el) => {
          const box = el.getBoundingClientRect()
          return box.height < 44 || box.width < 44 ? [`${el.tagName} ${el.textContent?.trim()}: ${box.width}×${box.height}`] : []
        }),
      )
      expect(await page.$$eval('a', (links) => links.length)).toBeGreaterThan(9)
      expect(small).toEqual([])
      // Each thumbnail has at least two image pixels for each CSS pixel it is shown at.
      const density = await page.$$eval('.office img', (images) =>
        images.map((img) => (img as HTMLImageElement).naturalWidth / img.getBoundingClientRect().width),
      )
      expect(density.length).toBe(5)
      for (const ratio of density) expect(ratio).toBeGreaterThanOrEqual(2)
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
      const text = await page.$eval('body', (body) => body.textContent ?? '')
      expect(text.split('Titik Awal Menumbuhkan')).toHaveLength(2)
      await page.type('input[type=search]', 'kota')
      const counts = await page.$$eval('.group:not([hidden]) .group-heading', (headings) => headings.map((h) => h.textContent?.replace(/\s+/g, ' ').trim()))
      expect(counts).toEqual(['Kota 2'])
      await page.click('input[type=search]', { count: 3 })
      await page.keyboard.press('Backspace')
      await page.type('input[type=search]', 'a')
      const all = await page.$$eval('.group:not([hidden]) .group-heading', (headings) => headings.map((h) => h.textContent?.replace(/\s+/g, ' ').trim()))
      expect(all).toEqual(['Provinsi 1', 'Kabupaten 2', 'Kota 2'])
    } finally {
      await page.close()
    }
  })

  it('on a desktop (1280 px): three or more offices a row, their thumbnails on one line whatever the length of their names', async () => {
    const { page } = await openRecording(browser, pathToFileURL(path.join(dir, 'dist', 'index.html')).href, (tab) =>
      tab.setViewport({ width: 1280, height: 900 }),
    )
    try {
      const rows = await page.$$eval('.group', (groups) =>
        groups.map((group) => [...group.querySelectorAll('.office img')].map((img) => Math.round(img.getBoundingClientRect().top))),
      )
      const kabupaten = rows[1] ?? []
      expect(kabupaten).toHaveLength(2)
      expect(new Set(kabupaten).size).toBe(1)
      const perRow = await page.$$eval('.offices', (grids) => Math.max(...grids.map((grid) => getComputedStyle(grid).gridTemplateColumns.split(' ').length)))
      expect(perRow).toBeGreaterThanOrEqual(3)
      expect(await page.$eval('body', (body) => getComputedStyle(body).fontFamily)).toMatch(/^"Source Sans 3"/)
    } finally {
      await page.close()
    }
  })

  it('shows each office its own title slide: its colour on the thumbnail, and its swatches', async () => {
    const { page } = await openRecording(browser, pathToFileURL(path.join(dir, 'dist', 'index.html')).href)
    try {
      // The colour at the thumbnail's left edge, halfway down: the title slide's background.
      const colours = await page.$$eval('.office', (cards) =>
        cards.map((card) => {
          const img = card.querySelector('img') as HTMLImageElement
          const canvas = document.createElement('canvas')
          canvas.width = img.naturalWidth
          canvas.height = img.naturalHeight
          const context = canvas.getContext('2d') as CanvasRenderingContext2D
          context.drawImage(img, 0, 0)
          const [r = 0, g = 0, b = 0] = context.getImageData(4, Math.floor(img.naturalHeight / 2), 1, 1).data
          return { name: card.querySelector('h2')?.textContent, rgb: [r, g, b], swatches: card.querySelectorAll('.swatches i').length }
        }),
      )
      const near = (rgb: number[], hex: string) => {
        const target = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16))
        return rgb.every((value, i) => Math.abs(value - (target[i] as number)) <= 12)
      }
      for (const { name, rgb, swatches } of colours) {
        expect(swatches, name ?? '').toBe(2)
        expect(near(rgb, name === 'KPU Kota Contoh' ? '#1d4e89' : '#8f1d21'), `${name}: ${rgb}`).toBe(true)
      }
    } finally {
      await page.close()
    }
  })
})
