// The writer's file primitives: open for appending (creating the directory first, as `mkdir -p`) with
// the starting size from fstat, and the synchronous write-all used on the crash path.
import fs from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'

export interface Opened { fd: number; size: number; isFile: boolean }

export async function openAppend(path: string, mode: number): Promise<Opened> {
  await mkdir(dirname(path), { recursive: true })
  const fd = await new Promise<number>((resolve, reject) =>
    fs.open(path, 'a', mode, (err, fd) => (err ? reject(err) : resolve(fd))))
  return new Promise((resolve, reject) =>
    fs.fstat(fd, (err, st) => {
      if (err) fs.close(fd, () => reject(err))
      else resolve({ fd, size: st.size, isFile: st.isFile() })
    }))
}

export function writeAllSync(fd: number, buf: Buffer): void {
  let off = 0
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off)
}
