/**
 * ISO-8601 durations and ONTAP timestamps as the simulator reads and writes them.
 * Kept apart from the client's own parser on purpose: the simulator is the
 * oracle the client is tested against, so it must not share the client's bugs.
 */

// Years and months have no fixed length, so a window cannot be measured in them;
// the simulator refuses them (ONTAP's documentation only shows D/H/M/S values).
const DURATION = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Seconds in an ISO-8601 duration such as `PT2H10M20S` or `P90D`; null when it is not one. */
export function durationSeconds(text: string): number | null {
  const m = DURATION.exec(text);
  if (!m) return null;
  const [, w, d, h, min, s] = m;
  const n = (v: string | undefined): number => (v === undefined ? 0 : Number(v));
  return n(w) * 604800 + n(d) * 86400 + n(h) * 3600 + n(min) * 60 + n(s);
}

/** The canonical ISO-8601 form of a number of seconds: `P90D`, `PT1H`, `P1DT2H3M4S`, `PT0S`. */
export function formatDuration(totalSeconds: number): string {
  const days = Math.floor(totalSeconds / 86400);
  let rest = totalSeconds - days * 86400;
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  const seconds = rest - minutes * 60;
  let time = '';
  if (hours) time += `${hours}H`;
  if (minutes) time += `${minutes}M`;
  if (seconds) time += `${seconds}S`;
  if (!days && !time) return 'PT0S';
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

// The reference pages show "2024-11-08 05:15:31 -0500"; NetApp's clients send
// "2024-11-08T11:15:31+00:00". Both are accepted, plus "Z".
const TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)? ?(Z|[+-]\d{2}:?\d{2})$/;

/** Result of reading a timestamp sent to the simulator. */
export type ParsedTime = { ok: true; ms: number } | { ok: false; reason: 'format' | 'subsecond' };

/** Reads an ONTAP timestamp; sub-second precision is reported separately because ONTAP rejects it. */
export function parseOntapTime(text: string): ParsedTime {
  const m = TIME.exec(text);
  if (!m) return { ok: false, reason: 'format' };
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (frac !== undefined) return { ok: false, reason: 'subsecond' };
  const offset = zone === 'Z' || zone === undefined ? '+00:00' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  return Number.isFinite(ms) ? { ok: true, ms } : { ok: false, reason: 'format' };
}

/** Formats epoch ms the way the JIT reference pages show times: `2024-11-08 10:15:31 +0000`. */
export function formatOntapTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000`;
}

/** Formats epoch ms as ISO-8601 with offset, the swagger `date-time` form used by jobs. */
export function formatIsoTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}
