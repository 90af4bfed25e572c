import { describe, expect, it } from 'vitest'
import { COMMANDS, run } from '../../src/cli.ts'
import { formatCommandHelp, parseCommandArgs } from '../../src/commands/define.ts'
import { renderOfficeFile } from '../../src/commands/new-office.ts'
import { formatForTerminal } from '../../src/commands/values.ts'
import { compareOffices, compareOutputs, compareText } from '../../src/shared/collate.ts'
import { OrtugError } from '../../src/shared/error.ts'
import { officeSchema } from '../../src/shared/schema.ts'

// The command line's help, option tables and messages, in-process: nothing is built.

async function runHelp(args: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await run(args, { stdout: { write: (c: string) => (stdout += c) }, stderr: { write: (c: string) => (stderr += c) } })
  return { code, stdout, stderr }
}

/** The column where each option's description starts. */
function descriptionColumns(help: string): number[] {
  const options = help.split('\n\n').find((s) => s.startsWith('Options:')) ?? ''
  return options
    .split('\n')
    .slice(1)
    .map((line) => /^ {2}.*?\S {2,}(?=\S)/.exec(line)?.[0].length ?? -1)
}

describe('help', () => {
  it.each(COMMANDS.map((c) => c.name))(
    'ortug %s --help (and ortug help <command>): a sentence, usage, options with defaults, two examples; stdout, exit 0',
    async (name) => {
      const asked = await runHelp([name, '--help'])
      expect(asked.code).toBe(0)
      expect(asked.stderr).toBe('')
      expect((await runHelp(['help', name])).stdout).toBe(asked.stdout)
      expect((await runHelp([name, '-h'])).stdout).toBe(asked.stdout)
      const help = asked.stdout
      expect(help).toMatch(new RegExp(`^ortug ${name}: [A-Z].*\\.\\n\\nUsage: ortug ${name} `))
      expect(help).toContain('--quiet')
      expect(help).toContain('--json')
      const examples = help.slice(help.indexOf('Examples:'))
      expect(examples.match(/^ {2}ortug /gm)?.length).toBeGreaterThanOrEqual(2)
      expect(new Set(descriptionColumns(help)).size, help).toBe(1)
    },
  )

  it('every option the parser accepts appears in its command help, and nothing else is accepted', () => {
    for (const command of COMMANDS) {
      const help = formatCommandHelp(command)
      for (const [option, spec] of Object.entries(command.options)) {
        const args = spec.type === 'string' ? [`--${option}`, 'x'] : [`--${option}`]
        expect(() => parseCommandArgs(command, args), `${command.name} ${option}`).not.toThrow()
        expect(help, `${command.name} --${option}`).toMatch(new RegExp(`--${option}\\b`))
        if (spec.short) expect(help).toContain(`-${spec.short}, --${option}`)
      }
      expect(() => parseCommandArgs(command, ['--no-such-option'])).toThrow(/Unknown option '--no-such-option'/)
    }
  })

  it('documents what a newcomer asked for: check --timeout, list --json, defaults', async () => {
    expect((await runHelp(['check', '--help'])).stdout).toMatch(/--timeout <s> +seconds .*\(default: 120\)/)
    expect((await runHelp(['list', '--help'])).stdout).toContain('--json')
    expect((await runHelp(['build', '--help'])).stdout).toMatch(/--out <dir> +output folder \(default: dist\)/)
    expect((await runHelp(['build', '--help'])).stdout).toContain('(default: md,html,pdf,handout)')
  })

  it('ortug --help and ortug help list every command in aligned columns; bare ortug prints it to stderr and exits 2', async () => {
    const help = await runHelp(['--help'])
    expect(help.code).toBe(0)
    expect((await runHelp(['help'])).stdout).toBe(help.stdout)
    const commands = help.stdout.split('\n\n').find((s) => s.startsWith('Commands:')) ?? ''
    const lines = commands.split('\n').slice(1)
    expect(lines.map((l) => l.trim().split(/\s+/)[0])).toEqual(COMMANDS.map((c) => c.name))
    expect(new Set(lines.map((l) => /^ {2}\S+ +/.exec(l)?.[0].length)).size).toBe(1)
    const bare = await runHelp([])
    expect(bare).toEqual({ code: 2, stdout: '', stderr: help.stdout })
    expect(await runHelp(['help', 'nope'])).toMatchObject({ code: 2, stdout: '' })
  })

  it('a command cut short by Ctrl+C exits 130', async () => {
    const controller = new AbortController()
    controller.abort()
    const code = await run(['list'], { cwd: '/nonexistent', signal: controller.signal, stdout: { write: () => true }, stderr: { write: () => true } })
    expect(code).toBe(130)
  })
})

