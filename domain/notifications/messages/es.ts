import type { Catalog } from './en.js';

export const es: Catalog = {
  greeting: 'Estimado/a {name}:',
  'greeting.invitee': 'Hola:',
  team: 'El equipo de {acronym}',
  dates: '{start, date, long} – {end, date, long}',
  date: '{start, date, long}',
  dailyHours: '{dailyStart}–{dailyEnd} ({timezone})',
  'fact.conference': 'Conferencia',
  'fact.dates': 'Fechas',
  'fact.venue': 'Sede',
  'fact.name': 'Nombre',
  'fact.email': 'Correo electrónico',
  'fact.city': 'Ciudad',
  'fact.organization': 'Organización',
  'fact.status': 'Estado',
  'fact.registration': 'Inscripción',
  'fact.checkInCode': 'Código de acreditación',
  'fact.verificationCode': 'Código de verificación',
  'subject.registered': '{acronym}: Inscripción confirmada',
  'subject.waitlisted': '{acronym}: Está en la lista de espera',
  'subject.promoted': '{acronym}: Ya tiene una plaza',
  'subject.cancelled': '{acronym}: Inscripción cancelada',
  'subject.details-changed': '{acronym}: Se modificaron los datos de su inscripción',
  'status.registered': 'Su inscripción está confirmada: tiene una plaza reservada.',
  'status.waitlisted':
    'Por ahora todas las plazas están ocupadas, así que está en la lista de espera. Cuando se libere una plaza, la persona que más tiempo lleva esperando la recibe automáticamente y se le avisa por correo.',
  'status.promoted':
    'Buenas noticias: se ha liberado una plaza y ahora es suya. Su inscripción está confirmada.',
  'status.cancelled': 'Su inscripción ha sido cancelada. Esperamos verle en una próxima conferencia.',
  'status.details-changed':
    'Los datos de su inscripción han sido modificados y ahora son los que figuran abajo; si usted no pidió este cambio, responda a este correo.',
  'label.registered': 'inscrito/a',
  'label.waitlisted': 'en lista de espera',
  'label.cancelled': 'cancelada',
  'label.pending': 'pendiente de aprobación',
  'label.rejected': 'no aceptada',
  'label.unchanged': 'sin cambios',
  checkInCode:
    'En el mostrador de acreditación, muestre el código QR de este correo (o de su gafete) o indique el código {code}. Solo sirve para acreditarle; no lo comparta.',
  manage: 'Para ver, corregir o cancelar su inscripción, abra su página de inscripción: {link}',
  'previousAddress.subject': '{acronym}: Se cambió la dirección de correo de su inscripción',
  'previousAddress.moved':
    'La dirección de correo de su inscripción se cambió de esta a otra; los mensajes sobre su inscripción se envían ahora allí.',
  notYou: 'Si usted no pidió este cambio, responda a este correo.',
  'visa.issued.subject': '{acronym}: Su carta de invitación para la solicitud de visado',
  'visa.issued.attached':
    'Adjuntamos su carta de invitación ({attachment}). Preséntela en el consulado junto con su solicitud de visado.',
  'visa.issued.verify':
    'Un funcionario consular puede verificar la carta en {url} o escaneando el código QR impreso en ella.',
  'visa.issued.again': 'Puede volver a descargar la carta en cualquier momento desde su inscripción.',
  'visa.declined.subject': '{acronym}: Se rechazó su solicitud de carta de visado',
  'visa.declined.sorry':
    'Lo sentimos: los organizadores no pudieron emitir una carta de invitación para su solicitud.',
  'visa.declined.reason': 'El motivo indicado: {reason}',
  'visa.declined.again':
    'Si los datos de la solicitud pueden corregirse, puede enviar una nueva solicitud desde su inscripción.',
  'confirm.subject': '{acronym}: Confirme su inscripción',
  'confirm.body':
    'Alguien, esperamos que usted, pidió inscribir esta dirección en {conference}. Para confirmarlo, abra el enlace de abajo y pulse «Confirmar». El enlace es válido durante {hours, plural, one {# hora} other {# horas}}.',
  'confirm.ignore':
    'Si usted no pidió inscribirse, ignore este correo: no se inscribe nada sin su confirmación.',
  'registeredAlready.subject': '{acronym}: Ya está inscrito/a',
  'registeredAlready.body':
    'Alguien pidió inscribir esta dirección en {conference}, pero ya está inscrita: no se ha inscrito nada dos veces.',
  'registeredAlready.newLink': 'Si perdió el enlace a su inscripción, pida uno nuevo aquí: {link}',
  'manageLink.subject': '{acronym}: Un nuevo enlace a su inscripción',
  'manageLink.body': 'Este es un nuevo enlace privado a su inscripción en {conference}: {link}',
  'manageLink.old':
    'El enlace que tenía antes ya no funciona. No comparta este: quien lo tenga puede modificar o cancelar su inscripción.',
  'pending.subject': '{acronym}: Su inscripción está pendiente de aprobación',
  'pending.body':
    'Gracias por inscribirse. Los organizadores revisan una a una las inscripciones de su categoría: se le avisará por correo cuando decidan.',
  'rejected.subject': '{acronym}: Su inscripción no fue aceptada',
  'rejected.body': 'Lo sentimos: los organizadores no pudieron aceptar su inscripción.',
  'rejected.reason':
    'El motivo: {reasonCode, select, not_eligible {la categoría en la que se inscribió no está abierta para usted} duplicate {ya está inscrito/a con otra inscripción} capacity {las plazas de su categoría están ocupadas} other {otro motivo}}.',
  'rejected.message': 'Los organizadores escribieron: {message}',
  'invitation.subject': '{acronym}: Está invitado/a',
  'invitation.body': 'Está invitado/a a {conference}. Para inscribirse, abra su invitación personal: {link}',
  'invitation.expires':
    'La invitación es válida hasta el {expiresAt, date, instant}; funciona una sola vez y solo para esta dirección.',
  'invitation.decline': 'Si no puede asistir, puede declinar la invitación aquí: {link}',
  'reminder.subject': '{acronym}: Recordatorio de su invitación',
  'delegation.subject': '{acronym}: Usted es el punto focal de {delegation}',
  'delegation.body':
    'Usted es el punto focal de la delegación {delegation} en {conference}: puede invitar a sus miembros (hasta {quota, plural, one {# persona} other {# personas}}), designar a su jefe o jefa y sustituir a un miembro, aquí: {link}',
  'delegation.keep': 'No comparta este enlace: actúa en nombre de su delegación.',
  // The letter of invitation for a visa (a PDF, in the conference's default language).
  'letter.title': 'Carta de invitación',
  'letter.date': 'Fecha: {issued, date, long}',
  'letter.to': 'A la autoridad consular competente:',
  'letter.place': '{venue}, {city}, {country}',
  'letter.invite':
    'Nos complace invitar a la persona que se indica a continuación a asistir a {conference} ({acronym}), que tendrá lugar en {venue}, {city}, {country}, del {start, date, long} al {end, date, long}, en calidad de delegado/a inscrito/a.',
  'letter.passportName': 'Nombre según el pasaporte:',
  'letter.passportNumber': 'Número de pasaporte:',
  'letter.nationality': 'Nacionalidad:',
  'letter.dateOfBirth': 'Fecha de nacimiento:',
  'letter.placeOfIssue': 'Lugar de expedición:',
  'letter.noObligation':
    'Esta carta no compromete a los organizadores a ninguna obligación financiera por gastos de viaje, alojamiento u otros. Su autenticidad puede confirmarse en la dirección que figura abajo.',
  'letter.closing': 'Atentamente,',
};
