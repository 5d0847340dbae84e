import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where the PostgreSQL server binaries are looked for (PG_BIN overrides). */
const BIN_DIRS = ['/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin', '/usr/local/pgsql/bin'];

/** The directory holding initdb and pg_ctl, or null. */
export function postgresBinaries(): string | null {
  const dirs = process.env.PG_BIN ? [process.env.PG_BIN] : BIN_DIRS;
  return dirs.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) ?? null;
}

/**
 * Why a private cluster cannot be made here (the binaries are missing, or the process is root and there
 * is no `postgres` user to run them as), or null when it can.
 */
export function privateClusterUnavailable(): string | null {
  if (!postgresBinaries())
    return `the PostgreSQL server binaries (initdb, pg_ctl) were not found in ${BIN_DIRS.join(', ')}; set PG_BIN to their directory`;
  if (process.getuid?.() === 0 && !postgresUid())
    return 'running as root, and there is no "postgres" user to run initdb and pg_ctl as';
  return null;
}

/** The uid and gid of the `postgres` user, or null when there is none. */
function postgresUid(): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
  } catch {
    return null;
  }
}

export type PrivateCluster = {
  /** postgres:// URL of the `postgres` database (trust auth, user postgres). */
  url: string;
  port: number;
  dir: string;
  /** `pg_ctl stop -m immediate`: every backend is killed at once, as in a crash. */
  stopImmediately(): Promise<void>;
  /** `pg_ctl start` (waits until it accepts connections). */
  start(): Promise<void>;
  /** Stops the server (fast) and removes its directory. */
  destroy(): Promise<void>;
};

/**
 * A PostgreSQL cluster of this test's own, in a temporary directory, on `port` (TCP on 127.0.0.1 and
 * a socket in the directory). It can be crashed and restarted without touching any other server. Check
 * `privateClusterUnavailable()` first.
 */
export async function createPrivateCluster(port: number): Promise<PrivateCluster> {
  const bin = postgresBinaries();
  if (!bin) throw new Error(privateClusterUnavailable() ?? 'no PostgreSQL binaries');
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-pg-'));
  const data = join(dir, 'data');
  const owner = process.getuid?.() === 0 ? postgresUid() : null;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  // As root, the binaries run as the postgres user (initdb refuses root).
  const exec = (command: string, args: string[]) =>
    owner
      ? run('runuser', ['-u', 'postgres', '--', join(bin, command), ...args], { cwd: dir })
      : run(join(bin, command), args, { cwd: dir });
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const pgCtl = (...args: string[]) => exec('pg_ctl', ['-D', data, '-l', join(dir, 'log'), ...args]);

  await exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const start = async () => {
    await pgCtl('-o', options, '-w', '-t', '30', 'start');
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    async stopImmediately() {
      await pgCtl('-m', 'immediate', '-w', 'stop');
    },
    start,
    async destroy() {
      await pgCtl('-m', 'fast', '-w', 'stop').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
