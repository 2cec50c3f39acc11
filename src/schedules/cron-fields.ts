const FIVE = "minute hour day-of-month month day-of-week";

/**
 * Why a cron expression has the wrong number of fields, or null: 5 are accepted, or 6 with
 * seconds first, or a nickname such as `@daily`. croner's own sentences for a wrong count
 * speak of its modes ("five, six, or seven ... parts are required") rather than of ours, so
 * the API, the config file and the command line all check the count here first.
 */
export function cronFieldsProblem(cron: string): string | null {
  const fields = cron
    .trim()
    .split(/\s+/)
    .filter((field) => field !== "");
  if (fields.length === 5 || fields.length === 6) return null;
  // A nickname is croner's to judge; an unknown one gets its sentence.
  if (fields.length === 1 && fields[0]!.startsWith("@")) return null;
  const count = `${fields.length} field${fields.length === 1 ? "" : "s"}`;
  return (
    `is not a valid cron expression: it has ${count}; 5 are accepted ` +
    `(${FIVE}), or 6 with seconds first (second ${FIVE})`
  );
}
