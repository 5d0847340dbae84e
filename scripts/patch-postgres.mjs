// Repairs a defect of the `postgres` driver (3.4.x, open upstream as porsager/postgres#1154 and #1208),
// after every install (`postinstall`). The driver defers small writes behind a `setImmediate`; when a
// connection closes, its teardown cancels that timer without forgetting it, so:
// - the connection never schedules a write again: on reconnecting, its startup message stays buffered
//   and every attempt runs into the connect timeout (requests stalled for seconds after a restart);
// - a write deferred while the socket is gone throws from the immediate (`socket.write` on null), an
//   exception nothing can catch, and the process exits.
// The repair forgets the timer and the buffered bytes on teardown, and turns a write without a socket
// into the connection error the caller's query already expects (CONNECTION_CLOSED). Idempotent; fails
// loudly when the driver's text is not what it repairs (a new version: check whether it still needs it).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..');
const MARK = '/* stepwise: nextWrite repaired */';

const REPAIRS = [
  {
    from: `  function nextWrite(fn) {
    const x = socket.write(chunk, fn)`,
    to: `  function nextWrite(fn) {
    ${MARK}
    if (!socket) {
      nextWriteTimer !== null && clearImmediate(nextWriteTimer)
      chunk = nextWriteTimer = null
      error(Errors.connection('CONNECTION_CLOSED', options))
      return false
    }
    const x = socket.write(chunk, fn)`,
  },
  {
    // terminate()
    from: `    clearImmediate(nextWriteTimer)
    if (socket) {`,
    to: `    clearImmediate(nextWriteTimer)
    chunk = nextWriteTimer = null
    if (socket) {`,
  },
  {
    // closed()
    from: `    clearImmediate(nextWriteTimer)
    socket.removeListener('data', data)`,
    to: `    clearImmediate(nextWriteTimer)
    chunk = nextWriteTimer = null
    socket.removeListener('data', data)`,
  },
];

export function repair(text) {
  if (text.includes(MARK)) return null;
  let out = text;
  for (const { from, to } of REPAIRS) {
    if (!out.includes(from)) throw new Error(`the text to repair was not found:\n${from}`);
    out = out.replace(from, to);
  }
  return out;
}

const files = ['src/connection.js', 'cjs/src/connection.js'].map((f) =>
  join(root, 'node_modules/postgres', f),
);
if (!existsSync(files[0])) {
  console.warn('[patch-postgres] node_modules/postgres is not installed: nothing to repair.');
} else {
  for (const file of files) {
    if (!existsSync(file)) continue;
    const repaired = repair(readFileSync(file, 'utf8'));
    if (repaired === null) continue;
    writeFileSync(file, repaired);
    console.info(`[patch-postgres] repaired ${file.slice(root.length + 1)}`);
  }
}
