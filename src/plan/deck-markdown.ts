// A deck's Marp Markdown in its parts, as the fit check keys them: the front matter, then one
// chunk per slide (slides are separated by a line "---").

export function splitDeckMarkdown(markdown: string): { frontMatter: string; slides: string[] } {
  const frontMatter = /^---\n[\s\S]*?\n---\n/.exec(markdown)?.[0] ?? ''
  return { frontMatter, slides: markdown.slice(frontMatter.length).split(/\n---\n/) }
}
