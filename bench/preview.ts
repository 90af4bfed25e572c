import { spawn } from 'node:child_process'
import http from 'node:http'
import path from 'node:path'
import { EVENTS_PATH } from '../src/output/preview-pages.ts'
import { REPO } from './ortug.ts'
import { editOffice } from './project.ts'
import type { RunRecord, Scenario } from './report.ts'
import { browserLabel, type Context, repeat } from './scenarios.ts'

// (v) `ortug preview`: from saving an office's file to the page showing it. The preview runs on
// a copy of the project; each run renames the office, waits for the server's next version event
// (the page reloads on it) and fetches the page until it carries the new name.

const CLI = path.join(REPO, 'bin', 'ortug.mjs')
const GIVE_UP_MS = 60_000

export async function benchPreview(ctx: Context): Promise<Scenario> {
  const office = ctx.offices[0] as string
  const child = spawn(process.execPath, [CLI, 'preview', '--office', office, '--port', '0', '--json'], {
    cwd: ctx.project,
    env: ctx.main.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  try {
    const url = await readUrl(child.stdout)
    const events = watchVersions(url)
    try {
      await events.next()
      const runs = await repeat('v', ctx.options.runs, async (i): Promise<RunRecord> => {
        const started = performance.now()
        const name = await editOffice(ctx.project, office, String(1000 + i))
        await events.next()
        while (!(await get(url)).includes(escapeHtml(name))) {
          if (performance.now() - started > GIVE_UP_MS) throw new Error(`(v) the preview did not show "${name}" within ${GIVE_UP_MS / 1000} s`)
        }
        return { seconds: (performance.now() - started) / 1000, peakTreeRssBytes: 0, peakProcesses: 0, commands: 0 }
      })
      return {
        key: 'v',
        label: 'ortug preview, a save visible in the page',
        browser: browserLabel(ctx.main),
        offices: 1,
        command: `${ctx.main.envPrefix}node bin/ortug.mjs preview --office ${office} --port 0, then rename the office`,
        runs,
      }
    } finally {
      events.close()
    }
  } finally {
    child.kill()
  }
}

function readUrl(stdout: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    const timer = setTimeout(() => reject(new Error('(v) the preview did not start within 60 s')), GIVE_UP_MS)
    stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString()
      const match = /"url":"([^"]+)"/.exec(text)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
  })
}

/** The server's version events, one promise at a time. */
function watchVersions(url: string) {
  const waiting: (() => void)[] = []
  let arrived = 0
  const request = http.get(new URL(EVENTS_PATH, url), (response) => {
    response.on('data', (chunk: Buffer) => {
      for (const _ of chunk.toString().matchAll(/event: version/g)) {
        const next = waiting.shift()
        if (next) next()
        else arrived++
      }
    })
  })
  request.on('error', () => undefined)
  return {
    next: () =>
      new Promise<void>((resolve) => {
        if (arrived > 0) {
          arrived--
          resolve()
        } else waiting.push(resolve)
      }),
    close: () => request.destroy(),
  }
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (response) => {
        let body = ''
        response.on('data', (chunk: Buffer) => {
          body += chunk.toString()
        })
        response.on('end', () => resolve(body))
      })
      .on('error', reject)
  })
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
