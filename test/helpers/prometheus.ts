/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), for tests: it
 * throws on anything a Prometheus server would refuse or that breaks the conventions we
 * follow (a sample before its TYPE, a family split in two, a duplicate series, histogram
 * buckets that are not cumulative or disagree with _count).
 */

export type Labels = Record<string, string>;

export interface ParsedSample {
  name: string;
  labels: Labels;
  value: number;
}

export interface ParsedFamily {
  name: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  help: string;
  samples: ParsedSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

export function parsePrometheus(text: string): Map<string, ParsedFamily> {
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  const families = new Map<string, ParsedFamily>();
  const seenSeries = new Set<string>();
  let current: ParsedFamily | null = null;

  text
    .slice(0, -1)
    .split("\n")
    .forEach((line, index) => {
      const where = `line ${index + 1}: ${line}`;
      if (line.trim() === "") return;
      if (line.startsWith("#")) {
        const [, keyword, name, ...rest] = line.split(" ");
        if (keyword !== "HELP" && keyword !== "TYPE") return; // a plain comment
        if (!name || !METRIC_NAME.test(name)) throw new Error(`bad metric name, ${where}`);
        let family = families.get(name);
        if (family && family !== current) throw new Error(`family ${name} split, ${where}`);
        if (!family) {
          family = { name, type: "untyped", help: "", samples: [] };
          families.set(name, family);
        }
        current = family;
        if (keyword === "HELP") family.help = unescape(rest.join(" "), false);
        else {
          const type = rest.join(" ");
          if (!TYPES.has(type)) throw new Error(`bad type, ${where}`);
          if (family.samples.length > 0) throw new Error(`TYPE after samples, ${where}`);
          family.type = type as ParsedFamily["type"];
        }
        return;
      }

      const sample = parseSample(line, where);
      if (!current || !belongsTo(sample.name, current)) {
        throw new Error(`sample outside its family (no TYPE line before it), ${where}`);
      }
      const series = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
      if (seenSeries.has(series)) throw new Error(`duplicate series, ${where}`);
      seenSeries.add(series);
      current.samples.push(sample);
    });

  for (const family of families.values()) {
    if (family.type === "histogram") checkHistogram(family);
  }
  return families;
}

function belongsTo(sampleName: string, family: ParsedFamily): boolean {
  if (family.type !== "histogram") return sampleName === family.name;
  return ["_bucket", "_sum", "_count"].some((suffix) => sampleName === family.name + suffix);
}

function parseSample(line: string, where: string): ParsedSample {
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(line);
  if (!match) throw new Error(`malformed sample, ${where}`);
  const labels = match[3] === undefined ? {} : parseLabels(match[3], where);
  return { name: match[1]!, labels, value: parseValue(match[4]!, where) };
}

function parseLabels(text: string, where: string): Labels {
  const labels: Labels = {};
  let rest = text;
  while (rest.length > 0) {
    const match = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
    if (!match || !LABEL_NAME.test(match[1]!)) throw new Error(`malformed labels, ${where}`);
    if (match[1]! in labels) throw new Error(`label ${match[1]} twice, ${where}`);
    labels[match[1]!] = unescape(match[2]!, true);
    rest = rest.slice(match[0].length);
  }
  return labels;
}

function parseValue(text: string, where: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value, ${where}`);
  return Number(text);
}

function unescape(text: string, quotes: boolean): string {
  return text.replace(/\\(.)/g, (whole, c: string) => {
    if (c === "\\") return "\\";
    if (c === "n") return "\n";
    if (c === '"' && quotes) return '"';
    return whole;
  });
}

/** Buckets per series: `le` ascending, counts not decreasing, +Inf equal to _count. */
function checkHistogram(family: ParsedFamily): void {
  const series = new Map<string, { le: number; value: number }[]>();
  const counts = new Map<string, number>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    if (sample.name.endsWith("_bucket")) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      const list = series.get(key) ?? [];
      list.push({ le: parseValue(le, family.name), value: sample.value });
      series.set(key, list);
    } else if (sample.name.endsWith("_count")) counts.set(key, sample.value);
  }
  for (const [key, buckets] of series) {
    for (let i = 1; i < buckets.length; i++) {
      if (buckets[i]!.le <= buckets[i - 1]!.le || buckets[i]!.value < buckets[i - 1]!.value) {
        throw new Error(`${family.name}${key}: buckets not cumulative`);
      }
    }
    const last = buckets.at(-1);
    if (last?.le !== Infinity) throw new Error(`${family.name}${key}: no +Inf bucket`);
    if (counts.get(key) !== last.value) throw new Error(`${family.name}${key}: +Inf != _count`);
  }
}

/** The value of the one sample of `name` whose labels include `labels`; undefined if none. */
export function sampleValue(
  families: Map<string, ParsedFamily>,
  name: string,
  labels: Labels = {},
): number | undefined {
  for (const family of families.values()) {
    const found = family.samples.filter(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
    if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} is ambiguous`);
    if (found.length === 1) return found[0]!.value;
  }
  return undefined;
}
