import { chmodSync, closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir } from "./temp-dir.ts";

/**
 * File-system faults for the reliability tests: a read-only folder and a full disk. As root
 * (CI runs as root, where chmod means nothing) they need mounts; as another user a
 * read-only folder is a chmod away, but a full disk still needs a mount.
 */

const isRoot = process.getuid?.() === 0;

function run(args: string[]): boolean {
  return Bun.spawnSync(args, { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
}

let mountable: boolean | null = null;

/** Whether this process may mount a tmpfs (root in a container that allows it). */
export function canMount(): boolean {
  if (mountable !== null) return mountable;
  const probe = makeTempDir("statusbox-mount-probe-");
  mountable = isRoot && run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", probe.path]);
  if (mountable) run(["umount", probe.path]);
  probe.cleanup();
  return mountable;
}

/** Whether `makeReadOnly` can work here: as root it needs a mount, otherwise chmod does. */
export function canMakeReadOnly(): boolean {
  return !isRoot || canMount();
}

/** Mounts a tmpfs of `sizeKiB` on `path`; answers the function that unmounts it. */
export function mountTmpfs(path: string, sizeKiB: number): () => void {
  if (!run(["mount", "-t", "tmpfs", "-o", `size=${sizeKiB}k,mode=0700`, "tmpfs", path])) {
    throw new Error(`could not mount a tmpfs on ${path}`);
  }
  return () => void run(["umount", "-l", path]);
}

/**
 * Makes a folder and everything in it read-only for this process: a read-only bind mount
 * as root, chmod otherwise. Answers the function that undoes it.
 */
export function makeReadOnly(path: string, files: string[] = []): () => void {
  if (isRoot) {
    const ok =
      run(["mount", "--bind", path, path]) && run(["mount", "-o", "remount,bind,ro", path, path]);
    if (!ok) throw new Error(`could not mount ${path} read-only`);
    return () => void run(["umount", "-l", path]);
  }
  for (const file of files) chmodSync(join(path, file), 0o400);
  chmodSync(path, 0o500);
  return () => {
    chmodSync(path, 0o700);
    for (const file of files) chmodSync(join(path, file), 0o600);
  };
}

/** Writes zeros to `dir/filler` until the disk is full; answers the filler's path. */
export function fillDisk(dir: string): string {
  const path = join(dir, "filler");
  const fd = openSync(path, "w");
  const chunk = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      try {
        if (writeSync(fd, chunk) < chunk.length) break;
      } catch {
        break; // ENOSPC
      }
    }
    // A small tail may still fit: fill it a byte-size step at a time.
    for (const size of [4096, 512, 1]) {
      try {
        while (writeSync(fd, chunk.subarray(0, size)) === size);
      } catch {
        // ENOSPC at this size: try the next smaller one.
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}
