/**
 * Bundler plugins that let Ink live inside the compiled binary. Ink's development mode
 * (DEV=true in the environment) assumes its own files on disk and an optional package; inside
 * `bun build --compile` neither exists, so the binary leaves that mode out entirely.
 */

/**
 * Ink loads `react-devtools-core` only when DEV=true and the package is installed, but the
 * import is written in its source, so the bundler must resolve it and cannot. We do not ship
 * React DevTools: the import resolves to an empty module, and Ink's own check (can the
 * package be resolved at run time?) keeps it from ever being used.
 */
export const devtoolsStub: Bun.BunPlugin = {
  name: "react-devtools-core stub",
  setup(build) {
    build.onResolve({ filter: /^react-devtools-core$/ }, () => ({
      path: "react-devtools-core",
      namespace: "statusbox-stub",
    }));
    build.onLoad({ filter: /.*/, namespace: "statusbox-stub" }, () => ({
      contents: "export default { initialize() {}, connectToDevTools() {} };",
      loader: "js",
    }));
  },
};

/** How Ink 8 asks for its development mode, in build/reconciler.js and build/ink.js. */
const DEV_CHECK = "process.env['DEV'] === 'true'";

/**
 * With DEV=true, Ink's reconciler reads `../package.json` beside its own file, which in the
 * binary is `/$bunfs/package.json` and does not exist: Ink printed a warning and an error dump
 * over the terminal before the watch UI opened. DEV is a common variable in people's shells,
 * so the binary must not react to it: each of Ink's checks for it becomes `false`.
 *
 * The build fails when the reconciler no longer contains the check (a new Ink may word it
 * differently), rather than shipping a binary that prints the dump again.
 */
export const inkDevModeOff: Bun.BunPlugin = {
  name: "ink development mode off",
  setup(build) {
    build.onLoad(
      { filter: /[\\/]node_modules[\\/]ink[\\/]build[\\/][^\\/]+\.js$/ },
      async (args) => {
        const source = await Bun.file(args.path).text();
        if (/[\\/]reconciler\.js$/.test(args.path) && !source.includes(DEV_CHECK)) {
          throw new Error(
            `${args.path} no longer contains ${DEV_CHECK}: update ${import.meta.file}`,
          );
        }
        return { contents: source.replaceAll(DEV_CHECK, "false"), loader: "js" };
      },
    );
  },
};
