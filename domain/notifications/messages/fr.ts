import type { Catalog } from './en.js';

export const fr: Catalog = {
  greeting: 'Bonjour {name},',
  'greeting.invitee': 'Bonjour,',
  team: 'L’équipe {acronym}',
  dates: 'du {start, date, long} au {end, date, long}',
  date: '{start, date, long}',
  dailyHours: '{dailyStart}–{dailyEnd} ({timezone})',
  'fact.conference': 'Conférence',
  'fact.dates': 'Dates',
  'fact.venue': 'Lieu',
  'fact.name': 'Nom',
  'fact.email': 'Adresse électronique',
  'fact.city': 'Ville',
  'fact.organization': 'Organisation',
  'fact.status': 'Statut',
  'fact.registration': 'Inscription',
  'fact.checkInCode': 'Code d’accréditation',
  'fact.verificationCode': 'Code de vérification',
  'subject.registered': '{acronym} : inscription confirmée',
  'subject.waitlisted': '{acronym} : vous êtes sur la liste d’attente',
  'subject.promoted': '{acronym} : une place vous est attribuée',
  'subject.cancelled': '{acronym} : inscription annulée',
  'subject.details-changed': '{acronym} : les informations de votre inscription ont été modifiées',
  'status.registered': 'Votre inscription est confirmée : une place vous est réservée.',
  'status.waitlisted':
    'Toutes les places sont prises pour le moment : vous êtes donc sur la liste d’attente. Lorsqu’une place se libère, la personne qui attend depuis le plus longtemps l’obtient automatiquement et en est informée par courriel.',
  'status.promoted':
    'Bonne nouvelle : une place s’est libérée et elle est à vous. Votre inscription est confirmée.',
  'status.cancelled':
    'Votre inscription a été annulée. Nous espérons vous voir lors d’une prochaine conférence.',
  'status.details-changed':
    'Les informations de votre inscription ont été modifiées et figurent ci-dessous ; si vous n’avez pas demandé ce changement, merci de répondre à ce courriel.',
  'label.registered': 'inscrit',
  'label.waitlisted': 'en liste d’attente',
  'label.cancelled': 'annulée',
  'label.pending': 'en attente d’approbation',
  'label.rejected': 'non acceptée',
  'label.unchanged': 'inchangé',
  checkInCode:
    'À l’accueil, présentez le code QR de ce courriel (ou de votre badge), ou donnez le code d’accréditation {code}. Il ne sert qu’à vous accréditer ; gardez-le pour vous.',
  manage: 'Pour consulter, corriger ou annuler votre inscription, ouvrez votre page d’inscription : {link}',
  'previousAddress.subject': '{acronym} : l’adresse électronique de votre inscription a été changée',
  'previousAddress.moved':
    'L’adresse électronique de votre inscription a été remplacée par une autre ; les messages concernant votre inscription y sont désormais envoyés.',
  notYou: 'Si vous n’avez pas demandé ce changement, merci de répondre à ce courriel.',
  'visa.issued.subject': '{acronym} : votre lettre d’invitation pour la demande de visa',
  'visa.issued.attached':
    'Vous trouverez ci-joint votre lettre d’invitation ({attachment}). Présentez-la au consulat avec votre demande de visa.',
  'visa.issued.verify':
    'Un agent consulaire peut vérifier la lettre à l’adresse {url}, ou en scannant le code QR qui y est imprimé.',
  'visa.issued.again': 'Vous pouvez télécharger de nouveau la lettre à tout moment depuis votre inscription.',
  'visa.declined.subject': '{acronym} : votre demande de lettre pour le visa a été refusée',
  'visa.declined.sorry':
    'Nous sommes désolés : les organisateurs n’ont pas pu délivrer de lettre d’invitation à la suite de votre demande.',
  'visa.declined.reason': 'Motif indiqué : {reason}',
  'visa.declined.again':
    'Si les informations de la demande peuvent être corrigées, vous pouvez envoyer une nouvelle demande depuis votre inscription.',
  'confirm.subject': '{acronym} : veuillez confirmer votre inscription',
  'confirm.body':
    'Quelqu’un (vous, nous l’espérons) a demandé à inscrire cette adresse à « {conference} ». Pour confirmer, ouvrez le lien ci-dessous et appuyez sur « Confirmer ». Le lien est valable {hours, plural, one {# heure} other {# heures}}.',
  'confirm.ignore':
    'Si vous n’avez pas demandé à vous inscrire, ignorez ce courriel : rien n’est enregistré sans votre confirmation.',
  'registeredAlready.subject': '{acronym} : vous êtes déjà inscrit',
  'registeredAlready.body':
    'Quelqu’un a demandé à inscrire cette adresse à « {conference} », mais elle est déjà inscrite : rien n’a été enregistré deux fois.',
  'registeredAlready.newLink':
    'Si vous avez perdu le lien vers votre inscription, demandez-en un nouveau ici : {link}',
  'manageLink.subject': '{acronym} : un nouveau lien vers votre inscription',
  'manageLink.body': 'Voici un nouveau lien personnel vers votre inscription à « {conference} » : {link}',
  'manageLink.old':
    'Le lien que vous aviez ne fonctionne plus. Gardez celui-ci pour vous : quiconque le possède peut modifier ou annuler votre inscription.',
  'pending.subject': '{acronym} : votre inscription est en attente d’approbation',
  'pending.body':
    'Merci de votre inscription. Les organisateurs examinent une à une les inscriptions de votre catégorie : vous serez informé par courriel de leur décision.',
  'rejected.subject': '{acronym} : votre inscription n’a pas été acceptée',
  'rejected.body': 'Nous sommes désolés : les organisateurs n’ont pas pu accepter votre inscription.',
  'rejected.reason':
    'Motif : {reasonCode, select, not_eligible {la catégorie dans laquelle vous vous êtes inscrit ne vous est pas ouverte} duplicate {vous êtes déjà inscrit par une autre inscription} capacity {les places de votre catégorie sont prises} other {un autre motif}}.',
  'rejected.message': 'Message des organisateurs : {message}',
  'invitation.subject': '{acronym} : vous êtes invité',
  'invitation.body':
    'Vous êtes invité à « {conference} ». Pour vous inscrire, ouvrez votre invitation personnelle : {link}',
  'invitation.expires':
    'L’invitation est valable jusqu’au {expiresAt, date, instant} ; elle ne sert qu’une fois et seulement pour cette adresse.',
  'invitation.decline': 'Si vous ne pouvez pas venir, vous pouvez décliner l’invitation ici : {link}',
  'reminder.subject': '{acronym} : rappel de votre invitation',
  'delegation.subject': '{acronym} : vous êtes le point focal de {delegation}',
  'delegation.body':
    'Vous êtes le point focal de la délégation {delegation} à « {conference} » : vous pouvez inviter ses membres (jusqu’à {quota, plural, one {# personne} other {# personnes}}), désigner son chef et remplacer un membre, ici : {link}',
  'delegation.keep': 'Gardez ce lien pour vous : il agit au nom de votre délégation.',
  // The letter of invitation for a visa (a PDF, in the conference's default language).
  'letter.title': 'Lettre d’invitation',
  'letter.date': 'Date : {issued, date, long}',
  'letter.to': 'À l’attention des services consulaires concernés :',
  'letter.place': '{venue}, {city}, {country}',
  'letter.invite':
    'Nous avons le plaisir d’inviter la personne désignée ci-dessous à participer, en qualité de délégué inscrit, à « {conference} » ({acronym}), qui se tiendra à {venue}, {city}, {country}, du {start, date, long} au {end, date, long}.',
  'letter.passportName': 'Nom figurant sur le passeport :',
  'letter.passportNumber': 'Numéro de passeport :',
  'letter.nationality': 'Nationalité :',
  'letter.dateOfBirth': 'Date de naissance :',
  'letter.placeOfIssue': 'Lieu de délivrance :',
  'letter.noObligation':
    'Cette lettre n’engage les organisateurs à aucune obligation financière au titre des frais de voyage, d’hébergement ou autres. Son authenticité peut être vérifiée à l’adresse ci-dessous.',
  'letter.closing': 'Veuillez agréer l’expression de notre haute considération.',
};
