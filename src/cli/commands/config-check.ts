import { CONFIG_OPTION, ConfigError } from "../../config/config-file.ts";
import { resolveServeSettings } from "../../config/serve-settings.ts";
import { UsageError, type Command } from "../command.ts";

export const configCheckCommand: Command = {
  path: ["config", "check"],
  summary: "Validate the config file without starting",
  usage: `Usage: statusbox config check [--config PATH]

Reads the config file (--config, else STATUSBOX_CONFIG, else ./statusbox.toml) as 'serve'
would, with the STATUSBOX_* variables, and reports the first mistake with the key or the
variable it concerns. Exits 0 when it is valid, 1 when it is not or there is no file
(where 'serve' would stop with exit 2).

Options:
  --config PATH   the file to check
`,
  options: { ...CONFIG_OPTION },
  async run(args, io) {
    try {
      const settings = resolveServeSettings(args);
      if (settings.configPath === null) {
        io.stderr(
          "statusbox config check: no config file " +
            "(--config, STATUSBOX_CONFIG or ./statusbox.toml)\n",
        );
        return 1;
      }
      io.stdout(`${settings.configPath}: ok\n`);
      return 0;
    } catch (error) {
      // A value that is well-formed TOML but not usable (a host with a space, a bad
      // STATUSBOX_PORT) is a UsageError, which would otherwise exit 2 with this usage.
      if (!(error instanceof ConfigError || error instanceof UsageError)) throw error;
      io.stderr(`statusbox config check: ${error.message}\n`);
      return 1;
    }
  },
};
