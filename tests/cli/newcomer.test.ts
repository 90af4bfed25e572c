import { execFileSync, spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OUTPUT_SCHEMAS, writeJsonSchemas } from '../../scripts/schema.ts'
import { JSON_OUTPUTS } from '../../src/commands/json.ts'
import { makeProject, REPO, removeProject, runCli } from '../helpers.ts'

// A newcomer's first hour (issue 24): the scaffold, check, list, doctor and --json as a new user
// meets them, with the real command and the disk; nothing here needs a browser.

/** The file `new-office` writes, uncommented the way a newcomer does: placeholders left, a section and a logo that do not exist. */
function uncommentWrongly(text: string): string {
  return text
    .replace('# logo: assets/logos/kota-baru.png', 'logo: assets/logos/kota-baru.png')
    .replace('# contact: { email: ..., phone: ..., website: https://... }', 'contact: { email: ..., phone: ..., website: https://... }')
    .replace('# slides:\n#   exclude: [section-id]', 'slides:\n  exclude: [section-id]')
    .replace('#   extra:\n#     - { after: section-id,', '  extra:\n    - { after: section-id,')
}

describe('ortug new-office, then check', () => {
  let dir: string
  beforeAll(async () => {
    dir = await makeProject()
  })
  afterAll(() => removeProject(dir))

  it('check lists every problem of the file in one pass: contact, slides.exclude, slides.extra and logo', async () => {
    const created = await runCli(['new-office', 'kota-baru', '--name', 'KPU Kota Baru', '--level', 'kota', '--json'], dir)
    expect(created.code).toBe(0)
    expect(JSON_OUTPUTS['new-office'].parse(JSON.parse(created.stdout))).toEqual({ ok: true, file: 'content/offices/kota-baru.yaml' })
    const file = path.join(dir, 'content', 'offices', 'kota-baru.yaml')
    const edited = uncommentWrongly(await readFile(file, 'utf8'))
    expect(edited.match(/^(logo|contact|slides| {2}exclude| {2}extra):/gm)).toHaveLength(5)
    await writeFile(file, edited)

    const check = await runCli(['check', '--no-fit'], dir)
    expect(check.code).toBe(1)
    const errors = check.stderr.split('\n').filter((line) => line.startsWith('error: '))
    const fields = ['contact.email', 'contact.phone', 'contact.website', 'slides.exclude[0]', 'slides.extra[0].after', 'logo']
    for (const field of fields)
      expect(
        errors.some((e) => e.includes(`: ${field}:`)),
        `${field} in\n${check.stderr}`,
      ).toBe(true)
    expect(check.stderr).toContain(`${errors.length} problem(s) found`)
    // Paths relative to the project, as the preview shows them; the advice names what to do.
    expect(check.stderr).toMatch(/^error: content\/offices\/kota-baru\.yaml:\d+:\d+: contact\.website: /m)
    expect(check.stderr).not.toContain(dir)
    expect(check.stderr).toContain('logo: no file at content/assets/logos/kota-baru.png; copy the logo image there')
  })
})

describe('ortug list', () => {
  it('orders offices as the catalogue does (kabupaten-bandung before kabupaten-bandung-barat) and names the handout', async () => {
    const list = await runCli(['list'], REPO)
    expect(list.code).toBe(0)
    const ids = list.stdout.split('\n').flatMap((line) => /^ {2}((?:provinsi|kabupaten|kota)-\S+)/.exec(line)?.[1] ?? [])
    expect(ids).toHaveLength(28)
    expect(ids[0]).toBe('provinsi-jawa-barat')
    expect(ids.indexOf('kabupaten-bandung')).toBe(ids.indexOf('kabupaten-bandung-barat') - 1)
    expect(list.stdout).toContain('dist/<office>/<essay>-handout.pdf')
    const json = JSON_OUTPUTS.list.parse(JSON.parse((await runCli(['list', '--json'], REPO)).stdout))
    expect('offices' in json && json.offices.map((o) => o.id)).toEqual(ids)
  })
})

describe('messages that agree', () => {
  it('doctor --office with an unknown office exits 2, as build and check do', async () => {
    for (const command of ['doctor', 'check', 'build']) {
      const result = await runCli([command, '--office', 'nope'], REPO)
      expect(result.stderr, command).toContain('--office: unknown "nope"; available: ')
      expect(result.code, command).toBe(2)
    }
  })
})

describe('--json', () => {
  it('has its JSON Schemas in docs/json/, current with src/commands/json.ts', async () => {
    expect(await writeJsonSchemas(REPO, true, OUTPUT_SCHEMAS)).toEqual([])
  })

  it('prints output that matches the command schema, for results and for failures', async () => {
    const cases: [keyof typeof JSON_OUTPUTS, string[], number][] = [
      ['check', ['check', '--no-fit', '--json', '--office', 'kota-bandung'], 0],
      ['check', ['check', '--json', '--timeout', '0'], 2],
      ['build', ['build', '--json', '--format', 'nope'], 2],
      ['list', ['list', '--json'], 0],
      ['doctor', ['doctor', '--json', '--office', 'nope'], 2],
      ['merge-manifests', ['merge-manifests', '--json', '--out', 'x'], 2],
      ['preview', ['preview', '--json'], 2],
      ['new-office', ['new-office', 'kota-bandung', '--name', 'KPU Kota Bandung', '--level', 'kota', '--json'], 2],
    ]
    for (const [schema, args, code] of cases) {
      const result = await runCli(args, REPO)
      expect(result.code, args.join(' ')).toBe(code)
      const parsed = JSON_OUTPUTS[schema].safeParse(JSON.parse(result.stdout))
      expect(parsed.error, `${args.join(' ')}: ${result.stdout}`).toBeUndefined()
    }
  })
})

describe('stopping the preview', () => {
  let dir: string
  beforeAll(async () => {
    dir = await makeProject({ from: 'customized' })
  })
  afterAll(() => removeProject(dir))

  it('Ctrl+C ends the real process with exit 0: stopping is the preview normal end', async () => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin', 'ortug.mjs'), 'preview', '--office', 'kota-contoh', '--port', '0'], { cwd: dir })
    let stderr = ''
    const code = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk
        if (/at http:\/\/127\.0\.0\.1:\d+\//.test(stderr)) resolve()
      })
      child.on('exit', () => reject(new Error(`the preview ended before serving: ${stderr}`)))
    })
    child.kill('SIGINT')
    expect(await code, stderr).toBe(0)
  })
})

describe('npm install', () => {
  // npm 11 lists install scripts that package.json's allowScripts neither allows nor denies, and
  // warns about them on every install; older npm has no such command (and no such warning).
  const listScripts = (): string | undefined => {
    try {
      return execFileSync('npm', ['install-scripts', 'ls'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    } catch {
      return undefined
    }
  }
  const listed = listScripts()

  it.skipIf(listed === undefined)('leaves no install script unreviewed, so a fresh npm ci prints no allowScripts warning', () => {
    expect(listed).toContain('No packages with unreviewed install scripts.')
  })
})
