import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { parseEssay } from '../src/content/essay.ts'
import { contrastRatio, MIN_CONTRAST, MIN_CONTRAST_LARGE } from '../src/content/office.ts'

// A synthetic national content set: one office file per KPU office of Indonesia (38 provinces,
// 416 regencies, 98 cities), with made-up place names marked "(sintetis)", varied colours, some
// 4:3 decks, some with slides removed or added. For load tests, the benchmark and CI sharding.
//
//   npm run national -- <content-dir> [--count n] [--replace]

const USAGE = 'usage: npm run national -- <content-dir> [--count n] [--replace]'

/** Indonesia's KPU offices: 38 provinces, 416 regencies, 98 cities = 552. */
export const NATIONAL_LEVELS = [
  { level: 'provinsi', label: 'Provinsi', count: 38 },
  { level: 'kabupaten', label: 'Kabupaten', count: 416 },
  { level: 'kota', label: 'Kota', count: 98 },
] as const
export const NATIONAL = NATIONAL_LEVELS.reduce((sum, l) => sum + l.count, 0)

// Place-name parts common in Indonesia; their combinations are invented, and every name says "sintetis".
const FIRST = [
  'Tanjung',
  'Sungai',
  'Bukit',
  'Pulau',
  'Muara',
  'Teluk',
  'Gunung',
  'Padang',
  'Batu',
  'Tanah',
  'Lubuk',
  'Rantau',
  'Kuala',
  'Danau',
  'Lembah',
  'Ujung',
]
const SECOND = [
  'Jaya',
  'Raya',
  'Makmur',
  'Indah',
  'Permai',
  'Sari',
  'Baru',
  'Lestari',
  'Mulia',
  'Asri',
  'Harapan',
  'Sentosa',
  'Damai',
  'Kencana',
  'Bahari',
  'Wangi',
]
const THIRD = ['', 'Timur', 'Barat', 'Selatan', 'Utara', 'Tengah']

export interface SyntheticOffice {
  id: string
  yaml: string
}

/**
 * `total` synthetic offices in the national proportions (552 by default). `sections` are section
 * ids of the essays they will be built with: some offices exclude one or add a slide after one.
 * Deterministic: the same arguments give the same files.
 */
export function syntheticOffices(total: number = NATIONAL, sections: readonly string[] = []): SyntheticOffice[] {
  const offices: SyntheticOffice[] = []
  let place = 0
  NATIONAL_LEVELS.forEach(({ level, label, count }, index) => {
    const last = index === NATIONAL_LEVELS.length - 1
    const n = last ? total - offices.length : Math.round((count * total) / NATIONAL)
    for (let i = 0; i < n; i++) {
      const words = placeName(place++)
      const region = `${label} ${words}`
      const id = `${level}-${words.toLowerCase().replace(/ /g, '-')}`
      offices.push({ id, yaml: officeYaml(offices.length, region, level, sections) })
    }
  })
  return offices
}

/** Distinct for the first 16 × 16 × 6 = 1536 places. */
function placeName(n: number): string {
  const first = FIRST[n % FIRST.length]
  const second = SECOND[(n + Math.floor(n / FIRST.length)) % SECOND.length]
  const third = THIRD[Math.floor(n / (FIRST.length * SECOND.length)) % THIRD.length]
  return [first, second, third].filter(Boolean).join(' ')
}

function officeYaml(n: number, region: string, level: string, sections: readonly string[]): string {
  const { primary, accent } = officeColors(n)
  const lines = [
    '# Synthetic office (scripts/national.ts): an invented place, not a real KPU office.',
    `name: "KPU ${region} (sintetis)"`,
    `region: "${region}"`,
    `level: ${level}`,
    `colors: { primary: "${primary}", accent: "${accent}" }`,
  ]
  if (n % 7 === 3) lines.push('aspect: "4:3"')
  if (n % 5 === 1) lines.push(`session: { date: 2027-0${1 + (n % 9)}-1${n % 10}, venue: Aula Utama }`)
  if (n % 11 === 4) lines.push(`handout: { layout: ${n % 2 ? 'six-up' : 'notes'}, paper: F4 }`)
  const exclude = sections.length > 2 && n % 6 === 2 ? [sections[1 + (n % (sections.length - 2))]] : []
  const after = sections.length > 0 && n % 4 === 1 ? sections[n % sections.length] : undefined
  if (exclude.length > 0 || after) {
    lines.push('slides:')
    if (exclude.length > 0) lines.push(`  exclude: [${exclude.join(', ')}]`)
    if (after && !exclude.includes(after)) {
      lines.push('  extra:')
      lines.push(
        `    - { after: ${after}, layout: points, title: ${JSON.stringify(`Catatan ${region}`)}, points: [Jadwal orientasi daerah, Kontak pelatih daerah, Tindak lanjut] }`,
      )
    }
  }
  return `${lines.join('\n')}\n`
}

