import { execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'

// Runs one command as a child process, timing it (wall clock) and sampling the memory of its
// whole process tree (the command and every descendant, e.g. the browser and its renderers).

export interface CommandSpec {
  /** For messages: what the command is, e.g. "(b) ortug build, run 2". */
  label: string
  file: string
  args: readonly string[]
  cwd: string
  env?: NodeJS.ProcessEnv
}

export interface CommandResult {
  seconds: number
  /** Highest sum of the resident set sizes of the tree, in bytes (shared pages count once per process). */
  peakTreeRssBytes: number
  /**
   * The sum of the proportional set sizes (Linux's Pss: a page shared by n processes counts 1/n
   * in each) at the RSS peak, so Chromium's code, mapped by every one of its processes, counts once.
   */
  peakTreePssBytes: number
  /** Most processes seen in the tree at once. */
  peakProcesses: number
  stdout: string
  cpu: CpuUse
}

/** CPU spent while the command ran: by its tree (reaped descendants, from /proc/self/stat) and by each core of the machine (/proc/stat). */
export interface CpuUse {
  /** User + system seconds of the command and every descendant it waited for (the browser, Marp's process). */
  treeSeconds: number
  /** Per core, the share of the wall time it was busy (any process, other load too), 0 to 1. */
  coreBusy: number[]
}

const SAMPLE_MS = 200
const PAGE_BYTES = pageSize()
const TAIL_CHARS = 4000

/** Runs the command; rejects with its exit status and the tail of its output when it fails. */
export async function runCommand(spec: CommandSpec): Promise<CommandResult> {
  const cpuBefore = readCpu()
  const started = performance.now()
  const child = spawn(spec.file, [...spec.args], { cwd: spec.cwd, env: spec.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
  const sampler = sampleTree(child.pid)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-TAIL_CHARS)
  })
  const status = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal }))
  }).finally(() => sampler.stop())
  const seconds = (performance.now() - started) / 1000
  if (status.code !== 0) {
    const how = status.signal ? `signal ${status.signal}` : `exit ${status.code}`
    throw new Error(`${spec.label} failed (${how}): ${spec.file} ${spec.args.join(' ')}\n  cwd: ${spec.cwd}\n${indent(stderr || stdout.slice(-TAIL_CHARS))}`)
  }
  const peak = sampler.peak()
  const cpu = cpuSince(cpuBefore)
  // Orphans (a renderer outliving its browser for a moment) are never counted in cutime: the larger figure is the nearer.
  return {
    seconds,
    peakTreeRssBytes: peak.rssBytes,
    peakTreePssBytes: peak.pssBytes,
    peakProcesses: peak.processes,
    stdout,
    cpu: { ...cpu, treeSeconds: Math.max(cpu.treeSeconds, sampler.cpuSeconds()) },
  }
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `  | ${line}`)
    .join('\n')
}

interface TreeSample {
  rssBytes: number
  /** The processes of the tree, the root first. */
  pids: number[]
  /** Clock ticks of user + system time of each process in the tree, by pid. */
  cpuTicks: Map<number, number>
}

/** The maxima over a command's samples; `pssBytes` is the PSS sum at the sample of highest RSS. */
interface TreePeak {
  rssBytes: number
  pssBytes: number
  processes: number
  cpuTicks: Map<number, number>
}

/** Samples the tree under `pid` every SAMPLE_MS until stopped, keeping the maxima. */
function sampleTree(pid: number | undefined) {
  const peak: TreePeak = { rssBytes: 0, pssBytes: 0, processes: 0, cpuTicks: new Map() }
  let busy = false
  const tick = async () => {
    if (pid === undefined || busy) return
    busy = true
    try {
      const sample = await measureTree(pid)
      // PSS is read only at a new peak of RSS: reading it costs the kernel a walk of each
      // process's page tables (up to 13 ms for a renderer), which every sample would pay.
      if (sample.rssBytes > peak.rssBytes) {
        peak.rssBytes = sample.rssBytes
        peak.pssBytes = await measurePss(sample.pids)
      }
      peak.processes = Math.max(peak.processes, sample.pids.length)
      for (const [pid, ticks] of sample.cpuTicks) peak.cpuTicks.set(pid, Math.max(ticks, peak.cpuTicks.get(pid) ?? 0))
    } finally {
      busy = false
    }
  }
  void tick()
  const timer = setInterval(() => void tick(), SAMPLE_MS)
  return {
    stop: () => clearInterval(timer),
    peak: () => ({ ...peak }),
    /** CPU seconds of every process seen in the tree, as last sampled (a process's last 200 ms may be missed). */
    cpuSeconds: () => [...peak.cpuTicks.values()].reduce((sum, ticks) => sum + ticks, 0) / TICKS_PER_SECOND,
  }
}