describe('one collation for offices (Intl.Collator id)', () => {
  it('puts kabupaten-bandung before kabupaten-bandung-barat, whether ids, names or output paths', () => {
    const ids = ['kabupaten-bandung-barat', 'kota-bandung', 'kabupaten-bandung']
    expect([...ids].sort(compareText)).toEqual(['kabupaten-bandung', 'kabupaten-bandung-barat', 'kota-bandung'])
    const paths = ['kabupaten-bandung-barat/a.pdf', 'kabupaten-bandung/a.pdf', 'kabupaten-bandung/a-handout.pdf']
    const entries = paths.map((p) => ({ office: p.split('/')[0] as string, path: p }))
    expect(entries.sort(compareOutputs).map((e) => e.path)).toEqual([
      'kabupaten-bandung/a-handout.pdf',
      'kabupaten-bandung/a.pdf',
      'kabupaten-bandung-barat/a.pdf',
    ])
    const offices = [
      { id: 'kota-bandung', name: 'KPU Kota Bandung', level: 'kota' },
      { id: 'kabupaten-bandung-barat', name: 'KPU Kabupaten Bandung Barat', level: 'kabupaten' },
      { id: 'provinsi-jawa-barat', name: 'KPU Provinsi Jawa Barat', level: 'provinsi' },
      { id: 'kabupaten-bandung', name: 'KPU Kabupaten Bandung', level: 'kabupaten' },
    ]
    expect(offices.sort(compareOffices).map((o) => o.id)).toEqual(['provinsi-jawa-barat', 'kabupaten-bandung', 'kabupaten-bandung-barat', 'kota-bandung'])
  })
})

describe('the new office file', () => {
  const text = renderOfficeFile({ id: 'kota-contoh', name: 'KPU Kota Contoh', region: 'Kota Contoh', level: 'kota' })

  it('states the contrast rules of the schema: white on primary 4.5:1, accent on primary 3:1', () => {
    expect(text).toContain('white text on primary 4.5:1, accent on primary 3:1')
    expect(officeSchema.shape.colors.shape.accent.description).toContain('3:1')
  })

  it('holds no placeholder that would pass validation', () => {
    const contact = officeSchema.shape.contact
    for (const website of ['https://...', 'https://.', 'http://localhost', 'https://a..b']) {
      expect(contact.safeParse({ website }).success, website).toBe(false)
    }
    for (const website of ['https://example.org', 'http://kpu.go.id/jabar?x=1#y', 'https://xn--80ak6aa92e.com:8443/']) {
      expect(contact.safeParse({ website }).success, website).toBe(true)
    }
    expect(contact.safeParse({ email: '...' }).success).toBe(false)
    expect(contact.safeParse({ phone: '...' }).success).toBe(false)
    expect(text).toContain('website: https://...')
  })
})

describe('terminal messages', () => {
  it('print paths inside the project relative to it', () => {
    const error = new OrtugError('CONTENT', 'cannot read /work/p/content/x.md: EACCES', {
      location: { file: '/work/p/content/offices/a.yaml', line: 3, column: 5 },
    })
    expect(formatForTerminal(error, '/work/p')).toBe('content/offices/a.yaml:3:5: cannot read content/x.md: EACCES')
    expect(formatForTerminal(new OrtugError('USAGE', 'outside /elsewhere/x'), '/work/p')).toBe('outside /elsewhere/x')
  })
})
