/** Durations and windows: what people type, what ONTAP accepts, and what people read back. */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { InvalidDurationError, LimitExceededError } from './errors';

/** Longest text accepted as a duration; anything longer is not a duration someone typed. */
const MAX_INPUT_LENGTH = 40;

const SHORT_FORM =
  /^(?:(\d{1,5})\s*(?:d|days?))?\s*(?:(\d{1,6})\s*(?:h|hrs?|hours?))?\s*(?:(\d{1,7})\s*(?:m|mins?|minutes?))?\s*(?:(\d{1,8})\s*(?:s|secs?|seconds?))?$/i;
const SECONDS_PER = { day: 86_400, hour: 3_600, minute: 60 } as const;

/**
 * Reads a duration as ISO-8601 (`PT2H`, `P1D`, `PT1H30M`) or as the short forms people type
 * (`90m`, `2h`, `1d`, `1h30m`, `2 hours`), and returns it in whole seconds.
 * Zero, negative, sub-second, month and year durations are refused: a JIT window is a positive
 * number of whole seconds, and months have no fixed length.
 */
export function parseDuration(input: string): number {
  if (typeof input !== 'string') throw new InvalidDurationError('A duration must be text such as "2h" or "PT2H".');
  const text = input.trim();
  if (text.length === 0) throw new InvalidDurationError('The duration is empty; write it like "2h", "90m" or "PT2H".');
  if (text.length > MAX_INPUT_LENGTH)
    throw new InvalidDurationError('The duration is too long to be one; write it like "2h" or "PT2H".');
  const seconds = /^[+-]?P/i.test(text) ? parseIso(text) : parseShort(text);
  if (seconds <= 0) throw new InvalidDurationError(`"${text}" is not a positive duration.`);
  return seconds;
}

// Years and months have no fixed length, so an approved window cannot be expressed in them;
// only W/D/H/M/S in whole numbers are accepted.
const ISO_DURATION = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/**
 * Seconds in an ISO-8601 duration (`PT30M`, `PT2H10M20S`, `P90D`, `PT0S`); null when it is not one.
 * Zero is read, not refused: ONTAP's answers may carry `PT0S`.
 */
export function parseIsoDuration(text: string): number | null {
  const m = ISO_DURATION.exec(text.trim());
  if (!m) return null;
  const [, w, d, h, min, s] = m;
  const n = (v: string | undefined): number => (v === undefined ? 0 : Number(v));
  const total = n(w) * 604_800 + n(d) * SECONDS_PER.day + n(h) * SECONDS_PER.hour + n(min) * SECONDS_PER.minute + n(s);
  return Number.isSafeInteger(total) ? total : null;
}

function parseIso(text: string): number {
  if (/^-|P.*-/i.test(text)) throw new InvalidDurationError(`"${text}" is negative; a duration must be positive.`);
  const upper = text.toUpperCase();
  const seconds = parseIsoDuration(upper);
  if (seconds !== null) return seconds;
  if (/^P[^T]*[YM]/.test(upper)) {
    throw new InvalidDurationError(
      `"${text}" uses months or years, which have no fixed length; use days (e.g. "P30D").`,
    );
  }
  if (/\d[.,]\d+S$/.test(upper)) {
    throw new InvalidDurationError(`"${text}" has a fraction of a second; ONTAP accepts whole seconds only.`);
  }
  if (/\d[.,]\d/.test(upper)) {
    throw new InvalidDurationError(`"${text}" has a fraction of a unit; write whole units such as "PT1H30M".`);
  }
  throw new InvalidDurationError(`"${text}" is not an ISO-8601 duration such as "PT2H" or "P1D".`);
}

function parseShort(text: string): number {
  if (/^-/.test(text)) throw new InvalidDurationError(`"${text}" is negative; a duration must be positive.`);
  const match = SHORT_FORM.exec(text);
  if (!match || !/\d/.test(text)) {
    throw new InvalidDurationError(`"${text}" is not a duration; write it like "2h", "90m", "1h30m", "1d" or "PT2H".`);
  }
  const [, d, h, m, s] = match;
  return (
    Number(d ?? 0) * SECONDS_PER.day +
    Number(h ?? 0) * SECONDS_PER.hour +
    Number(m ?? 0) * SECONDS_PER.minute +
    Number(s ?? 0)
  );
}

