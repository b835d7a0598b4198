import { closeSync, constants, openSync } from 'node:fs';
import { ReadStream, WriteStream } from 'node:tty';
import type { ByteLink } from './board-client.js';
import { FpgaError } from './errors.js';
import { runCommand, type CommandRunner } from './run.js';

/**
 * A ByteLink over a serial device or pseudo-terminal, with no native dependency: the line is put in
 * raw mode through libuv (tty.ReadStream.setRawMode) and, for a real port, set to the baud rate
 * with `stty` (argv, Linux). Backs `--backend board --port /dev/ttyUSB1`, and is tested against a
 * socat pty pair in front of the Verilated board top. (The `serialport` npm package can replace it
 * for portability; the ByteLink interface stays the same.)
 */
export class TtyLink implements ByteLink {
  private readonly rx: ReadStream;
  private readonly tx: WriteStream;
  private chunks: Buffer[] = [];
  private waiter: (() => void) | undefined;
  private closed = false;

  private constructor(private readonly fd: number) {
    this.rx = new ReadStream(fd);
    this.rx.setRawMode(true);
    this.tx = new WriteStream(fd);
    this.rx.on('data', (b: Buffer | string) => {
      this.chunks.push(typeof b === 'string' ? Buffer.from(b, 'latin1') : b);
      this.waiter?.();
    });
  }

  /**
   * Open a serial device. With `baud`, first configure the line with
   * `stty -F DEV BAUD raw -echo -crtscts cs8 -cstopb -parenb` (8N1, no flow control).
   */
  static async open(path: string, baud?: number, runner: CommandRunner = runCommand): Promise<TtyLink> {
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
    } catch (e) {
      throw new FpgaError('protocol', `cannot open ${path}: ${(e as Error).message}`);
    }
    // Configure while our descriptor holds the line open: on a pseudo-terminal, the moment the last
    // descriptor of the slave closes (stty's own, if it ran first) the master side sees a hang-up,
    // and socat then ends the session — which under load happened before we had opened it.
    if (baud !== undefined) {
      let problem: string | undefined;
      try {
        const r = await runner({ argv: ['stty', '-F', path, String(baud), 'raw', '-echo', '-crtscts', 'cs8', '-cstopb', '-parenb'], cwd: '/' });
        if (r.code !== 0) problem = r.spawnError ?? r.output.trim();
      } catch (e) {
        problem = (e as Error).message;
      }
      if (problem !== undefined) {
        closeSync(fd);
        throw new FpgaError('protocol', `cannot configure ${path} for ${baud} baud: ${problem}`);
      }
    }
    return new TtyLink(fd);
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.tx.write(bytes, (e) => (e ? reject(e) : resolve())));
  }

  read(timeoutMs: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const take = (): boolean => {
        if (this.chunks.length === 0) return false;
        const b = Buffer.concat(this.chunks);
        this.chunks = [];
        resolve(new Uint8Array(b));
        return true;
      };
      if (take()) return;
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new FpgaError('protocol', `no bytes from the board within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = () => {
        if (take()) {
          clearTimeout(timer);
          this.waiter = undefined;
        }
      };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.rx.setRawMode(false);
    this.rx.destroy();
    this.tx.destroy();
    try {
      closeSync(this.fd);
    } catch {
      /* already closed by the streams */
    }
  }
}
