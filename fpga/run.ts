import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/**
 * Running an external tool: an argv array and an explicit working directory, never a shell string
 * and never a chdir of our own process (STYLE.md). Output goes to memory (small probes) or to a log
 * file (P&R, which can print megabytes).
 */
export interface CommandSpec {
  /** argv[0] is the executable path, the rest its arguments, passed as-is (no shell). */
  readonly argv: readonly string[];
  readonly cwd: string;
  /** Write stdout and stderr (interleaved) here instead of keeping them. */
  readonly logFile?: string;
  /** Kill the tool after this long (default: no limit). */
  readonly timeoutMs?: number;
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** Stop the tool (SIGTERM) when this aborts; the result then has `aborted`. */
  readonly signal?: AbortSignal;
}

export interface CommandResult {
  /** Exit code, or null when killed by a signal (see `signal`). */
  readonly code: number | null;
  readonly signal: string | null;
  /** Captured output (empty when a log file was given). */
  readonly output: string;
  readonly seconds: number;
  readonly timedOut: boolean;
  /** Stopped through `signal`. */
  readonly aborted?: boolean;
  /** Set when the executable could not be started at all (ENOENT, EACCES). */
  readonly spawnError?: string;
}

/** The injectable runner type, so flows can be tested with a fake. */
export type CommandRunner = (spec: CommandSpec) => Promise<CommandResult>;

/** Spawn a tool and wait for it. Never rejects: failures come back in the result. */
export const runCommand: CommandRunner = (spec) =>
  new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const secs = (): number => Number(process.hrtime.bigint() - t0) / 1e9;
    const [exe, ...args] = spec.argv;
    if (exe === undefined) {
      resolve({ code: null, signal: null, output: '', seconds: 0, timedOut: false, spawnError: 'empty argv' });
      return;
    }
    const log = spec.logFile ? createWriteStream(spec.logFile) : undefined;
    const chunks: Buffer[] = [];
    let timedOut = false;
    let aborted = false;
    let settled = false;
    const child = spawn(exe, args, {
      cwd: spec.cwd,
      env: spec.env ? { ...process.env, ...spec.env } : process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const sink = (b: Buffer): void => {
      if (log) log.write(b);
      else chunks.push(b);
    };
    child.stdout.on('data', sink);
    child.stderr.on('data', sink);
    const timer = spec.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, spec.timeoutMs)
      : undefined;
    const onAbort = (): void => {
      aborted = true;
      child.kill('SIGTERM');
    };
    if (spec.signal?.aborted) onAbort();
    else spec.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (r: Omit<CommandResult, 'output' | 'seconds' | 'timedOut'>): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      const done = (): void => resolve({ ...r, output: Buffer.concat(chunks).toString('utf8'), seconds: secs(), timedOut, ...(aborted ? { aborted } : {}) });
      if (log) log.end(done);
      else done();
    };
    child.on('error', (e) => finish({ code: null, signal: null, spawnError: e.message }));
    child.on('close', (code, signal) => finish({ code, signal }));
  });
