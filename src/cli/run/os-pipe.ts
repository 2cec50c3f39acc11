import { dlopen, FFIType, ptr } from "bun:ffi";
import { closeSync } from "node:fs";

/** Both ends of a pipe: file descriptors owned by the caller, who closes them. */
export interface OsPipe {
  read: number;
  write: number;
}

/** O_CLOEXEC on Linux (x86-64 and arm64 alike): the ends must not leak into other children. */
const O_CLOEXEC = 0o2000000;

type Libc = { pipe2(fds: ReturnType<typeof ptr>, flags: number): number };
let libc: Libc | null | undefined;

/**
 * A kernel pipe, as a shell makes for `cmd | cat`, or null where none can be made here.
 * Bun.spawn's `"pipe"` is a socket pair, and a socket costs the writer more than a pipe: a
 * shell loop of 100,000 `echo`s took about 90 ms longer writing into one (measured with a
 * plain reader). A pipe also keeps what a command sees when its reader goes away: SIGPIPE,
 * where a socket gives ECONNRESET. Made with pipe2(2) from the C library, so only on Linux;
 * elsewhere, or if the library cannot be loaded, the caller falls back to Bun's pipes.
 */
export function openPipe(): OsPipe | null {
  const pipe2 = loadLibc()?.pipe2;
  if (!pipe2) return null;
  const fds = new Int32Array(2);
  if (pipe2(ptr(fds), O_CLOEXEC) !== 0) return null;
  return { read: fds[0]!, write: fds[1]! };
}

/**
 * Closes a descriptor we own. The caller makes sure it is closed once: the number may since
 * name another file.
 */
export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing to do: the descriptor is gone either way.
  }
}

function loadLibc(): Libc | null {
  if (libc !== undefined) return libc;
  libc = null;
  if (process.platform !== "linux") return null;
  const signature = { pipe2: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.i32 } } as const;
  // glibc's name first; musl (Alpine) has its own.
  for (const name of ["libc.so.6", `libc.musl-${muslArch()}.so.1`]) {
    try {
      libc = dlopen(name, signature).symbols as Libc;
      return libc;
    } catch {
      // Not this library: try the next.
    }
  }
  return null;
}

const muslArch = () => (process.arch === "arm64" ? "aarch64" : "x86_64");
