export {};

/**
 * Builds the single executable `dist/statusbox` with `bun build --compile`. Everything the
 * user runs (daemon, CLI, TUI) is in it; it needs nothing beside it at run time.
 */
const outfile = process.argv[2] ?? "dist/statusbox";

const result = await Bun.build({
  entrypoints: ["src/main.ts"],
  compile: { outfile },
  minify: true,
});

if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
console.log(`built ${outfile}`);
