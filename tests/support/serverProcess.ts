import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

export type ServerProcess = {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
  /** Everything the server wrote to stdout so far (its JSON log lines). */
  output(): string;
};

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * A real server process (`tsx apps/server/src/main.ts`) on a free port against `databaseUrl` (empty: the
 * embedded database, in `env.STEPWISE_DATA_DIR`); resolves once it logs `server.listening` (its JSON log
 * line carries the port). `env` adds or overrides variables (undefined removes one).
 */
export function spawnServer(
  databaseUrl: string,
  timeoutMs = 30_000,
  env: Record<string, string | undefined> = {},
): Promise<ServerProcess> {
  // Node itself runs the server (tsx as a loader, not its CLI, which would run it in a child process of
  // its own): a signal sent to `child` — SIGKILL in the chaos tests — reaches the server.
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: ROOT,
    env: withoutUndefined({
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'info',
      ...env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(kill);
        done();
      });
      child.kill('SIGTERM');
    });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the server did not start in ${timeoutMs} ms:\n${out}\n${err}`));
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /"event":"server\.listening".*?"port":(\d+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        const port = Number(match[1]);
        resolvePromise({ url: `http://127.0.0.1:${port}`, port, child, stop, output: () => out });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${out}\n${err}`));
    });
  });
}

function withoutUndefined(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}
