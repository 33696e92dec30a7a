/** ONTAP timestamps and the duration inputs the client takes, as it sends and reads them. */
import { parseIsoDuration } from '../domain/durations';
import { OntapInvalidInputError } from './errors';

/** A duration given as ISO-8601 text or as whole seconds. */
export type DurationInput = string | number;

/** Whole positive seconds of a duration input; throws OntapInvalidInputError naming `field`. */
export function durationToSeconds(value: DurationInput, field: string): number {
  const seconds = typeof value === 'number' ? value : parseIsoDuration(value);
  if (seconds === null || !Number.isSafeInteger(seconds) || seconds <= 0) {
    const text = `${field} must be a positive ISO-8601 duration such as PT30M or P1D, or whole seconds`;
    throw new OntapInvalidInputError(text, { target: field });
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
  if (ms % 1000 !== 0)
    throw new OntapInvalidInputError(`${field} must be whole seconds: ONTAP rejects sub-second precision`, {
      target: field,
    });
  return ms;
}
