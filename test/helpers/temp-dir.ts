import { afterEach } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh folder under the system temp dir; `cleanup` removes it and everything in it. */
export function makeTempDir(prefix = "statusbox-test-"): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * For a test file whose tests each want fresh folders: answers a function that makes one,
 * and registers an afterEach that removes every folder made during the test just run.
 */
export function tempDirsPerTest(prefix?: string): () => string {
  const made: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of made.splice(0)) cleanup();
  });
  return () => {
    const dir = makeTempDir(prefix);
    made.push(dir.cleanup);
    return dir.path;
  };
}
