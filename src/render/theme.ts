import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/** The faces the theme uses, from @fontsource packages (Latin subset covers Indonesian). */
export const FONT_FACES = [
  { family: 'Source Sans 3', pkg: '@fontsource/source-sans-3', file: 'source-sans-3-latin-400-normal.woff2', weight: 400, style: 'normal' },
  { family: 'Source Sans 3', pkg: '@fontsource/source-sans-3', file: 'source-sans-3-latin-400-italic.woff2', weight: 400, style: 'italic' },
  { family: 'Source Sans 3', pkg: '@fontsource/source-sans-3', file: 'source-sans-3-latin-600-normal.woff2', weight: 600, style: 'normal' },
  { family: 'Source Sans 3', pkg: '@fontsource/source-sans-3', file: 'source-sans-3-latin-700-normal.woff2', weight: 700, style: 'normal' },
  { family: 'Source Serif 4', pkg: '@fontsource/source-serif-4', file: 'source-serif-4-latin-400-italic.woff2', weight: 400, style: 'italic' },
] as const

export function resolveFontFiles(): string[] {
  return FONT_FACES.map(resolveFontFile)
}

function resolveFontFile(face: (typeof FONT_FACES)[number]): string {
  return require.resolve(`${face.pkg}/files/${face.file}`)
}

let fontFaceCss: Promise<string> | undefined

/**
 * `@font-face` rules with the fonts inlined as data: URIs, so nothing is fetched when a deck opens.
 * Read once per process: the font packages do not change while ortug runs (the preview rebuilds
 * many times).
 */
export function loadFontFaceCss(): Promise<string> {
  fontFaceCss ??= readFontFaceCss()
  fontFaceCss.catch(() => {
    fontFaceCss = undefined
  })
  return fontFaceCss
}

async function readFontFaceCss(): Promise<string> {
  const rules = await Promise.all(
    FONT_FACES.map(async (face) => {
      const base64 = (await readFile(resolveFontFile(face))).toString('base64')
      return `@font-face { font-family: "${face.family}"; font-style: ${face.style}; font-weight: ${face.weight}; font-display: block; src: url("data:font/woff2;base64,${base64}") format("woff2"); }`
    }),
  )
  return rules.join('\n')
}

/** The Marp theme: the theme file from templates/ with the font faces in front. */
export function composeTheme(themeCss: string, fontFaceCss: string): string {
  return `${themeCss}\n\n${fontFaceCss}\n`
}

/**
 * The theme and its fonts kept apart: the 100 KB of inlined fonts would otherwise go through
 * Marp's CSS processing for every deck, so they are added to each page as they are.
 */
export interface Theme {
  css: string
  fonts: string
  /** Of theme and fonts together: a slide renders the same wherever this is the same. */
  hash: string
}

export function createTheme(themeCss: string, fontFaceCss: string, hash: (text: string) => string): Theme {
  return { css: themeCss, fonts: fontFaceCss, hash: hash(composeTheme(themeCss, fontFaceCss)) }
}

const RE_FRONT_MATTER = /^---\r?\n([\s\S]*?\r?\n)---\r?\n/
const RE_STYLE_KEY = /^style: \|[ \t]*\r?\n/m
/** Theme metadata (`/* @theme ortug *\/`, `@size`): meaningful in a theme file only, so left out of `style:`. */
const RE_THEME_METADATA = /^\/\*\s*@(theme|size|auto-scaling)\b[^*]*\*\/[ \t]*\r?\n?/gm

/**
 * Marp for VS Code draws an unknown theme with its default theme, whose element rules (margins of
 * headings, paragraphs, lists, quotes) ortug's theme does not set: this puts them back to the
 * browser's, the ground ortug's theme is drawn on. Before the theme, so the theme's rules win.
 */
const DEFAULT_THEME_RESET = `section :is(h1, h2, h3, h4, h5, h6, p, ul, ol, li, blockquote, dl, dd, pre, table, hr, strong, em) {
  margin: revert; padding: revert; border: revert; font-size: revert; font-weight: revert; line-height: revert; color: revert; letter-spacing: revert;
}
section blockquote::before, section blockquote::after { content: none; }`

/**
 * The Markdown written to dist/: the theme and its fonts inside the front matter's `style:`, so the
 * file keeps ortug's look when a trainer opens it alone in Marp for VS Code, which knows no theme
 * called "ortug" and falls back to its default theme, with `style:` applied over it. `theme: ortug`
 * stays: where the workspace registers templates/theme/ortug.css (.vscode/settings.json), it
 * resolves exactly. The deck's own `style:` lines (office colours) follow the theme, so they win.
 */
export function embedTheme(markdown: string, theme: Pick<Theme, 'css' | 'fonts'>): string {
  const front = RE_FRONT_MATTER.exec(markdown)
  if (!front) return markdown
  // Indented as a YAML block scalar; blank lines stay blank.
  const css = `${DEFAULT_THEME_RESET}\n${theme.css.replace(RE_THEME_METADATA, '')}\n${theme.fonts}`
    .split(/\r?\n/)
    .map((line) => (line.trim() === '' ? '' : `  ${line}`))
    .join('\n')
  const yaml = front[1] ?? ''
  const style = RE_STYLE_KEY.exec(yaml)
  const patched = style ? `${yaml.slice(0, style.index + style[0].length)}${css}\n${yaml.slice(style.index + style[0].length)}` : `${yaml}style: |\n${css}\n`
  return `---\n${patched}---\n${markdown.slice(front[0].length)}`
}
