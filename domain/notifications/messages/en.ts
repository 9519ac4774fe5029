/**
 * The English catalog of every email to a delegate, in ICU MessageFormat (intl-messageformat): the
 * reference the five other catalogs translate, with the same ids and the same placeholders (a test checks).
 */
export const en = {
  greeting: 'Dear {name},',
  'greeting.invitee': 'Hello,',
  team: 'The {acronym} team',
  dates: '{start, date, long} – {end, date, long}',
  date: '{start, date, long}',
  dailyHours: '{dailyStart}–{dailyEnd} ({timezone})',
  'fact.conference': 'Conference',
  'fact.dates': 'Dates',
  'fact.venue': 'Venue',
  'fact.name': 'Name',
  'fact.email': 'Email',
  'fact.city': 'City',
  'fact.organization': 'Organization',
  'fact.status': 'Status',
  'fact.registration': 'Registration',
  'fact.checkInCode': 'Check-in code',
  'fact.verificationCode': 'Verification code',
  'subject.registered': '{acronym}: Registration confirmed',
  'subject.waitlisted': '{acronym}: You are on the waitlist',
  'subject.promoted': '{acronym}: A seat is now yours',
  'subject.cancelled': '{acronym}: Registration cancelled',
  'subject.details-changed': '{acronym}: Your registration details were changed',
  'status.registered': 'Your registration is confirmed: a seat is reserved for you.',
  'status.waitlisted':
    'All seats are taken for now, so you are on the waitlist. When a seat frees up, the longest-waiting delegate gets it automatically and is told by email.',
  'status.promoted': 'Good news: a seat has freed up and it is now yours. Your registration is confirmed.',
  'status.cancelled': 'Your registration has been cancelled. We hope to see you at a future conference.',
  'status.details-changed':
    'The details of your registration have been changed. They now read as below; if you did not ask for this change, please reply to this email.',
  'label.registered': 'registered',
  'label.waitlisted': 'waitlisted',
  'label.cancelled': 'cancelled',
  'label.pending': 'awaiting approval',
  'label.rejected': 'not accepted',
  'label.unchanged': 'unchanged',
  checkInCode:
    'At the registration desk, show the QR code in this email (or on your badge), or give the check-in code {code}. It checks you in and nothing else; keep it to yourself.',
  manage: 'To see, correct or cancel your registration, open your registration page: {link}',
  'previousAddress.subject': '{acronym}: The email address of your registration was changed',
  'previousAddress.moved':
    'The email address of your registration has been changed from this address to another one; messages about your registration now go there.',
  notYou: 'If you did not ask for this change, please reply to this email.',
  'visa.issued.subject': '{acronym}: Your letter of invitation for the visa application',
  'visa.issued.attached':
    'Your letter of invitation is attached ({attachment}). Present it to the consulate with your visa application.',
  'visa.issued.verify':
    'A consular officer can confirm the letter at {url}, or by scanning the QR code printed on it.',
  'visa.issued.again': 'You can download the letter again at any time from your registration.',
  'visa.declined.subject': '{acronym}: Your visa letter request was declined',
  'visa.declined.sorry':
    'We are sorry: the organizers could not issue a letter of invitation on your request.',
  'visa.declined.reason': 'The reason given: {reason}',
  'visa.declined.again':
    'If the details of the request can be put right, you may send a new request from your registration.',
  'confirm.subject': '{acronym}: Please confirm your registration',
  'confirm.body':
    'Someone, we hope you, asked to register this address for {conference}. To confirm, open the link below and press “Confirm”. The link is valid for {hours, plural, one {# hour} other {# hours}}.',
  'confirm.ignore':
    'If you did not ask to register, ignore this email: nothing is registered without your confirmation.',
  'registeredAlready.subject': '{acronym}: You are already registered',
  'registeredAlready.body':
    'Someone asked to register this address for {conference}, but it is registered already: nothing was registered twice.',
  'registeredAlready.newLink': 'If you lost the link to your registration, ask for a new one here: {link}',
  'manageLink.subject': '{acronym}: A new link to your registration',
  'manageLink.body': 'Here is a new private link to your registration for {conference}: {link}',
  'manageLink.old':
    'The link you had before no longer works. Keep this one to yourself: whoever has it can change or cancel your registration.',
  'pending.subject': '{acronym}: Your registration awaits approval',
  'pending.body':
    'Thank you for registering. The organizers review registrations in your category one by one: you will be told by email when they decide.',
  'rejected.subject': '{acronym}: Your registration was not accepted',
  'rejected.body': 'We are sorry: the organizers could not accept your registration.',
  /** `reasonCode` with `_` for `-` (ICU selectors are identifiers): not_eligible, duplicate, capacity, other. */
  'rejected.reason':
    'The reason: {reasonCode, select, not_eligible {the category you registered in is not open to you} duplicate {you are registered already under another registration} capacity {the places for your category are taken} other {another reason}}.',
  'rejected.message': 'The organizers wrote: {message}',
  'invitation.subject': '{acronym}: You are invited',
  'invitation.body': 'You are invited to {conference}. To register, open your personal invitation: {link}',
  'invitation.expires':
    'The invitation is valid until {expiresAt, date, instant}; it works once and only for this address.',
  'invitation.decline': 'If you cannot attend, you can decline the invitation here: {link}',
  'reminder.subject': '{acronym}: A reminder of your invitation',
  'delegation.subject': '{acronym}: You are the focal point of {delegation}',
  'delegation.body':
    'You are the focal point of the delegation {delegation} to {conference}: you may invite its members (up to {quota, plural, one {# person} other {# people}}), name its head and substitute a member, here: {link}',
  'delegation.keep': 'Keep this link to yourself: it acts for your delegation.',
  // The letter of invitation for a visa (a PDF, in the conference's default language).
  'letter.title': 'Letter of invitation',
  'letter.date': 'Date: {issued, date, long}',
  'letter.to': 'To the consular officer concerned:',
  'letter.place': '{venue}, {city}, {country}',
  'letter.invite':
    'We are pleased to invite the person named below to attend the {conference} ({acronym}), held at {venue}, {city}, {country}, from {start, date, long} to {end, date, long}, as a registered delegate.',
  'letter.passportName': 'Name as in passport:',
  'letter.passportNumber': 'Passport number:',
  'letter.nationality': 'Nationality:',
  'letter.dateOfBirth': 'Date of birth:',
  'letter.placeOfIssue': 'Place of issue:',
  'letter.noObligation':
    'This letter does not commit the organizers to any financial obligation for travel, accommodation or other expenses. Its authenticity can be confirmed at the address below.',
  'letter.closing': 'Yours faithfully,',
} as const;

export type MessageId = keyof typeof en;
export type Catalog = Record<MessageId, string>;
