// Build step: copies the status page's static files (HTML, default CSS) next to the compiled web room.
import { cpSync } from 'node:fs'
cpSync('src/web/static', 'dist/src/web/static', { recursive: true })