/** A duration as text in a schema (configuration, payloads), read into whole seconds with parseDuration's message on error. */
export const DurationTextSchema = z.string().transform((text, ctx) => {
  try {
    return parseDuration(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
});

/** Whole seconds as the ISO-8601 duration ONTAP takes: `P90D`, `PT2H10M20S`, `P1DT2H`. */
export function toIsoDuration(seconds: number): string {
  assertWholePositive(seconds);
  const { days, hours, minutes, secs } = split(seconds);
  const date = days > 0 ? `${days}D` : '';
  const time = `${hours > 0 ? `${hours}H` : ''}${minutes > 0 ? `${minutes}M` : ''}${secs > 0 ? `${secs}S` : ''}`;
  return `P${date}${time ? `T${time}` : ''}`;
}

/** Whole seconds as people read them: `2 hours`, `1 hour 30 minutes`, `3 days`. */
export function formatDuration(seconds: number): string {
  assertWholePositive(seconds);
  const { days, hours, minutes, secs } = split(seconds);
  const parts: string[] = [];
  const add = (n: number, unit: string): void => {
    if (n > 0) parts.push(`${n} ${unit}${n === 1 ? '' : 's'}`);
  };
  add(days, 'day');
  add(hours, 'hour');
  add(minutes, 'minute');
  add(secs, 'second');
  return parts.join(' ');
}

function split(seconds: number): { days: number; hours: number; minutes: number; secs: number } {
  return {
    days: Math.floor(seconds / SECONDS_PER.day),
    hours: Math.floor((seconds % SECONDS_PER.day) / SECONDS_PER.hour),
    minutes: Math.floor((seconds % SECONDS_PER.hour) / SECONDS_PER.minute),
    secs: seconds % SECONDS_PER.minute,
  };
}

function assertWholePositive(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds <= 0) {
    throw new InvalidDurationError(`A duration must be a positive whole number of seconds, not ${seconds}.`);
  }
}

/** The limits a requested duration must fit in, all in whole seconds. */
export interface DurationLimits {
  /** The policy's maximum. */
  readonly policyMax: number;
  /** The cluster's `max_jit_validity_period`, when known. */
  readonly clusterMax?: number;
}

/** Refuses a duration over the policy's or the cluster's maximum, naming which one. */
export function checkDurationLimits(seconds: number, limits: DurationLimits): void {
  assertWholePositive(seconds);
  if (seconds > limits.policyMax) {
    throw new LimitExceededError(
      `${formatDuration(seconds)} is longer than the policy allows (at most ${formatDuration(limits.policyMax)}).`,
    );
  }
  if (limits.clusterMax !== undefined && seconds > limits.clusterMax) {
    throw new LimitExceededError(
      `${formatDuration(seconds)} is longer than the cluster allows (max_jit_validity_period ${toIsoDuration(limits.clusterMax)}).`,
    );
  }
}

/** A window in UTC, whole seconds, as ISO-8601 timestamps (`2026-11-22T10:15:31Z`). */
export interface Window {
  /** When the JIT configuration starts to allow elevation. */
  readonly start: string;
  /** When it stops: start + the approved duration. */
  readonly end: string;
}

/** Formats an instant as the UTC, whole-second ISO-8601 timestamp the store and ONTAP use. */
export function toUtcSecond(instant: DateTime): string {
  if (!instant.isValid) throw new InvalidDurationError('That is not a valid point in time.');
  return `${instant.toUTC().startOf('second').toISO({ suppressMilliseconds: true, includeOffset: false })}Z`;
}

/** Parses a stored UTC timestamp; refuses anything that is not one. */
export function parseInstant(text: string): DateTime {
  const instant = DateTime.fromISO(text, { zone: 'utc' });
  if (!instant.isValid) throw new InvalidDurationError(`"${text}" is not an ISO-8601 timestamp.`);
  return instant;
}

/**
 * The window a grant covers: from `start` (truncated to the second, since ONTAP rejects
 * sub-second times) for `seconds`.
 */
export function computeWindow(start: DateTime, seconds: number): Window {
  assertWholePositive(seconds);
  const from = start.toUTC().startOf('second');
  return { start: toUtcSecond(from), end: toUtcSecond(from.plus({ seconds })) };
}

/** How far ahead a start may be scheduled, and how far in the past one may lie before it is refused. */
export interface StartLimits {
  /** Latest start, in seconds from now. */
  readonly maxAheadSeconds: number;
  /** Tolerance for a start slightly in the past (the time it took to fill the form). */
  readonly pastToleranceSeconds?: number;
}

/**
 * Reads a scheduled start given as an ISO-8601 timestamp or as a date and a time in the user's time
 * zone (what Slack's date and time pickers give), and checks it is neither past nor too far ahead.
 */
export function parseScheduledStart(
  input: { readonly iso: string } | { readonly date: string; readonly time: string; readonly zone: string },
  now: DateTime,
  limits: StartLimits,
): DateTime {
  const instant =
    'iso' in input
      ? DateTime.fromISO(input.iso, { setZone: true })
      : DateTime.fromISO(`${input.date}T${input.time}`, { zone: input.zone });
  if (!instant.isValid) {
    throw new InvalidDurationError(`That start time cannot be read (${instant.invalidExplanation ?? 'invalid'}).`);
  }
  const tolerance = limits.pastToleranceSeconds ?? 300;
  if (instant < now.minus({ seconds: tolerance })) throw new InvalidDurationError('The start time is in the past.');
  if (instant > now.plus({ seconds: limits.maxAheadSeconds })) {
    throw new InvalidDurationError(`The start time is more than ${formatDuration(limits.maxAheadSeconds)} ahead.`);
  }
  return instant.toUTC().startOf('second');
}
