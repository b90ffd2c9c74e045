// The frames the bench sends: genuine SocketHandler output made by CPython (bench/make_frames.py), split
// into frames, and dealt to C connections.
import { spawn } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { repoRoot } from '../test/support/server.js'

export const benchDir = path.join(repoRoot, 'bench')

/** Runs make_frames.py for ids start .. start+count-1 and returns its output: frames back to back. */
function framesFromPython(start: number, count: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [path.join(benchDir, 'make_frames.py'), String(start), String(count)], { stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    let err = ''
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`make_frames.py exited with ${code}: ${err}`))))
  })
}

/** Splits back-to-back length-prefixed frames into views of each whole frame (prefix included). */
export function splitFrames(bytes: Buffer): Buffer[] {
  const frames: Buffer[] = []
  let at = 0
  while (at + 4 <= bytes.length) {
    const end = at + 4 + bytes.readUInt32BE(at)
    if (end > bytes.length) throw new Error(`truncated frame at byte ${at}`)
    frames.push(bytes.subarray(at, end))
    at = end
  }
  if (at !== bytes.length) throw new Error(`${bytes.length - at} stray bytes after the last frame`)
  return frames
}

/** `count` frames, ids 0 .. count-1 in order, made by one python3 per CPU (the mix is seeded per slice). */
export async function makeFrames(count: number): Promise<Buffer[]> {
  const slices = Math.max(1, Math.min(os.availableParallelism(), Math.ceil(count / 10_000)))
  const per = Math.ceil(count / slices)
  const parts = await Promise.all(Array.from({ length: slices }, (_, i) => framesFromPython(i * per, Math.max(0, Math.min(per, count - i * per)))))
  return parts.flatMap(splitFrames)
}

/** The frames dealt to `connections` streams in contiguous runs, each stream one Buffer ready to write. */
export function streamsOf(frames: Buffer[], connections: number): Buffer[] {
  const per = Math.ceil(frames.length / connections)
  return Array.from({ length: connections }, (_, i) => Buffer.concat(frames.slice(i * per, (i + 1) * per)))
}

export const averageFrameBytes = (frames: Buffer[]): number => frames.reduce((n, f) => n + f.length, 0) / frames.length

const RID = Buffer.from('rid=')

/** A copy of `frame` whose message carries id `rid` instead: same length, so the pickle stays valid. */
export function withRid(frame: Buffer, rid: number): Buffer {
  const copy = Buffer.from(frame)
  const at = copy.indexOf(RID)
  if (at < 0) throw new Error('frame without a rid')
  copy.write(String(rid).padStart(9, '0'), at + RID.length, 'latin1')
  return copy
}
