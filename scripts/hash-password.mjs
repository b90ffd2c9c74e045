#!/usr/bin/env node
// Prints a password hash for web.auth.users in /etc/loggingserver.yaml: scrypt in the PHC string format
// `$scrypt$ln=15,r=8,p=1$<salt>$<hash>`, the format src/web/password-hash.ts verifies (a unit test checks).
// Usage: node scripts/hash-password.mjs            (asks twice on a terminal, without echo)
//        printf '%s' "$PASSWORD" | node scripts/hash-password.mjs   (first line of stdin)
// The password is never taken from argv, where `ps` and shell history would show it.
import { randomBytes, scryptSync } from 'node:crypto'
import { stdin, stdout, stderr, exit } from 'node:process'

const LN = 15
const R = 8
const P = 1

function hash(password) {
  const salt = randomBytes(16)
  const key = scryptSync(password.normalize('NFC'), salt, 32, { N: 2 ** LN, r: R, p: P, maxmem: 256 * 2 ** LN * R + 1024 * 1024 })
  const b64 = (b) => b.toString('base64').replace(/=+$/, '')
  return `$scrypt$ln=${LN},r=${R},p=${P}$${b64(salt)}$${b64(key)}`
}

/** Reads one line from a terminal in raw mode, echoing nothing. */
function ask(prompt) {
  return new Promise((resolve) => {
    stderr.write(prompt)
    let line = ''
    stdin.setRawMode(true)
    stdin.resume()
    stdin.setEncoding('utf8')
    const onData = (chunk) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          stdin.off('data', onData)
          stdin.setRawMode(false)
          stdin.pause()
          stderr.write('\n')
          return resolve(line)
        }
        if (ch === '\u0003') exit(130) // Ctrl-C
        if (ch === '\u007f' || ch === '\b') line = line.slice(0, -1)
        else line += ch
      }
    }
    stdin.on('data', onData)
  })
}

async function readStdinLine() {
  let text = ''
  stdin.setEncoding('utf8')
  for await (const chunk of stdin) text += chunk
  return text.split(/\r?\n/)[0] ?? ''
}

let password
if (stdin.isTTY) {
  password = await ask('Password: ')
  if ((await ask('Again: ')) !== password) {
    stderr.write('hash-password: the two passwords differ\n')
    exit(1)
  }
} else {
  password = await readStdinLine()
}
if (password.length === 0) {
  stderr.write('hash-password: empty password\n')
  exit(1)
}
stdout.write(hash(password) + '\n')