/**
 * A dark primary and a light accent around the colour wheel, made darker (primary) or lighter
 * (accent) until white and the accent on the primary are as readable as src/content/office.ts asks.
 */
export function officeColors(n: number): { primary: string; accent: string } {
  const hue = (n * 137.508) % 360
  const accentHue = (hue + 150 + (n % 4) * 20) % 360
  let lightness = 0.2 + (n % 5) * 0.04
  while (contrastRatio('#ffffff', hsl(hue, 0.6, lightness)) < MIN_CONTRAST + 0.2) lightness -= 0.02
  const primary = hsl(hue, 0.6, lightness)
  let accentLightness = 0.62
  while (contrastRatio(hsl(accentHue, 0.75, accentLightness), primary) < MIN_CONTRAST_LARGE + 0.2) accentLightness += 0.03
  const accent = hsl(accentHue, 0.75, accentLightness)
  return { primary, accent }
}

function hsl(h: number, s: number, l: number): string {
  const f = (k: number) => {
    const a = s * Math.min(l, 1 - l)
    const m = (k + h / 30) % 12
    return l - a * Math.max(-1, Math.min(m - 3, 9 - m, 1))
  }
  return `#${[f(0), f(8), f(4)]
    .map((c) =>
      Math.round(Math.max(0, Math.min(1, c)) * 255)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`
}

/** Section ids of the essays in `<content>/essays/`: what synthetic offices may exclude or extend. */
export async function readSectionIds(contentDir: string): Promise<string[]> {
  const dir = path.join(contentDir, 'essays')
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.md')).sort()
  const ids = new Set<string>()
  for (const file of files) for (const s of parseEssay(await readFile(path.join(dir, file), 'utf8'), file.slice(0, -3), file).sections) ids.add(s.id)
  return [...ids]
}

/** Office ids in `<content>/offices/` (not the `_` files). */
async function listOfficeFiles(officesDir: string): Promise<string[]> {
  return (await readdir(officesDir).catch(() => [] as string[])).filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('_'))
}

/** Writes `total` synthetic offices into `<content>/offices/`; with `replace`, the office files there go first. */
export async function writeNationalOffices(contentDir: string, total: number = NATIONAL, replace = false): Promise<SyntheticOffice[]> {
  const officesDir = path.join(contentDir, 'offices')
  const existing = await listOfficeFiles(officesDir)
  if (existing.length > 0 && !replace) {
    throw new Error(`${officesDir} already has ${existing.length} office file(s); use another folder, or --replace to remove them first`)
  }
  for (const file of existing) await rm(path.join(officesDir, file))
  await mkdir(officesDir, { recursive: true })
  const offices = syntheticOffices(total, await readSectionIds(contentDir))
  for (const office of offices) await writeFile(path.join(officesDir, `${office.id}.yaml`), office.yaml)
  return offices
}

async function main(argv: string[]): Promise<number> {
  const options = { count: { type: 'string' }, replace: { type: 'boolean' } } as const
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof options }>>
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options })
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`)
    return 2
  }
  const { positionals, values } = parsed
  const count = values.count === undefined ? NATIONAL : Number(values.count)
  if (positionals.length !== 1 || !Number.isInteger(count) || count < 1) {
    process.stderr.write(`give one content folder and a whole --count of 1 or more\n${USAGE}\n`)
    return 2
  }
  try {
    const offices = await writeNationalOffices(path.resolve(positionals[0] as string), count, values.replace)
    process.stderr.write(`wrote ${offices.length} synthetic office(s) into ${path.join(positionals[0] as string, 'offices')}\n`)
    return 0
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`)
    return 1
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2))
