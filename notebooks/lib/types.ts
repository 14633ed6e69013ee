/**
 * The shape of a study report, independent of how it is written out. A study builds a `Report`
 * (metadata, then blocks in reading order, then its raw data) and `writeReport` turns it into
 * `index.html`, `report.md`, `data.json` and one SVG + PNG per chart.
 *
 * Invariant: nothing in a Report depends on the wall clock, so the same seed gives the same
 * `data.json` (timings go to stderr only).
 */
import type { TopLevelSpec } from 'vega-lite';

/** What every report states at its top. */
export interface ReportMeta {
  /** Study id, also the output folder name (`seed`, `capacity`, ...). */
  study: string;
  title: string;
  seed: number;
  /** cnisim version (package.json). */
  version: string;
  /** The profile the predictions used: a file path, or a description of the built-in defaults. */
  profile: string;
  /** How precise the numbers are: requests per point, replications, what the CIs mean. */
  precision: string;
  quick: boolean;
  /**
   * What every simulated point warned about (the set-up: a host inheriting another's costs, a
   * profile fitted on another host), and how many points warned of something more (in data.json).
   */
  warnings?: string[];
}

/**
 * A 95 % interval in a table: shown as `lo to hi` (with a sign on each end when `signed`, and
 * `(note)` after it), given as the array `[lo, hi]` by `study --json`. An end that does not exist
 * (a server count for a capacity of 0) is null.
 */
export interface IntervalCell {
  interval: [number | null, number | null];
  signed?: boolean;
  note?: string;
}

export type Cell = string | number | null | IntervalCell;

export interface TableColumn {
  key: string;
  /** Header with the unit in it (`p99_ms`). */
  header: string;
  /** Digits after the decimal point for numbers (default: 3 significant digits). */
  digits?: number;
}

export interface Table {
  id: string;
  caption: string;
  columns: TableColumn[];
  rows: Record<string, Cell>[];
}

export type Block =
  | { kind: 'heading'; text: string }
  /** A paragraph or list in a small markdown subset: `code`, **bold**, `- ` bullets. */
  | { kind: 'text'; markdown: string }
  | { kind: 'table'; table: Table }
  /** A vega-lite chart: rendered by vega-embed in the page, by vega headless for SVG/PNG. */
  | { kind: 'vega-lite'; id: string; caption: string; spec: TopLevelSpec }
  /** A chart drawn as SVG on the server (the d3 CPU heatmap). */
  | { kind: 'svg'; id: string; caption: string; svg: string };

export interface Report {
  meta: ReportMeta;
  blocks: Block[];
  /** The study's raw results, written to data.json next to the tables. Must be JSON-safe. */
  data: unknown;
}

export interface WrittenReport {
  htmlPath: string;
  markdownPath: string;
  dataPath: string;
  /** Chart id to its SVG and PNG paths. */
  charts: { id: string; svgPath: string; pngPath: string }[];
}
