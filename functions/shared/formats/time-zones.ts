import { Temporal } from 'temporal-polyfill';

/**
 * A wall-clock time on a day in an IANA time zone, resolved with the runtime's time zone database. A time
 * skipped by a clock change moves forward, as RFC 5545 reads such a DTSTART.
 */
export const zonedDateTime = (date: string, time: string, timeZone: string): Temporal.ZonedDateTime =>
  Temporal.PlainDateTime.from(`${date}T${time}`).toZonedDateTime(timeZone);

/** ISO 8601 with the offset in force then, e.g. `2015-09-28T09:00:00-05:00`. */
export const withOffset = (time: Temporal.ZonedDateTime): string =>
  time.toString({ timeZoneName: 'never', smallestUnit: 'second' });

const NANOSECONDS_PER_SECOND = 1e9;

/** An RFC 5545 UTC offset: `-0500`, `+0530`, or with seconds for old local mean times. */
const utcOffset = (offsetNanoseconds: number): string => {
  const total = Math.round(Math.abs(offsetNanoseconds) / NANOSECONDS_PER_SECOND);
  const [hours, minutes, seconds] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const two = (value: number) => String(value).padStart(2, '0');
  return `${offsetNanoseconds < 0 ? '-' : '+'}${two(hours)}${two(minutes)}${seconds ? two(seconds) : ''}`;
};

/** RFC 5545 local DATE-TIME form, e.g. `20150405T020000`. */
const localDateTime = (time: Temporal.PlainDateTime): string =>
  time.toString({ smallestUnit: 'second' }).replace(/[-:]/g, '');

/** Summer time when the offset is above the lower of the year's January and July offsets. */
const isDaylightSaving = (at: Temporal.ZonedDateTime): boolean => {
  const offsetOn = (month: number) =>
    Temporal.PlainDate.from({ year: at.year, month, day: 1 }).toZonedDateTime(at.timeZoneId)
      .offsetNanoseconds;
  return at.offsetNanoseconds > Math.min(offsetOn(1), offsetOn(7));
};

/** The observance that begins at a transition: its onset in the local time before it, and both offsets. */
const observance = (onset: Temporal.ZonedDateTime): string[] => {
  const offsetBefore = onset.subtract({ nanoseconds: 1 }).offsetNanoseconds;
  const localOnset = onset
    .toInstant()
    .add({ nanoseconds: offsetBefore })
    .toZonedDateTimeISO('UTC')
    .toPlainDateTime();
  const kind = isDaylightSaving(onset) ? 'DAYLIGHT' : 'STANDARD';
  return [
    `BEGIN:${kind}`,
    `DTSTART:${localDateTime(localOnset)}`,
    `TZOFFSETFROM:${utcOffset(offsetBefore)}`,
    `TZOFFSETTO:${utcOffset(onset.offsetNanoseconds)}`,
    `END:${kind}`,
  ];
};

/**
 * The VTIMEZONE of an IANA zone for the days `firstDate` to `lastDate`, from the runtime's time zone
 * database: the observance in force on the first day and one per clock change up to the last. Generators
 * that ship fixed VTIMEZONE files describe a zone by today's rules only, which gives wrong offsets for
 * dates under older rules (Mexico City kept summer time until 2022); this one is right for any year.
 */
export const vtimezone = (timeZone: string, firstDate: string, lastDate: string): string => {
  const from = Temporal.PlainDate.from(firstDate).toZonedDateTime(timeZone);
  const until = Temporal.PlainDate.from(lastDate).add({ days: 1 }).toZonedDateTime(timeZone);
  const inForce = from.getTimeZoneTransition('previous');
  const lines = [
    'BEGIN:VTIMEZONE',
    `TZID:${timeZone}`,
    ...(inForce
      ? observance(inForce)
      : [
          'BEGIN:STANDARD',
          'DTSTART:19700101T000000',
          `TZOFFSETFROM:${utcOffset(from.offsetNanoseconds)}`,
          `TZOFFSETTO:${utcOffset(from.offsetNanoseconds)}`,
          'END:STANDARD',
        ]),
  ];
  for (
    let change = from.getTimeZoneTransition('next');
    change && Temporal.ZonedDateTime.compare(change, until) < 0;
    change = change.getTimeZoneTransition('next')
  )
    lines.push(...observance(change));
  lines.push('END:VTIMEZONE');
  return lines.join('\r\n');
};
