/** ISO-8601 durations and ONTAP timestamps, as the client sends and reads them. */
import { OntapInvalidInputError } from './errors';

// Years and months have no fixed length, so an approved window cannot be
// expressed in them; only W/D/H/M/S are accepted.
const DURATION = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Seconds in an ISO-8601 duration (`PT30M`, `PT2H10M20S`, `P90D`); null when it is not one. */
export function parseIsoDuration(text: string): number | null {
  const m = DURATION.exec(text.trim());
  if (!m) return null;
  const [, w, d, h, min, s] = m;
  const n = (v: string | undefined): number => (v === undefined ? 0 : Number(v));
  const total = n(w) * 604800 + n(d) * 86400 + n(h) * 3600 + n(min) * 60 + n(s);
  return Number.isSafeInteger(total) ? total : null;
}

/** Canonical ISO-8601 form of whole seconds: `P90D`, `PT1H`, `P1DT2H3M4S`. */
export function formatIsoDuration(totalSeconds: number): string {
  const days = Math.floor(totalSeconds / 86400);
  let rest = totalSeconds - days * 86400;
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  const seconds = rest - minutes * 60;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
  if (!days && !time) return 'PT0S';
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

/** A duration given as ISO-8601 text or as whole seconds. */
export type DurationInput = string | number;

/** Whole positive seconds of a duration input; throws OntapInvalidInputError naming `field`. */
export function durationToSeconds(value: DurationInput, field: string): number {
  const seconds = typeof value === 'number' ? value : parseIsoDuration(value);
  if (seconds === null || !Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new OntapInvalidInputError(`${field} must be a positive ISO-8601 duration such as PT30M or P1D, or whole seconds`, { target: field });
  }
  return seconds;
}

// ONTAP's pages show "2024-11-08 05:15:31 -0500"; NetApp's clients send
// "2024-11-08T11:15:31+00:00"; both (and "Z", and fractions in answers) are read.
const TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?\d* ?(Z|[+-]\d{2}:?\d{2})$/;

/** Epoch ms of an ONTAP timestamp; null when it is not one. */
export function parseOntapTime(text: string): number | null {
  const m = TIME.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const offset = zone === 'Z' ? '+00:00' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${offset}`);
  return Number.isFinite(ms) ? ms : null;
}

/** The form NetApp's clients send: `2024-11-08T11:15:31+00:00` (UTC, whole seconds). */
export function formatOntapTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

/** ISO-8601 UTC with `Z`, the form the client hands back to callers. */
export function toIsoUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * Epoch ms of a start time given as a Date or ISO-8601 string. ONTAP rejects
 * sub-second precision, and silently truncating would grant something other
 * than what was approved, so fractions of a second are refused.
 */
export function startTimeToMillis(value: Date | string, field: string): number {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(ms)) throw new OntapInvalidInputError(`${field} is not a valid time`, { target: field });
  if (ms % 1000 !== 0) throw new OntapInvalidInputError(`${field} must be whole seconds: ONTAP rejects sub-second precision`, { target: field });
  return ms;
}
