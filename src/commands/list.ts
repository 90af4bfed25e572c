import { loadProject } from '../pipeline/project.ts'
import { compareOffices } from '../shared/collate.ts'
import { DEFAULT_FORMATS, outputPath } from '../shared/formats.ts'
import { COMMON_OPTIONS, defineCommand, formatColumns } from './define.ts'
import { errorToJson, formatForTerminal } from './values.ts'

export const listCommand = defineCommand({
  name: 'list',
  summary: 'List the essays, the offices and what a build would make; reads everything, writes nothing.',
  usage: '[options]',
  options: { ...COMMON_OPTIONS },
  notes: ['Offices are listed as the catalogue shows them: the provinsi, then kabupaten, then kota, by name. Exit 1 when content has problems.'],
  examples: [
    { what: 'what is there', command: 'ortug list' },
    { what: 'office ids for a script', command: 'ortug list --json | jq -r ".offices[].id"' },
  ],
  async run({ values, cwd, stdout }) {
    const project = await loadProject(cwd)
    const essays = project.essays.map(({ essay, storyboard }) => ({
      slug: essay.slug,
      title: essay.meta.title,
      sections: essay.sections.map((s) => s.id),
      storyboard: storyboard.derived ? ('derived' as const) : ('authored' as const),
    }))
    const offices = project.offices.map(({ office }) => ({ id: office.id, name: office.name, level: office.level, aspect: office.aspect })).sort(compareOffices)
    const files = DEFAULT_FORMATS.map((format) => `dist/${outputPath('<office>', '<essay>', format)}`)
    if (values.json) {
      stdout.write(`${JSON.stringify({ essays, offices, files, problems: project.problems.map(errorToJson) })}\n`)
      return project.problems.length === 0 ? 0 : 1
    }
    const essayRows = essays.map((e) => [e.slug, `${e.title}  [${e.storyboard} storyboard; sections: ${e.sections.join(', ')}]`] as const)
    const officeRows = offices.map((o) => [o.id, `${o.name} (${o.level}, ${o.aspect})`] as const)
    stdout.write(`Essays (${essays.length}):\n${essays.length ? `${formatColumns(essayRows)}\n` : ''}`)
    stdout.write(`Offices (${offices.length}):\n${offices.length ? `${formatColumns(officeRows)}\n` : ''}`)
    stdout.write(`A build makes ${essays.length * offices.length} deck(s), each as ${files.join(', ')}\n`)
    for (const problem of project.problems) stdout.write(`problem: ${formatForTerminal(problem, cwd)}\n`)
    return project.problems.length === 0 ? 0 : 1
  },
})
