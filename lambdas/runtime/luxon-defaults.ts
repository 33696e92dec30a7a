/**
 * Luxon's defaults for every function, set once when a function loads. The product reads and writes
 * instants in UTC and formats none in a locale, so luxon's default locale is fixed here: left unset,
 * luxon asks the system for it on its first parse, which builds an `Intl.DateTimeFormat` (ICU's data
 * loaded) in the middle of a cold start, for a locale nothing uses.
 */
import { Settings } from 'luxon';

/** The locale luxon parses and formats in when a call names none. */
export const LUXON_LOCALE = 'en-US';

Settings.defaultLocale = LUXON_LOCALE;
