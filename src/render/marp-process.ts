import { type ChildProcess, spawn } from 'node:child_process'
import { z } from 'zod'
import { installPath } from '../shared/paths.ts'

// The channel to Marp's process (marp-worker.mjs): requests over IPC, each answered by id.

const MARP_WORKER = installPath('src/render/marp-worker.mjs')

export type WorkerRequest = { type: 'render'; markdown: string; themeCss: string; options: object } | { type: 'convert'; argv: string[] }

const WorkerReply = z.object({
  id: z.number(),
  code: z.number().optional(),
  message: z.string().optional(),
  html: z.string().optional(),
  css: z.string().optional(),
})
export type WorkerReply = z.infer<typeof WorkerReply>

/**
 * Marp's process, started on first request (or `start`). Each request is tied to the process it
 * was sent to: a process that dies (interrupt, crash) fails its own requests only, and the next
 * request starts a new one.
 */
export class MarpProcess {
  private child: ChildProcess | undefined
  /** The end of what Marp's processes wrote to stderr: marp-cli reports failures there. */
  stderr = ''
  private readonly pending = new Map<number, { worker: ChildProcess; settle: (reply: WorkerReply) => void }>()
  private nextId = 0

  constructor(private readonly signal?: AbortSignal) {}

  request(message: WorkerRequest): Promise<WorkerReply> {
    return new Promise((resolve) => {
      const worker = this.start()
      const id = this.nextId++
      this.pending.set(id, {
        worker,
        settle: (reply) => {
          this.pending.delete(id)
          resolve(reply)
        },
      })
      worker.send({ id, ...message })
    })
  }

  start(): ChildProcess {
    this.child ??= this.spawnWorker()
    return this.child
  }

  close(): void {
    this.child?.kill()
    this.child = undefined
  }

  private spawnWorker(): ChildProcess {
    const worker = spawn(process.execPath, [MARP_WORKER], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], signal: this.signal, killSignal: 'SIGKILL' })
    worker.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk).slice(-4000)
    })
    worker.on('message', (message) => {
      const reply = WorkerReply.safeParse(message)
      if (reply.success) this.pending.get(reply.data.id)?.settle(reply.data)
    })
    worker.on('error', (error) => this.gone(worker, error))
    worker.on('exit', () => this.gone(worker))
    return worker
  }

  /** A process that ended fails what it was doing. */
  private gone(worker: ChildProcess, error?: Error): void {
    if (this.child === worker) this.child = undefined
    for (const [id, request] of this.pending) {
      if (request.worker !== worker) continue
      request.settle({ id, code: -1, message: this.signal?.aborted ? 'interrupted' : (error?.message ?? `Marp's process exited\n${this.stderr}`) })
    }
  }
}
