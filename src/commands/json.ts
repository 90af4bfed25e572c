import { z } from 'zod'
import type { ErrorKind } from '../shared/error.ts'

// What each command prints with --json: one object on stdout. Published as JSON Schemas in
// docs/json/ (scripts/schema.ts); tests validate every command's output against them.

/** Every kind of error, by name: a kind missing here, or one that is not an ErrorKind, does not compile. */
const ERROR_KINDS = { CONTENT: 'CONTENT', USAGE: 'USAGE', ENVIRONMENT: 'ENVIRONMENT' } as const satisfies { [K in ErrorKind]: K }

const problem = z.strictObject({
  kind: z.enum(ERROR_KINDS),
  message: z.string(),
  file: z.string().optional().describe('Where the problem is: absolute path.'),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
})

/** Any command that stopped on an error (wrong usage, the environment, content that does not load). */
const failed = z.strictObject({ ok: z.literal(false), errors: z.array(problem).min(1) })

const build = z.strictObject({
  ok: z.boolean(),
  outDir: z.string(),
  seconds: z.number().nonnegative(),
  counts: z.strictObject({ built: z.number().int(), unchanged: z.number().int(), offices: z.number().int(), problems: z.number().int() }),
  outputs: z.array(z.string()).describe('Paths relative to outDir of the files this build made.'),
  errors: z.array(problem),
})

const check = z.strictObject({ ok: z.boolean(), decks: z.number().int(), errors: z.array(problem), warnings: z.array(z.string()) })

const list = z.strictObject({
  essays: z.array(z.strictObject({ slug: z.string(), title: z.string(), sections: z.array(z.string()), storyboard: z.enum(['derived', 'authored']) })),
  offices: z.array(z.strictObject({ id: z.string(), name: z.string(), level: z.enum(['provinsi', 'kabupaten', 'kota']), aspect: z.enum(['16:9', '4:3']) })),
  files: z.array(z.string()).describe('What a build makes of each deck, with <office> and <essay> as placeholders.'),
  problems: z.array(problem),
})

const doctor = z.strictObject({
  ok: z.boolean(),
  version: z.string(),
  platform: z.string(),
  arch: z.string(),
  checks: z.array(
    z.strictObject({
      name: z.string(),
      ok: z.boolean(),
      found: z.string(),
      details: z.array(z.string()),
      kind: problem.shape.kind.optional(),
    }),
  ),
})

const preview = z.strictObject({ ok: z.literal(true), url: z.url() })
const newOffice = z.strictObject({ ok: z.literal(true), file: z.string() })
const storyboard = z.strictObject({
  ok: z.literal(true),
  file: z.string(),
  slides: z.number().int().positive(),
  weakSpots: z.array(z.strictObject({ section: z.string(), message: z.string() })),
})
const mergeManifests = z.strictObject({ ok: z.literal(true), outDir: z.string(), shards: z.number().int().positive(), outputs: z.number().int() })

/** Each command's --json output: its result, or the failure every command shares. */
export const JSON_OUTPUTS = {
  build: z.union([build, failed]),
  check: z.union([check, failed]),
  list: z.union([list, failed]),
  doctor: z.union([doctor, failed]),
  preview: z.union([preview, failed]),
  'new-office': z.union([newOffice, failed]),
  'merge-manifests': z.union([mergeManifests, failed]),
  storyboard: z.union([storyboard, failed]),
} as const
