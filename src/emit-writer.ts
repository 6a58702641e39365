// The staging folder's writers (emit.ts). Both make the folders, encode, hash and write
// every file they are given (fileWriter below), and give the digests back in order for the
// manifest; they differ in where that runs:
//   - InlineWriter: on the main thread, between renders: for a small cluster.
//   - ThreadWriter: on a second thread, while the main thread renders the next files. A
//     thousand nodes are some five thousand files; their mkdir/open/write/close calls were a
//     third of such a compile on the main thread, and now run on the machine's other core.
//     Starting the thread costs about what it saves at 20 nodes (whole compiles, measured).
//
// The thread gets each file's text as it is made (path, mode, parts) and acknowledges it
// once written, so the main thread never runs more than IN_FLIGHT files ahead (the texts
// waiting in the queue are memory). At the end it sends the digests, or the first error
// (the files after it are not written).

import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';

/** From this many nodes on, the files are written on a second thread. */
export const THREAD_FROM_NODES = 20;

/** Files sent but not yet written: enough to keep the thread busy, few enough to hold. */
const IN_FLIGHT = 64;

export interface StagingWriter {
  /** Writes one new file (its folder made as needed), exactly `mode`; may wait for the writer to catch up. */
  write(target: string, mode: number, parts: readonly string[]): Promise<void>;
  /** Every file written: their sha256 digests in the order given; the first error otherwise. */
  finish(): Promise<string[]>;
  /** Stops writing (the caller then removes the staging folder). */
  abort(): Promise<void>;
}

/** The writer for a cluster of `nodes` nodes. */
export function stagingWriter(nodes: number): StagingWriter {
  return nodes >= THREAD_FROM_NODES ? new ThreadWriter() : new InlineWriter();
}

/**
 * A function that writes one new file and returns its sha256. It uses only its arguments
 * and JavaScript's own globals: the writer thread is given it as source text.
 */
function fileWriter(fsModule: typeof fs, hash: typeof createHash, dirOf: typeof dirname) {
  const made = new Set<string>();
  // One buffer, reused for every file: thousands of files' bytes, each in a new Buffer, are
  // memory outside V8's heap that makes it collect all of its heap again and again.
  let scratch = Buffer.allocUnsafe(1 << 16);
  const encoded = (parts: readonly string[]): Buffer => {
    let at = 0;
    for (const part of parts) {
      // A UTF-16 unit is at most 3 bytes of UTF-8 (a surrogate pair, two units, 4 bytes).
      if (scratch.length - at < part.length * 3) {
        const bigger = Buffer.allocUnsafe(Math.max(scratch.length * 2, at + part.length * 3));
        scratch.copy(bigger, 0, 0, at);
        scratch = bigger;
      }
      at += scratch.write(part, at, 'utf8');
    }
    return scratch.subarray(0, at);
  };
  return (target: string, mode: number, parts: readonly string[]): string => {
    const bytes = encoded(parts);
    const dir = dirOf(target);
    if (!made.has(dir)) {
      fsModule.mkdirSync(dir, { recursive: true, mode: 0o700 });
      made.add(dir);
    }
    const fd = fsModule.openSync(target, 'wx', mode);
    try {
      for (let at = 0; at < bytes.length; ) at += fsModule.writeSync(fd, bytes, at);
      fsModule.fchmodSync(fd, mode); // the umask must not loosen or tighten the contract's modes
    } finally {
      fsModule.closeSync(fd);
    }
    return hash('sha256').update(bytes).digest('hex');
  };
}

/** Writes each file when given, on the main thread. */
export class InlineWriter implements StagingWriter {
  private readonly writeFile = fileWriter(fs, createHash, dirname);
  private readonly digests: string[] = [];

  async write(target: string, mode: number, parts: readonly string[]): Promise<void> {
    this.digests.push(this.writeFile(target, mode, parts));
  }

  async finish(): Promise<string[]> {
    return this.digests;
  }

  async abort(): Promise<void> {}
}

const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
const writeFile = (${fileWriter.toString()})(require('node:fs'), require('node:crypto').createHash, require('node:path').dirname);
const digests = [];
let failure;
parentPort.on('message', (m) => {
  if (m.end) {
    parentPort.postMessage(failure ? { failure } : { digests });
    return;
  }
  if (!failure) {
    try {
      digests.push(writeFile(m.target, m.mode, m.parts));
    } catch (e) {
      failure = { message: e.message, code: e.code, errno: e.errno, syscall: e.syscall, path: e.path };
    }
  }
  parentPort.postMessage({ written: 1 });
});
`;

interface Failure {
  message: string;
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
}

type Reply = { written: 1 } | { digests: string[] } | { failure: Failure };

/** Writes the files on a second thread. */
export class ThreadWriter implements StagingWriter {
  private readonly thread = new Worker(THREAD_SOURCE, { eval: true });
  private sent = 0;
  private written = 0;
  private wake: (() => void) | undefined;
  private readonly result: Promise<string[]>;

  constructor() {
    this.result = new Promise<string[]>((resolve, reject) => {
      this.thread.on('message', (m: Reply) => {
        if ('written' in m) {
          this.written++;
          this.wake?.();
        } else if ('digests' in m) resolve(m.digests);
        else reject(Object.assign(new Error(m.failure.message), m.failure));
      });
      this.thread.on('error', reject);
      this.thread.on('exit', (code) => reject(new Error(`the writer thread stopped (exit code ${code}) before it had written every file`)));
    });
    // Until finish() is awaited a failure is only recorded, never an unhandled rejection.
    this.result.catch(() => undefined);
  }

  async write(target: string, mode: number, parts: readonly string[]): Promise<void> {
    this.thread.postMessage({ target, mode, parts });
    this.sent++;
    while (this.sent - this.written >= IN_FLIGHT) {
      await Promise.race([new Promise<void>((resolve) => (this.wake = resolve)), this.result]);
    }
  }

  async finish(): Promise<string[]> {
    this.thread.postMessage({ end: true });
    try {
      return await this.result;
    } finally {
      await this.thread.terminate();
    }
  }

  async abort(): Promise<void> {
    await this.thread.terminate();
  }
}
