import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { exists } from '../shared/disk.ts'
import { fail } from '../shared/error.ts'
import { HOUSE_COLORS, LEVELS, RE_ID } from '../shared/schema.ts'
import { COMMON_OPTIONS, defineCommand } from './define.ts'

export const newOfficeCommand = defineCommand({
  name: 'new-office',
  summary: 'Write a new office file content/offices/<id>.yaml, with every optional field commented.',
  usage: '<id> --name <name> --level <level> [options]',
  positionals: [{ name: 'id', description: 'the office id and file name: lowercase letters, digits and single hyphens, e.g. kota-contoh' }],
  options: {
    name: { type: 'string', value: 'name', description: 'the name on the slides, one line (required)' },
    level: { type: 'string', value: 'level', description: `${LEVELS.join(' | ')} (required)` },
    region: { type: 'string', value: 'region', description: 'the region the office serves', default: 'the name without "KPU "' },
    ...COMMON_OPTIONS,
  },
  notes: ['Uncomment and fill in only what is known, then run "ortug check --office <id>".'],
  examples: [
    { what: 'a kota office', command: 'ortug new-office kota-contoh --name "KPU Kota Contoh" --level kota' },
    {
      what: 'a kabupaten office whose region differs from its name',
      command: 'ortug new-office kabupaten-contoh --name "KPU Kab. Contoh" --level kabupaten --region "Kabupaten Contoh"',
    },
  ],
  async run({ values, positionals, cwd, stdout, logger }) {
    const usage = 'ortug new-office <id> --name "KPU Kota Contoh" --level kota'
    const [id, ...extra] = positionals
    if (!id || extra.length > 0) fail('USAGE', `give exactly one office id; usage: ${usage}`)
    if (!RE_ID.test(id)) fail('USAGE', `"${id}" is not a valid office id: use lowercase letters, digits and single hyphens, e.g. "kota-bandung"`)
    const name = values.name?.trim() ?? ''
    if (!name || /[\n\r]/.test(name)) fail('USAGE', `--name is required and must be one line; usage: ${usage}`)
    const level = LEVELS.find((one) => one === values.level) ?? fail('USAGE', `--level must be one of: ${LEVELS.join(', ')}`)
    const region = values.region?.trim() ?? name.replace(/^KPU\s+/i, '')
    const file = path.join(cwd, 'content', 'offices', `${id}.yaml`)
    if (await exists(file)) fail('USAGE', `${path.relative(cwd, file)} already exists; edit it, or choose another id`)
    await writeFile(file, renderOfficeFile({ id, name, region, level }), { flag: 'wx' })
    const shown = path.relative(cwd, file).split(path.sep).join('/')
    if (values.json) stdout.write(`${JSON.stringify({ ok: true, file: shown })}\n`)
    else logger.info(`wrote ${shown}; check it with "ortug check --office ${id}"`)
    return 0
  },
})

/**
 * The new office file. Its comments state the same rules as the schema: the placeholders
 * ("...") are not valid values, so an uncommented line that was not filled in fails the check.
 */
export function renderOfficeFile({ id, name, region, level }: { id: string; name: string; region: string; level: string }): string {
  const quote = (s: string) => JSON.stringify(s)
  return `# yaml-language-server: $schema=./schema.json
# Office file for ${name}. Fields from _defaults.yaml apply unless set here.
# Only write what is known: never invent addresses, phone numbers or people.
name: ${quote(name)}
region: ${quote(region)}
level: ${level}
# colors: { primary: "${HOUSE_COLORS.primary}", accent: "${HOUSE_COLORS.accent}" }   # #rrggbb; white text on primary 4.5:1, accent on primary 3:1
# logo: assets/logos/${id}.png                         # copy the image to content/assets/logos/${id}.png (PNG, JPEG, WebP or SVG)
# session:
#   date: 2027-01-11                                   # YYYY-MM-DD
#   start: "08:30"                                     # HH:MM (WIB): the agenda shows clock times
#   venue: Aula Utama
#   trainers: [Nama Pelatih]
# contact: { email: ..., phone: ..., website: https://... }   # replace each "..." with the real value, or leave it out
# aspect: "16:9"                                       # "16:9" or "4:3"
# slides:
#   exclude: [section-id]                              # drop slides bound to these sections ("ortug list" shows them)
#   extra:
#     - { after: section-id, layout: points, title: Judul, points: [Satu, Dua] }
# handout: { layout: three-up, paper: A4 }             # three-up | six-up | notes; A4 | F4
`
}
