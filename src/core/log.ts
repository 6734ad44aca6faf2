import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * A small logger: lines go to stderr (at `level` and above) and, when a file is
 * attached, every line at debug and above goes to the run's log file.
 */
export class Logger {
  private file: string | undefined;
  constructor(
    public level: LogLevel = 'info',
    private readonly name = 'affectlab',
    private readonly stream: NodeJS.WritableStream | null = process.stderr,
  ) {}

  attachFile(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    this.file = path;
  }

  child(name: string): Logger {
    const c = new Logger(this.level, `${this.name}.${name}`, this.stream);
    c.file = this.file;
    return c;
  }

  log(level: LogLevel, msg: string): void {
    const line = `[${new Date().toISOString()}][${this.name}][${level.toUpperCase()}] ${msg}`;
    if (this.file) appendFileSync(this.file, `${line}\n`);
    if (this.stream && ORDER[level] >= ORDER[this.level]) this.stream.write(`${line}\n`);
  }

  debug(msg: string): void {
    this.log('debug', msg);
  }
  info(msg: string): void {
    this.log('info', msg);
  }
  warn(msg: string): void {
    this.log('warn', msg);
  }
  error(msg: string): void {
    this.log('error', msg);
  }
}

/** A logger that writes nowhere (tests, library use). */
export const silentLogger = new Logger('error', 'affectlab', null);
