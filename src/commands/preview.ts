import { fail } from '../shared/error.ts'
import { COMMON_OPTIONS, defineCommand } from './define.ts'
import { TIMEOUT_OPTION } from './options.ts'
import { timeoutSeconds } from './values.ts'

export const previewCommand = defineCommand({
  name: 'preview',
  summary: "Serve one office's decks on 127.0.0.1 and reload the page on every change to content, templates or theme.",
  usage: '--office <id> [options]',
  options: {
    office: { type: 'string', value: 'id', description: 'the office to show (required)' },
    essay: { type: 'string', value: 'slug', description: 'only this essay', default: 'every essay' },
    port: { type: 'string', value: 'n', description: 'the port; 0 picks a free one', default: '8080, or a free one when taken' },
    timeout: { ...TIMEOUT_OPTION.timeout, description: "seconds each deck's work may take in every rebuild (render, convert)" },
    ...COMMON_OPTIONS,
  },
  notes: [
    'The fit check is skipped (the page says so): run "ortug check" before printing.',
    'Ctrl+C stops the preview; that is its normal end, so it exits 0.',
  ],
  examples: [
    { what: 'one office, every essay', command: 'ortug preview --office kota-bandung' },
    { what: 'one essay on any free port', command: 'ortug preview --office kota-bandung --essay ortug-kpu-jabar --port 0' },
  ],
  runsUntilStopped: true,
  async run({ values, cwd, stdout, signal, logger }) {
    if (!values.office) fail('USAGE', '--office is required: the preview shows one office; usage: ortug preview --office <id> [--essay slug] [--port n]')
    // The server and its watcher load only when a preview starts.
    const { parsePort, startPreview } = await import('./preview-server.ts')
    const timeoutMs = timeoutSeconds(values.timeout) * 1000
    const preview = await startPreview({ root: cwd, office: values.office, essay: values.essay, port: parsePort(values.port), timeoutMs, logger })
    try {
      if (values.json) stdout.write(`${JSON.stringify({ ok: true, url: preview.url })}\n`)
      else logger.info(`preview of ${values.office} at ${preview.url} (Ctrl+C to stop)`)
      await new Promise<void>((resolve) => (signal?.aborted ? resolve() : signal?.addEventListener('abort', () => resolve(), { once: true })))
    } finally {
      await preview.close()
    }
    return 0
  },
})
