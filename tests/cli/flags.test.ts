import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeProject, removeProject, runCli } from '../helpers.ts'

// Command-line flags from an untrusted caller (a CI matrix, a script): a value out of range is a
// usage error (exit 2) that says what is allowed, never an internal error or an out-of-memory.

let project: string
beforeAll(async () => {
  project = await makeProject({ offices: ['kota-bandung'] })
})
afterAll(() => removeProject(project))

describe('--shard k/n', () => {
  it.each(['1/4294967296', '1/300000000', '1/10001', '0/3', '4/3', '1/0', 'a/b', '1/', '/3', '1.5/3', '1/3/3', ''])(
    '"%s" is a usage error (exit 2) naming the allowed range',
    async (value) => {
      const result = await runCli(['build', '--shard', value, '--format', 'md'], project)
      expect(result.stderr).toContain('--shard must be k/n with 1 <= k <= n <= 10000')
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /)
      expect(result.code).toBe(2)
    },
  )

  it('accepts the largest allowed n (most shards then hold no office)', async () => {
    const result = await runCli(['build', '--shard', '10000/10000', '--format', 'md', '--out', 'shard-last'], project)
    expect(result.stderr).not.toMatch(/internal error/)
    expect(result.code).toBe(0)
  })
})

describe('lists, counts and repeated options', () => {
  it.each([
    [['build', '--office', ''], '--office is empty: give one or more names separated by commas, or leave --office out for all'],
    [['build', '--office', ' , '], '--office is empty'],
    [['check', '--essay', ''], '--essay is empty'],
    [['build', '--format', ''], '--format is empty'],
    [['build', '--jobs', '1.5'], '--jobs must be a whole number above 0, not "1.5"'],
    [['build', '--jobs', '0'], '--jobs must be a whole number above 0, not "0"'],
    [['build', '--jobs', ' '], '--jobs must be a whole number above 0, not " "'],
    [['build', '--office', 'kota-bandung', '--office', 'kota-bogor'], '--office is given twice: give all its values in one --office, separated by commas'],
    [['check', '--essay', 'a', '--essay=b'], '--essay is given twice'],
    [['build', '--out', 'a', '--out', 'b'], '--out is given twice: give it once\n'],
  ])('ortug %j: exit 2 saying what is allowed, nothing built', async (args, message) => {
    const result = await runCli(args[0] === 'build' ? [...args, '--out', 'never'] : args, project)
    expect(result.stderr).toContain(message)
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /)
    expect(result.code).toBe(2)
  })
})
