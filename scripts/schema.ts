import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { z } from 'zod'
import { JSON_OUTPUTS } from '../src/commands/json.ts'
import { essayMetaSchema, officeFileSchema, storyboardSchema } from '../src/shared/schema.ts'

// Writes the JSON Schemas editors use (office files start with
// `# yaml-language-server: $schema=./schema.json`) from the zod schemas in src/shared/schema.ts.
// `--check` writes nothing and exits 1 when a checked-in file differs: CI keeps them current.
//
//   node --import tsx scripts/schema.ts [--check]

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** Biome's line width (biome.json). */
const LINE_WIDTH = 160

/** Each published schema: where it lives (relative to the repo) and the zod schema it comes from. */
export const JSON_SCHEMAS = [
  { file: 'content/offices/schema.json', schema: officeFileSchema },
  { file: 'content/essays/essay.schema.json', schema: essayMetaSchema },
  { file: 'content/essays/storyboard.schema.json', schema: storyboardSchema },
] as const

/** What `ortug <command> --json` prints (src/commands/json.ts), for scripts rather than editors. */
export const OUTPUT_SCHEMAS = Object.entries(JSON_OUTPUTS).map(([command, schema]) => ({ file: `docs/json/${command}.schema.json`, schema }))

type SchemaFile = { file: string; schema: z.ZodType }

/**
 * The text of each schema file. `io: 'input'` describes what a user writes (fields with defaults
 * are optional); draft-07 is what the YAML and JSON language servers in editors understand best.
 * Keys are sorted so the files only change when the schemas do.
 */
export function renderJsonSchemas(schemas: readonly SchemaFile[] = JSON_SCHEMAS): { file: string; text: string }[] {
  return schemas.map(({ file, schema }) => {
    const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-7', unrepresentable: 'throw' })
    return { file, text: `${formatJson(sortKeys(json))}\n` }
  })
}

/** Writes the schema files, or with `check` only compares them; returns the files that were (or are) stale. */
export async function writeJsonSchemas(root: string, check: boolean, schemas: readonly SchemaFile[] = JSON_SCHEMAS): Promise<string[]> {
  const stale: string[] = []
  for (const { file, text } of renderJsonSchemas(schemas)) {
    const target = path.join(root, file)
    const current = await readFile(target, 'utf8').catch(() => undefined)
    if (current === text) continue
    stale.push(file)
    if (check) continue
    await mkdir(path.dirname(target), { recursive: true })
    await writeFile(target, text)
  }
  return stale
}

/**
 * JSON.stringify with two spaces, except that a list of plain values stays on one line when it
 * fits: the layout Biome gives JSON, so `biome check` leaves the generated files alone.
 */
function formatJson(value: unknown, indent = '', prefix = ''): string {
  if (Array.isArray(value) && value.length > 0) {
    const inline = `[${value.map((v) => JSON.stringify(v)).join(', ')}]`
    if (value.every((v) => v === null || typeof v !== 'object') && indent.length + prefix.length + inline.length + 1 <= LINE_WIDTH) return inline
    return `[\n${value.map((v) => `${indent}  ${formatJson(v, `${indent}  `)}`).join(',\n')}\n${indent}]`
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    const entries = Object.entries(value).map(([key, v]) => {
      const head = `${JSON.stringify(key)}: `
      return `${indent}  ${head}${formatJson(v, `${indent}  `, head)}`
    })
    return `{\n${entries.join(',\n')}\n${indent}}`
  }
  return JSON.stringify(value)
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  )
}

async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((arg) => arg !== '--check')
  if (unknown.length > 0) {
    process.stderr.write(`unknown argument ${unknown.join(' ')}; usage: node --import tsx scripts/schema.ts [--check]\n`)
    return 2
  }
  const check = argv.includes('--check')
  const stale = [...(await writeJsonSchemas(ROOT, check)), ...(await writeJsonSchemas(ROOT, check, OUTPUT_SCHEMAS))]
  if (check && stale.length > 0) {
    process.stderr.write(`out of date: ${stale.join(', ')}; run "node --import tsx scripts/schema.ts" and commit the result\n`)
    return 1
  }
  process.stderr.write(stale.length === 0 ? 'JSON Schemas are up to date\n' : `wrote ${stale.join(', ')}\n`)
  return 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2))
