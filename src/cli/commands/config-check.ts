import { CONFIG_OPTION, ConfigError } from "../../config/config-file.ts";
import { resolveServeSettings } from "../../config/serve-settings.ts";
import type { Command } from "../command.ts";

export const configCheckCommand: Command = {
  path: ["config", "check"],
  summary: "Validate the config file without starting",
  usage: `Usage: statusbox config check [--config PATH]

Reads the config file (--config, else STATUSBOX_CONFIG, else ./statusbox.toml) as 'serve'
would, and reports the first mistake with the key it concerns. Exits 0 when it is valid,
1 when it is not.

Options:
  --config PATH   the file to check
`,
  options: { ...CONFIG_OPTION },
  async run(args, io) {
    try {
      const settings = resolveServeSettings(args);
      if (settings.configPath === null) {
        io.stderr("statusbox config check: no config file (--config, STATUSBOX_CONFIG or ./statusbox.toml)\n");
        return 1;
      }
      io.stdout(`${settings.configPath}: ok\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.stderr(`statusbox config check: ${error.message}\n`);
      return 1;
    }
  },
};
