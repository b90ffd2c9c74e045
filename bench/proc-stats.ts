// What /proc says about a process the bench started (its CPU time and peak memory), and about the machine.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'

/** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ: 100 on every Linux build we met). */
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100

/** User + system CPU seconds of `pid` so far, all its threads together. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
}

/**
 * CPU seconds the whole machine has run something so far, all CPUs: /proc/stat's user, nice, system, irq and
 * softirq. Not idle or iowait; not steal (another VM ran); not guest and guest_nice (already inside user and nice).
 */
export function machineBusySeconds(): number {
  const first = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!
  const [user, nice, system, , , irq, softirq] = first.trim().split(/\s+/).slice(1).map(Number)
  return (user! + nice! + system! + irq! + softirq!) / CLOCK_TICKS
}

/** Peak resident set size of `pid` (VmHWM) in MiB: the most it has held since it started. */
export function peakRssMiB(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!m) throw new Error(`no VmHWM in /proc/${pid}/status`)
  return Number(m[1]) / 1024
}

/** The soft limit on open files of this process (1,000 connections need more than 1,024 with the server's). */
export function openFilesLimit(): number {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'))
  return m?.[1] === 'unlimited' ? Infinity : Number(m?.[1])
}

export interface Machine { nproc: number; cpu: string; node: string; python: string; openFiles: number }

export function machine(): Machine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8')
  const python = spawnSync('python3', ['-c', 'import platform; print(platform.python_version())']).stdout?.toString().trim() ?? '?'
  return {
    nproc: os.availableParallelism(),
    cpu: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    python,
    openFiles: openFilesLimit(),
  }
}

export const machineLine = (m: Machine): string =>
  `machine: ${m.nproc} CPUs (nproc), ${m.cpu}; node ${m.node}; python ${m.python}; open files limit ${m.openFiles}`
