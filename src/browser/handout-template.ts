import Handlebars from 'handlebars'
import { fail, type Location, OrtugError } from '../shared/error.ts'
import type { TemplateSource } from '../shared/types.ts'

// The handout template (templates/handout.hbs or an office's own): strict, HTML-escaped, compiled
// once per text. Office and essay text stay text: only Marp's output arrives pre-rendered.

/** Fills the template with the handout's view; a template error names the template's file and line. */
export function fillTemplate(source: TemplateSource, view: object, what: string): string {
  const where = (loc?: hbs.AST.SourceLocation) => (loc ? { file: source.file, line: loc.start.line, column: loc.start.column + 1 } : { file: source.file })
  try {
    return compileTemplate(source, where)(view)
  } catch (error) {
    if (error instanceof OrtugError) throw error
    const message = error instanceof Error ? error.message : String(error)
    fail('CONTENT', `template ${source.file} failed for ${what}: ${message}`, { location: where(), cause: error })
  }
}

/** Handout templates compiled, by their text: a build fills the same one for every office. */
const compiled = new Map<string, HandlebarsTemplateDelegate>()
/** Enough for every office's own template; a preview that edits one compiles each version anew. */
const COMPILED_TEMPLATES = 32

function compileTemplate(source: TemplateSource, where: (loc?: hbs.AST.SourceLocation) => Location): HandlebarsTemplateDelegate {
  const known = compiled.get(source.text)
  if (known) return known
  const ast = Handlebars.parse(source.text)
  const raw = findRawOutput(ast)
  if (raw) {
    fail(
      'CONTENT',
      'the handout template may not use "{{{ }}}" or "{{& }}": office and essay text must stay text; write {{...}} (slides and styles arrive ready to insert)',
      { location: where(raw.loc) },
    )
  }
  const template = Handlebars.create().compile(ast, { strict: true, knownHelpersOnly: true })
  if (compiled.size >= COMPILED_TEMPLATES) compiled.delete(compiled.keys().next().value ?? '')
  compiled.set(source.text, template)
  return template
}

/** The first mustache that would print its value without HTML escaping. */
function findRawOutput(ast: hbs.AST.Program): hbs.AST.MustacheStatement | undefined {
  let found: hbs.AST.MustacheStatement | undefined
  const visitor = new Handlebars.Visitor()
  visitor.MustacheStatement = function (this: Handlebars.Visitor, node) {
    found ??= node.escaped ? undefined : node
    Handlebars.Visitor.prototype.MustacheStatement.call(this, node)
  }
  visitor.accept(ast)
  return found
}