interface ProcStat {
  pid: number
  ppid: number
  rssPages: number
  cpuTicks: number
}

/** Total RSS of `rootPid` and all its descendants, from /proc (Linux). */
export async function measureTree(rootPid: number): Promise<TreeSample> {
  const stats = await readAllStats()
  const children = new Map<number, ProcStat[]>()
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat])
  const root = stats.find((s) => s.pid === rootPid)
  const cpuTicks = new Map<number, number>()
  if (!root) return { rssBytes: 0, pids: [], cpuTicks }
  let rssPages = 0
  const pids: number[] = []
  const queue = [root]
  for (let stat = queue.shift(); stat; stat = queue.shift()) {
    rssPages += stat.rssPages
    cpuTicks.set(stat.pid, stat.cpuTicks)
    pids.push(stat.pid)
    queue.push(...(children.get(stat.pid) ?? []))
  }
  return { rssBytes: rssPages * PAGE_BYTES, pids, cpuTicks }
}

/** Summed PSS of these processes. */
async function measurePss(pids: readonly number[]): Promise<number> {
  const pss = await Promise.all(pids.map(readPssBytes))
  return pss.reduce((sum, bytes) => sum + bytes, 0)
}

/** /proc/<pid>/smaps_rollup's "Pss:" line, in kB; 0 when the process ended or the kernel has no rollup. */
async function readPssBytes(pid: number): Promise<number> {
  try {
    const kb = /^Pss:\s+(\d+) kB$/m.exec(await readFile(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1]
    return Number(kb ?? 0) * 1024
  } catch {
    return 0 // the process ended while we looked
  }
}

async function readAllStats(): Promise<ProcStat[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name))
  const stats = await Promise.all(pids.map((pid) => readStat(pid)))
  return stats.filter((s): s is ProcStat => s !== undefined)
}

/** /proc/<pid>/stat: "pid (comm) state ppid ... rss(24th field) ..."; comm may hold spaces and parentheses. */
async function readStat(pid: string): Promise<ProcStat | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8')
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return { pid: Number(pid), ppid: Number(fields[1]), rssPages: Number(fields[21]), cpuTicks: Number(fields[11]) + Number(fields[12]) }
  } catch {
    return undefined // the process ended while we looked
  }
}

function pageSize(): number {
  try {
    return Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096
  } catch {
    return 4096
  }
}

const TICKS_PER_SECOND = 100

export interface CpuSnapshot {
  /** Clock ticks of the reaped children of this process (cutime + cstime). */
  children: number
  /** Per core: busy and total clock ticks. */
  cores: { busy: number; total: number }[]
}

export function readCpu(): CpuSnapshot {
  const self = readFileSync('/proc/self/stat', 'utf8')
  const fields = self.slice(self.lastIndexOf(')') + 2).split(' ')
  const children = Number(fields[13]) + Number(fields[14])
  const cores = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((line) => /^cpu\d+ /.test(line))
    .map((line) => {
      // user nice system idle iowait irq softirq steal
      const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.split(/\s+/).slice(1).map(Number)
      const busy = user + nice + system + irq + softirq + steal
      return { busy, total: busy + idle + iowait }
    })
  return { children, cores }
}

export function cpuSince(before: CpuSnapshot): CpuUse {
  const after = readCpu()
  return {
    treeSeconds: (after.children - before.children) / TICKS_PER_SECOND,
    coreBusy: after.cores.map((core, i) => {
      const was = before.cores[i] ?? { busy: 0, total: 0 }
      const total = core.total - was.total
      return total > 0 ? (core.busy - was.busy) / total : 0
    }),
  }
}
