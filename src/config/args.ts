// Command-line arguments: `loggingserver [--config PATH] [--check-config] [--version] [--help]`. No side effects.
import { parseArgs } from 'node:util'

export interface Args {
  config: string | null
  checkConfig: boolean
  version: boolean
  help: boolean
}

export const USAGE = `usage: loggingserver [--config PATH] [--check-config] [--version] [--help]

  --config PATH    YAML config (default: /etc/loggingserver.yaml when it exists, else built-in defaults)
  --check-config   validate the config, print the problems, exit 0 (valid) or 1 (invalid)
  --version        print the version and exit
`

/** Throws a TypeError with node's own wording for unknown options or a missing value. */
export function parseCommandLine(argv: readonly string[]): Args {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      config: { type: 'string', short: 'c' },
      'check-config': { type: 'boolean' },
      version: { type: 'boolean', short: 'V' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  })
  return {
    config: values.config ?? null,
    checkConfig: values['check-config'] ?? false,
    version: values.version ?? false,
    help: values.help ?? false,
  }
}
