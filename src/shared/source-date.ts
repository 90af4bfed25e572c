import { fail } from './error.ts'

const RE_EPOCH = /^\d{1,12}$/
/** 9999-12-31T23:59:59Z: a PDF date has four digits for the year. */
const MAX_EPOCH = 253402300799

/**
 * `SOURCE_DATE_EPOCH` (https://reproducible-builds.org/specs/source-date-epoch/): the date it
 * names, or undefined when unset or blank. Anything but whole seconds is a usage error, so a typo
 * never silently dates outputs by the clock.
 */
export function readSourceDateEpoch(value: string | undefined): Date | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const seconds = value.trim()
  if (!RE_EPOCH.test(seconds) || Number(seconds) > MAX_EPOCH) {
    fail(
      'USAGE',
      `SOURCE_DATE_EPOCH is "${value}"; it must be a whole number of seconds since 1970-01-01 UTC (e.g. the output of git log -1 --format=%ct), or unset`,
    )
  }
  return new Date(Number(seconds) * 1000)
}
