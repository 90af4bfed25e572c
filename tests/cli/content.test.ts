import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseEssay } from '../../src/content/essay.ts'
import { verifyLogo } from '../../src/content/logo.ts'
import { parseStoryboard } from '../../src/content/storyboard.ts'
import { LOGO_LIMITS } from '../../src/shared/schema.ts'
import { REPO, SEED, seedParagraphs } from '../helpers.ts'
import { makeJpeg, makePng, makeWebp } from '../images.ts'

const essayFile = path.join(REPO, 'content', 'essays', 'ortug-kpu-jabar.md')

describe('the shipped essay', () => {
  it('holds the seed essay verbatim: title, author and every paragraph, once, in order', async () => {
    const essay = parseEssay(await readFile(essayFile, 'utf8'), 'ortug-kpu-jabar', essayFile)
    const seed = await readFile(SEED, 'utf8')
    expect(seed).toContain(essay.meta.title.replace(':', ' :'))
    expect(seed).toContain(`Oleh: ${essay.meta.author}`)
    expect(essay.sections.flatMap((s) => s.paragraphs)).toEqual(await seedParagraphs())
  })

  it('has a storyboard covering every section, the seven BerAKHLAK values and two questions', async () => {
    const essay = parseEssay(await readFile(essayFile, 'utf8'), 'ortug-kpu-jabar', essayFile)
    const file = essayFile.replace(/\.md$/, '.deck.yaml')
    const { slides } = parseStoryboard(await readFile(file, 'utf8'), file, essay)
    for (const section of essay.sections)
      expect(
        slides.some((s) => s.section === section.id),
        section.id,
      ).toBe(true)
    const acronym = slides.find((s) => s.layout === 'acronym')
    expect(acronym?.items?.map((i) => i.term).join('')).toBe('BAKHLAK')
    expect(slides.filter((s) => s.layout === 'question').length).toBeGreaterThanOrEqual(2)
    expect(slides[0]?.layout).toBe('title')
    expect(slides.at(-1)?.layout).toBe('closing')
    const quote = slides.find((s) => s.layout === 'quote')?.quote ?? ''
    expect(await readFile(SEED, 'utf8')).toContain(quote)
  })
})

describe('verifyLogo: the type from the first bytes, the pixels from the header, what an SVG may hold (no disk)', () => {
  const png = makePng
  const jpeg = makeJpeg
  const webp = (_: 'VP8X', width: number, height: number) => makeWebp(width, height)
  const svg = (body: string) =>
    Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">${body}</svg>`)
  const problem = (bytes: Buffer) => verifyLogo(bytes).problem

  it('reads PNG, JPEG and WebP sizes; 4096 a side passes, 4097 is refused with the size and the limit', () => {
    expect(verifyLogo(png(4096, 4096))).toEqual({ mime: 'image/png' })
    expect(verifyLogo(jpeg(1200, 4096))).toEqual({ mime: 'image/jpeg' })
    expect(verifyLogo(webp('VP8X', 4096, 10))).toEqual({ mime: 'image/webp' })
    expect(problem(png(4097, 1))).toBe(
      `is 4097 × 1 pixels; the limit is ${LOGO_LIMITS.pixels} pixels a side: export it smaller (it is shown about 120 px wide, 1000 px is plenty for print)`,
    )
    expect(problem(jpeg(100, 60000))).toMatch(/^is 100 × 60000 pixels; the limit is 4096/)
    expect(problem(webp('VP8X', 16384, 1))).toMatch(/^is 16384 × 1 pixels/)
    expect(problem(png(0, 10))).toMatch(/an empty image/)
    expect(problem(png(10, 10).subarray(0, 12))).toMatch(/^is not a PNG image ortug can show: it is cut short/)
    expect(problem(Buffer.from('GIF89a'))).toMatch(/^is not a PNG, JPEG, WebP or SVG image/)
  })

  it('accepts a plain SVG with gradients, <use> of its own parts and an embedded PNG', () => {
    const body =
      '<defs><linearGradient id="g"><stop offset="0"/></linearGradient><circle id="c" r="1" fill="url(#g)"/></defs>' +
      '<use href="#c"/><use xlink:href="#c" x="3"/><image href="data:image/png;base64,AAAA" width="1" height="1"/>'
    expect(verifyLogo(svg(body))).toEqual({ mime: 'image/svg+xml' })
  })

  it.each([
    ['a script', '<script>alert(1)</script>', /holds a <script> element/],
    ['foreignObject', '<foreignObject><div>x</div></foreignObject>', /holds a <foreignObject> element/],
    ['an event attribute', '<rect width="1" height="1" onclick="alert(1)"/>', /has an event attribute \(onclick on <rect>\), which runs code/],
    ['an outside href', '<image href="https://example.com/x.png"/>', /refers to "https:\/\/example\.com\/x\.png" \(href on <image>\)/],
    ['a file href', '<use xlink:href="file:///etc/passwd#x"/>', /refers to "file:\/\/\/etc\/passwd#x"/],
    ['an embedded SVG', '<image href="data:image/svg+xml;base64,AAAA"/>', /refers to "data:image\/svg\+xml;base64,AAAA"/],
    [
      'an outside url() in a style',
      '<style>rect { fill: url(http://example.com/p.svg#p) }</style>',
      /refers to "http:\/\/example\.com\/p\.svg#p" \(url\(…\)\); a logo may refer only to its own parts \(#id\) and embedded PNG, JPEG or WebP images \(in <style>\)/,
    ],
    ['@import', '<style>@import "x.css";</style>', /imports a stylesheet/],
    ['an animated href', '<use href="#a"><set attributeName="href" to="https://example.com/"/></use>', /animates a reference/],
    ['a <use> that draws itself', '<g id="a"><use href="#a"/></g>', /has a <use> that draws itself/],
  ])('refuses %s', (_, body, message) => {
    expect(problem(svg(body))).toMatch(message)
    expect(problem(svg(body))).toMatch(/^is an SVG image that /)
  })

  it('refuses entities, too many elements, deep nesting and <use> bombs, naming the limit', () => {
    const entities = Buffer.from('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>')
    expect(problem(entities)).toMatch(/declares XML entities/)
    expect(problem(svg('<rect/>'.repeat(LOGO_LIMITS.svgElements)))).toMatch(/has more than 5000 elements/)
    expect(problem(svg('<g>'.repeat(LOGO_LIMITS.svgNesting + 1)))).toMatch(/nests elements more than 100 deep/)
    // 10 levels of 10: 2 KB that would draw 10^10 circles.
    const levels = Array.from({ length: 10 }, (_, i) => `<g id="a${i + 1}">${`<use href="#a${i}"/>`.repeat(10)}</g>`).join('')
    expect(problem(svg(`<defs><circle id="a0" r="1"/>${levels}</defs><use href="#a10"/>`))).toMatch(
      /draws more than 20000 elements once its <use> are expanded; at most 20000 drawn elements and 6 levels of <use> are allowed/,
    )
    // A narrow chain: few elements drawn, but 8 levels of <use>.
    const chain = Array.from({ length: 8 }, (_, i) => `<g id="b${i + 1}"><use href="#b${i}"/></g>`).join('')
    expect(problem(svg(`<defs><circle id="b0" r="1"/>${chain}</defs><use href="#b8"/>`))).toMatch(/nests <use> more than 6 levels deep/)
    const shallow = Array.from({ length: 5 }, (_, i) => `<g id="b${i + 1}"><use href="#b${i}"/></g>`).join('')
    expect(problem(svg(`<defs><circle id="b0" r="1"/>${shallow}</defs><use href="#b5"/>`))).toBeUndefined()
  })
})
