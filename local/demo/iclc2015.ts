/**
 * The demo conference (CONTRACT section 1): the 2nd International Conference on Learning Cities, Mexico
 * City, 28–30 September 2015. Everything here is the bodies of the HTTP commands an organizer and the
 * delegates would send; local/demo/load-demo.ts sends them.
 *
 * The host city's mayor and the director of the UNESCO Institute for Lifelong Learning took part in the
 * real conference; every other speaker and every delegate is an illustrative, made-up person. All data
 * is deterministic: the delegates come from a seeded generator.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { SessionDetails } from '../../domain/agenda/events.js';
import type { AwardGrant } from '../../domain/award/events.js';
import type { ConferenceDetails } from '../../domain/conference/events.js';
import type { Delegate, DelegateCategory, RejectionReasonCode } from '../../domain/registration/events.js';
import type { FormDefinition } from '../../domain/registration-form/form.js';
import type { VisaLetterRequest } from '../../domain/visa-letter/events.js';

export const DEMO_ACRONYM = 'ICLC2015';

export const VISA_LETTER_SIGNATORY = {
  name: 'Arne Carlsen',
  title: 'Director, UNESCO Institute for Lifelong Learning',
};

const PLENARY_HALL = 'Sala Principal';
const PONCE = 'Sala Manuel M. Ponce';
const BOARI = 'Sala Adamo Boari';
const CONFERENCE_ROOM = 'Salón de Conferencias';
const FOYER = 'Vestíbulo';

export const conference: ConferenceDetails = {
  name: '2nd International Conference on Learning Cities',
  acronym: DEMO_ACRONYM,
  city: 'Mexico City',
  country: 'MX',
  venue: 'Palacio de Bellas Artes',
  timezone: 'America/Mexico_City',
  startDate: '2015-09-28',
  endDate: '2015-09-30',
  dailyStart: '09:00',
  dailyEnd: '17:00',
  theme: 'Building Sustainable Learning Cities',
  capacity: 650,
  // Held in 2015: the default retention (365 days after the end) would have erased every delegate long ago.
  personalDataRetentionDays: 36_500,
  // The demo's diet and access answers are kept too, so that they can be shown (CONTRACT 5.2).
  sensitiveDataRetentionDays: 36_500,
  // Signs the visa letters of invitation (CONTRACT 4.4).
  visaLetterSignatory: VISA_LETTER_SIGNATORY,
  // UNESCO's six are offered. The demo's texts are written in English, the conference's working language:
  // its default, so that a plain string reads as what it is (the host city's Spanish is offered first).
  languages: ['es', 'en', 'ar', 'fr', 'ru', 'zh'],
  defaultLanguage: 'en',
  rooms: [
    { name: PLENARY_HALL, capacity: 1000 },
    { name: PONCE, capacity: 180 },
    { name: BOARI, capacity: 120 },
    { name: CONFERENCE_ROOM, capacity: 80 },
    { name: FOYER, capacity: 650 },
  ],
};

// ---------------------------------------------------------------------------------------------------
// Agenda

const THEMES = {
  inclusion: 'Learning for social inclusion',
  environment: 'Learning cities and the environment',
  esd: 'Education for sustainable development',
  monitoring: 'Monitoring progress of learning cities',
  partnerships: 'Partnerships for learning cities',
  lifelong: 'Lifelong learning for all',
} as const;

type Person = { name: string; affiliation: string };
const person = (name: string, affiliation: string): Person => ({ name, affiliation });

// Real public figures at the event.
const carlsen = person('Arne Carlsen', 'UNESCO Institute for Lifelong Learning');
const mancera = person('Miguel Ángel Mancera', 'Mayor of Mexico City');
// Illustrative speakers.
const ortega = person('Gabriela Ortega Ruiz', 'Ministry of Education of Mexico City');
const marsh = person('Helen Marsh', 'PASCAL International Observatory');
const liWei = person('Li Wei', 'Beijing Academy of Educational Sciences');
const mensah = person('Kwame Mensah', 'Ghana Education Service');
const haddad = person('Rania Haddad', 'Greater Amman Municipality');
const navarro = person('Lucía Navarro', 'CREFAL');
const nkosi = person('Thabo Nkosi', 'City of Cape Town');
const fernandes = person('Ana Paula Fernandes', 'Municipal Department of Education, Sorocaba');
const lindqvist = person('Erik Lindqvist', 'City of Gothenburg');
const santoso = person('Dewi Santoso', 'City of Surabaya');
const tanaka = person('Yuki Tanaka', 'Okayama City Board of Education');
const rodriguez = person('Carlos Rodríguez Vega', 'Municipality of Medellín');
const dubois = person('Claire Dubois', 'UN-Habitat');
const laurent = person('Sophie Laurent', 'UNESCO Institute for Lifelong Learning');
const park = person('Park Jae-hyun', 'National Institute for Lifelong Education, Republic of Korea');
const weber = person('Markus Weber', 'German Institute for Adult Education');
const okafor = person('Ngozi Okafor', 'University of Lagos');
const sharma = person('Priya Sharma', 'National Institute of Open Schooling, India');
const murphy = person('Siobhan Murphy', 'Cork Learning City Forum');
const hughes = person('Mark Hughes', 'Swansea University');
const almeida = person('Beatriz Almeida', 'Sorocaba Chamber of Commerce');
const virtanen = person('Helena Virtanen', 'City of Espoo');
const rahman = person('Nasreen Rahman', 'Dhaka North City Corporation');
const watanabe = person('Aiko Watanabe', 'Kitakyushu City');
const mendoza = person('Jorge Mendoza Castillo', 'National Institute for Adult Education, Mexico');
const korhonen = person('Jussi Korhonen', 'Finnish National Board of Education');
const becker = person('Thomas Becker', 'City of Hamburg');
const kim = person('Kim Soo-jin', 'Namyangju City');
const saetang = person('Somchai Saetang', 'Chiang Mai Municipality');
const benitez = person('Ramón Benítez', 'Municipality of Ybycuí');
const diaz = person('Carmen Díaz', 'Metropolitan District of Quito');
const walker = person('Andrew Walker', 'Melton City Council');
const tesfaye = person('Abebe Tesfaye', 'Bahir Dar City Administration');
const cruz = person('Maricel Cruz', 'City of Balanga');
const evans = person('Rhian Evans', 'City and County of Swansea');
const flores = person('Alejandro Flores', 'Municipality of Puebla');
const morales = person('Verónica Morales', 'Ministry of Education of Jalisco');
const mansour = person('Youssef Mansour', 'Ministry of Education, Tunisia');
const papadopoulou = person('Maria Papadopoulou', 'City of Athens');
const walsh = person('Liam Walsh', 'Cork Environmental Forum');
const kamau = person('Wanjiru Kamau', 'Nairobi City County');
const fischer = person('Stefan Fischer', 'Federal Institute for Vocational Education and Training, Germany');
const nguyen = person('Nguyen Thu Huong', 'Hanoi Department of Education and Training');
const diop = person('Ibrahima Diop', 'City of Dakar');
const ramirez = person('Patricia Ramírez', 'Mexican Association for Adult Education');
const pereira = person('João Pereira', 'University of São Paulo');
const reyes = person('Sofía Reyes', 'Youth Council of Mexico City');
const okello = person('Daniel Okello', 'Kampala Capital City Authority');

type Slot = Pick<SessionDetails, 'date' | 'start' | 'end' | 'room'>;
const at = (date: string, start: string, end: string, room: string): Slot => ({ date, start, end, room });

const DAY1 = '2015-09-28';
const DAY2 = '2015-09-29';
const DAY3 = '2015-09-30';

const plenary = (slot: Slot, title: string, abstract: string, speakers: Person[], language = 'en') =>
  ({ ...slot, title, type: 'plenary', abstract, language, speakers }) satisfies SessionDetails;

const themed = (
  type: 'parallel' | 'workshop',
  slot: Slot,
  track: keyof typeof THEMES,
  title: string,
  abstract: string,
  speakers: Person[],
  language = 'en',
) => ({ ...slot, title, type, track: THEMES[track], abstract, language, speakers }) satisfies SessionDetails;

const sideEvent = (slot: Slot, title: string, abstract: string, speakers: Person[], language = 'en') =>
  ({ ...slot, title, type: 'side-event', abstract, language, speakers }) satisfies SessionDetails;

const pause = (date: string, start: string, end: string, title: string) =>
  ({ ...at(date, start, end, FOYER), title, type: 'break', speakers: [] }) satisfies SessionDetails;

export const AWARD = 'UNESCO Learning City Award';
export const AWARD_YEAR = 2015;

/** The session in which the awards are presented: the only session of type `ceremony`. */
export const awardCeremony: SessionDetails = {
  ...at(DAY2, '12:30', '13:30', PLENARY_HALL),
  title: 'UNESCO Learning City Award 2015 ceremony',
  type: 'ceremony',
  abstract:
    'Presentation of the UNESCO Learning City Award 2015 to twelve cities that have made outstanding ' +
    'progress in building learning cities.',
  language: 'en',
  speakers: [
    carlsen,
    mancera,
    walker,
    fernandes,
    liWei,
    tesfaye,
    virtanen,
    murphy,
    haddad,
    benitez,
    cruz,
    kim,
    evans,
  ],
};

/** The three-day program, in the order an organizer would enter it. No room or speaker is double-booked. */
export const sessions: SessionDetails[] = [
  // Day 1: Monday 28 September
  plenary(
    at(DAY1, '09:00', '10:00', PLENARY_HALL),
    'Opening plenary: Welcome to Mexico City',
    'Welcome by the host city and UNESCO; the purpose of the conference and its theme, Building Sustainable Learning Cities.',
    [mancera, carlsen, ortega],
    'es',
  ),
  pause(DAY1, '10:00', '10:30', 'Coffee break'),
  plenary(
    at(DAY1, '10:30', '12:00', PLENARY_HALL),
    'Keynote panel: Building sustainable learning cities',
    'Why the social, economic and environmental sustainability of cities depends on learning throughout life.',
    [carlsen, marsh, liWei, mensah],
  ),
  themed(
    'parallel',
    at(DAY1, '12:00', '13:15', PONCE),
    'inclusion',
    'Learning for social inclusion: reaching the hardest to reach',
    'How cities open learning opportunities to people on low incomes, migrants and people with disabilities.',
    [haddad, navarro, nkosi],
  ),
  themed(
    'parallel',
    at(DAY1, '12:00', '13:15', BOARI),
    'environment',
    'Learning cities and the environment: green skills for urban futures',
    'Community learning about energy, waste and water, and the skills a greener urban economy needs.',
    [fernandes, lindqvist, santoso],
  ),
  themed(
    'parallel',
    at(DAY1, '12:00', '13:15', CONFERENCE_ROOM),
    'esd',
    'Education for sustainable development in city schools and communities',
    'Bringing sustainable development into schools, libraries and community centres across a city.',
    [tanaka, rodriguez, dubois],
  ),
  pause(DAY1, '13:15', '14:30', 'Lunch'),
  sideEvent(
    at(DAY1, '13:30', '14:20', CONFERENCE_ROOM),
    'Side event: Introducing the UNESCO Global Network of Learning Cities',
    'What membership of the network offers cities, and how the network supports peer learning.',
    [laurent, park],
  ),
  themed(
    'parallel',
    at(DAY1, '14:30', '16:00', PONCE),
    'monitoring',
    'Monitoring progress of learning cities: using the Key Features',
    'Experiences of cities that have used the Key Features of Learning Cities to review their progress.',
    [weber, okafor, sharma],
  ),
  themed(
    'parallel',
    at(DAY1, '14:30', '16:00', BOARI),
    'partnerships',
    'Partnerships for learning cities: universities, employers and civil society',
    'How local partners share responsibility for learning, and how their cooperation is organised.',
    [murphy, hughes, almeida],
  ),
  themed(
    'parallel',
    at(DAY1, '14:30', '16:00', CONFERENCE_ROOM),
    'lifelong',
    'Lifelong learning for all: from early childhood to older age',
    'Learning at every age: early childhood programmes, second-chance education and learning in later life.',
    [virtanen, rahman, watanabe],
  ),
  pause(DAY1, '16:00', '16:15', 'Coffee break'),
  plenary(
    at(DAY1, '16:15', '17:00', PLENARY_HALL),
    'Plenary: Messages from the parallel sessions',
    'Rapporteurs summarise the main points of the first day.',
    [navarro, marsh, okafor],
  ),

  // Day 2: Tuesday 29 September
  plenary(
    at(DAY2, '09:00', '10:30', PLENARY_HALL),
    'Keynote panel: Learning cities and the 2030 Agenda for Sustainable Development',
    'The place of cities and of lifelong learning in the Sustainable Development Goals adopted days before.',
    [carlsen, dubois, mendoza, mensah],
  ),
  pause(DAY2, '10:30', '11:00', 'Coffee break'),
  themed(
    'workshop',
    at(DAY2, '11:00', '12:30', PONCE),
    'monitoring',
    'Workshop: Planning a learning city with the Key Features',
    'A hands-on session on turning the Key Features of Learning Cities into a local plan with measurable goals.',
    [laurent, korhonen],
  ),
  themed(
    'workshop',
    at(DAY2, '11:00', '12:30', BOARI),
    'partnerships',
    'Workshop: Mobilising partners and resources',
    'Practical ways to bring public, private and community partners together and to fund learning.',
    [murphy, becker],
  ),
  themed(
    'workshop',
    at(DAY2, '11:00', '12:30', CONFERENCE_ROOM),
    'lifelong',
    'Workshop: Community learning centres in practice',
    'How neighbourhood learning centres are run, staffed and used by residents.',
    [kim, saetang],
  ),
  themed(
    'parallel',
    at(DAY2, '11:00', '12:30', PLENARY_HALL),
    'inclusion',
    'Learning cities in Latin America and the Caribbean',
    'Experiences of learning cities in the region, from large capitals to small rural municipalities.',
    [navarro, benitez, fernandes, diaz],
    'es',
  ),
  awardCeremony,
  pause(DAY2, '13:30', '14:30', 'Lunch'),
  sideEvent(
    at(DAY2, '13:40', '14:25', CONFERENCE_ROOM),
    'Side event: Learning cities of Mexico',
    'Mexican cities present their plans for lifelong learning.',
    [ortega, flores, morales],
    'es',
  ),
  themed(
    'parallel',
    at(DAY2, '14:30', '16:00', PONCE),
    'inclusion',
    'Learning for social inclusion: migrants, refugees and displaced people',
    'Language learning, recognition of prior learning and community support for newcomers.',
    [haddad, mansour, papadopoulou],
  ),
  themed(
    'parallel',
    at(DAY2, '14:30', '16:00', BOARI),
    'environment',
    'Learning cities and the environment: climate resilience through learning',
    'Preparing residents for floods, heat and other risks through community learning.',
    [cruz, walsh, kamau],
  ),
  themed(
    'parallel',
    at(DAY2, '14:30', '16:00', CONFERENCE_ROOM),
    'esd',
    'Education for sustainable development: greening vocational education',
    'How technical and vocational education and training prepare people for sustainable jobs.',
    [tesfaye, fischer, nguyen],
  ),
  themed(
    'parallel',
    at(DAY2, '14:30', '16:00', PLENARY_HALL),
    'lifelong',
    'Lifelong learning for all: literacy and basic skills for youth and adults',
    'City-wide literacy campaigns and basic skills programmes for young people and adults.',
    [benitez, diop, ramirez],
  ),
  pause(DAY2, '16:00', '16:15', 'Coffee break'),
  plenary(
    at(DAY2, '16:15', '17:00', PLENARY_HALL),
    "City leaders' dialogue: governing a learning city",
    'Leaders of award-winning cities discuss political commitment, governance and funding.',
    [mancera, walker, evans, cruz],
  ),

  // Day 3: Wednesday 30 September
  themed(
    'parallel',
    at(DAY3, '09:00', '10:30', PONCE),
    'monitoring',
    'Monitoring progress: indicators and data for learning cities',
    'Which data cities collect on learning, and how they use it to decide.',
    [weber, sharma, kim],
  ),
  themed(
    'parallel',
    at(DAY3, '09:00', '10:30', BOARI),
    'partnerships',
    'Partnerships: the role of universities in learning cities',
    'Universities as partners of city governments in research, teaching and community engagement.',
    [hughes, okafor, pereira],
  ),
  themed(
    'workshop',
    at(DAY3, '09:00', '10:30', CONFERENCE_ROOM),
    'lifelong',
    'Workshop: Joining the UNESCO Global Network of Learning Cities',
    'The application process, the commitments of members and the support available to them.',
    [laurent, park],
  ),
  themed(
    'parallel',
    at(DAY3, '09:00', '10:30', PLENARY_HALL),
    'esd',
    'Education for sustainable development: the Global Action Programme in cities',
    'How cities contribute to the Global Action Programme on Education for Sustainable Development.',
    [dubois, lindqvist, santoso],
  ),
  pause(DAY3, '10:30', '11:00', 'Coffee break'),
  plenary(
    at(DAY3, '11:00', '12:30', PLENARY_HALL),
    'Plenary: Reports from the parallel sessions and workshops',
    'Rapporteurs present the conclusions of the parallel sessions and workshops.',
    [marsh, navarro, mensah],
  ),
  pause(DAY3, '12:30', '13:30', 'Lunch'),
  sideEvent(
    at(DAY3, '12:40', '13:25', CONFERENCE_ROOM),
    'Side event: Youth voices for learning cities',
    'Young people from several cities on what a learning city should offer them.',
    [reyes, okello],
  ),
  plenary(
    at(DAY3, '13:30', '15:00', PLENARY_HALL),
    'Keynote panel: The way forward for sustainable learning cities',
    'Priorities for the coming years and the role of the Global Network of Learning Cities.',
    [carlsen, haddad, virtanen, mendoza],
  ),
  themed(
    'workshop',
    at(DAY3, '13:30', '15:00', PONCE),
    'partnerships',
    'Workshop: Drafting a learning city action plan',
    'Participants draft the first steps of an action plan for their own city.',
    [murphy, navarro, becker],
  ),
  pause(DAY3, '15:00', '15:30', 'Coffee break'),
  plenary(
    at(DAY3, '15:30', '16:30', PLENARY_HALL),
    'Closing plenary: Adoption of the Mexico City Statement on Sustainable Learning Cities',
    'The conference discusses and adopts the Mexico City Statement on Sustainable Learning Cities.',
    [carlsen, ortega, marsh],
  ),
  plenary(
    at(DAY3, '16:30', '17:00', PLENARY_HALL),
    'Closing session',
    'Closing words by the host city and UNESCO.',
    [mancera, carlsen],
    'es',
  ),
];

// ---------------------------------------------------------------------------------------------------
// Awards

type AwardBody = Omit<AwardGrant, 'sessionId'>;
const award = (city: string, country: string, citation: string): AwardBody => ({
  award: AWARD,
  year: AWARD_YEAR,
  city,
  country,
  citation,
});

/** The UNESCO Learning City Award 2015: twelve cities, each with a short citation. */
export const awards: AwardBody[] = [
  award(
    'Melton',
    'AU',
    'For its learning community strategy, which brings libraries, neighbourhood houses and schools together to widen access to learning in a fast-growing community.',
  ),
  award(
    'Sorocaba',
    'BR',
    'For linking education with environmental protection and urban planning, and for its community learning spaces.',
  ),
  award(
    'Beijing',
    'CN',
    'For its long-standing commitment to a learning society through community colleges and learning neighbourhoods.',
  ),
  award(
    'Bahir Dar',
    'ET',
    'For adult literacy and skills training that connect learning with livelihoods and health.',
  ),
  award(
    'Espoo',
    'FI',
    'For an inclusive approach to lifelong learning that reaches residents of every age across all sectors of the city.',
  ),
  award(
    'Cork',
    'IE',
    'For its Lifelong Learning Festival and a lasting partnership of the city, its educational institutions and its communities.',
  ),
  award('Amman', 'JO', 'For community learning initiatives that reach refugees, women and young people.'),
  award(
    'Mexico City',
    'MX',
    'For broad programmes of adult education and digital inclusion across the boroughs of the city.',
  ),
  award(
    'Ybycuí',
    'PY',
    'For showing how a small rural municipality can mobilise its whole community for literacy and lifelong learning.',
  ),
  award(
    'Balanga',
    'PH',
    'For its vision of a university town and the participation of citizens in planning.',
  ),
  award(
    'Namyangju',
    'KR',
    'For its neighbourhood learning centres and residents who take part as learning facilitators.',
  ),
  award(
    'Swansea',
    'GB',
    'For a partnership approach to lifelong learning that gives priority to disadvantaged communities.',
  ),
];

// ---------------------------------------------------------------------------------------------------
// Delegates

type NameSet = { given: readonly string[]; family: readonly string[] };

const names = {
  spanish: {
    given: [
      'Alejandro',
      'María',
      'José',
      'Guadalupe',
      'Juan',
      'Ana',
      'Luis',
      'Carmen',
      'Carlos',
      'Laura',
      'Jorge',
      'Patricia',
      'Fernando',
      'Verónica',
      'Ricardo',
      'Gabriela',
      'Miguel',
      'Sofía',
      'Diego',
      'Lucía',
      'Raúl',
      'Adriana',
      'Javier',
      'Mónica',
    ],
    family: [
      'García',
      'Hernández',
      'Martínez',
      'López',
      'González',
      'Rodríguez',
      'Pérez',
      'Sánchez',
      'Ramírez',
      'Flores',
      'Torres',
      'Díaz',
      'Morales',
      'Vargas',
      'Castillo',
      'Jiménez',
      'Ruiz',
      'Mendoza',
      'Ortiz',
      'Reyes',
      'Aguilar',
      'Romero',
      'Navarro',
      'Guerrero',
    ],
  },
  portuguese: {
    given: [
      'João',
      'Maria',
      'Ana',
      'Pedro',
      'Luiz',
      'Fernanda',
      'Paulo',
      'Juliana',
      'Rafael',
      'Camila',
      'Marcos',
      'Beatriz',
    ],
    family: [
      'Silva',
      'Santos',
      'Oliveira',
      'Souza',
      'Pereira',
      'Costa',
      'Almeida',
      'Ferreira',
      'Lima',
      'Carvalho',
      'Gomes',
      'Ribeiro',
    ],
  },
  english: {
    given: [
      'James',
      'Mary',
      'Sarah',
      'Michael',
      'Emma',
      'David',
      'Olivia',
      'Daniel',
      'Helen',
      'Thomas',
      'Claire',
      'Peter',
      'Rachel',
      'Andrew',
      'Fiona',
      'Mark',
      'Karen',
      'Liam',
    ],
    family: [
      'Smith',
      'Johnson',
      'Brown',
      'Taylor',
      'Wilson',
      'Murphy',
      'Walsh',
      "O'Brien",
      'Evans',
      'Roberts',
      'Clarke',
      'Campbell',
      'Kelly',
      'Anderson',
      'Mitchell',
      'Hughes',
      'Walker',
      'Jones',
    ],
  },
  french: {
    given: [
      'Marie',
      'Jean',
      'Sophie',
      'Pierre',
      'Camille',
      'Nicolas',
      'Claire',
      'François',
      'Isabelle',
      'Julien',
      'Élodie',
      'Antoine',
    ],
    family: [
      'Martin',
      'Bernard',
      'Dubois',
      'Robert',
      'Richard',
      'Petit',
      'Durand',
      'Leroy',
      'Moreau',
      'Lefèvre',
      'Laurent',
      'Girard',
    ],
  },
  german: {
    given: [
      'Anna',
      'Thomas',
      'Julia',
      'Michael',
      'Katharina',
      'Stefan',
      'Sabine',
      'Andreas',
      'Claudia',
      'Markus',
      'Lena',
      'Jürgen',
    ],
    family: [
      'Müller',
      'Schmidt',
      'Schneider',
      'Fischer',
      'Weber',
      'Meyer',
      'Wagner',
      'Becker',
      'Hoffmann',
      'Schulz',
      'Koch',
      'Bauer',
    ],
  },
  dutch: {
    given: ['Sanne', 'Pieter', 'Lotte', 'Jeroen', 'Anouk', 'Bram', 'Els', 'Wouter'],
    family: ['Jansen', 'de Vries', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Peeters', 'Maes'],
  },
  finnish: {
    given: ['Anna', 'Mikko', 'Liisa', 'Jussi', 'Sari', 'Timo', 'Hanna', 'Antti'],
    family: ['Virtanen', 'Korhonen', 'Mäkinen', 'Nieminen', 'Hämäläinen', 'Laine', 'Heikkinen', 'Koskinen'],
  },
  scandinavian: {
    given: ['Erik', 'Ingrid', 'Lars', 'Karin', 'Johan', 'Kirsten', 'Henrik', 'Maja', 'Ole', 'Sigrid'],
    family: [
      'Andersson',
      'Johansson',
      'Hansen',
      'Nielsen',
      'Larsen',
      'Lindqvist',
      'Berg',
      'Olsen',
      'Eriksson',
      'Jensen',
    ],
  },
  italian: {
    given: ['Giulia', 'Marco', 'Francesca', 'Luca', 'Chiara', 'Alessandro', 'Elena', 'Matteo'],
    family: ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci'],
  },
  greek: {
    given: ['Georgios', 'Maria', 'Dimitrios', 'Eleni', 'Nikolaos', 'Katerina'],
    family: ['Papadopoulos', 'Georgiou', 'Nikolaidis', 'Papadakis', 'Konstantinou', 'Alexiou'],
  },
  polish: {
    given: ['Anna', 'Piotr', 'Katarzyna', 'Tomasz', 'Magdalena', 'Paweł'],
    family: ['Nowak', 'Kowalczyk', 'Wójcik', 'Mazur', 'Krawczyk', 'Zając'],
  },
  turkish: {
    given: ['Ayşe', 'Mehmet', 'Fatma', 'Mustafa', 'Elif', 'Ahmet'],
    family: ['Yılmaz', 'Kaya', 'Demir', 'Şahin', 'Çelik', 'Yıldız'],
  },
  slavic: {
    given: ['Olga', 'Sergei', 'Natalia', 'Alexei', 'Irina', 'Dmitri', 'Aigerim', 'Nurlan'],
    family: ['Ivanov', 'Petrenko', 'Smirnov', 'Kuznetsov', 'Bondarenko', 'Nurlanov', 'Sokolov', 'Abenov'],
  },
  chinese: {
    given: ['Wei', 'Li', 'Fang', 'Jun', 'Min', 'Hui', 'Lei', 'Yan', 'Jing', 'Tao', 'Xiaoming', 'Lin'],
    family: ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Zhao', 'Huang', 'Zhou', 'Wu'],
  },
  korean: {
    given: ['Ji-won', 'Min-jun', 'Seo-yeon', 'Hyun-woo', 'Soo-jin', 'Jae-hyun', 'Eun-ji', 'Dong-hyun'],
    family: ['Kim', 'Lee', 'Park', 'Choi', 'Jung', 'Kang', 'Cho', 'Yoon'],
  },
  japanese: {
    given: ['Yuki', 'Hiroshi', 'Keiko', 'Takashi', 'Naoko', 'Kenji', 'Aiko', 'Satoshi'],
    family: ['Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Ito', 'Yamamoto', 'Nakamura'],
  },
  indian: {
    given: ['Priya', 'Rahul', 'Anjali', 'Amit', 'Sunita', 'Vikram', 'Kavita', 'Arjun', 'Sita', 'Ramesh'],
    family: ['Sharma', 'Patel', 'Singh', 'Kumar', 'Gupta', 'Rao', 'Reddy', 'Iyer', 'Shrestha', 'Thapa'],
  },
  bengaliUrdu: {
    given: ['Nasreen', 'Farhan', 'Ayesha', 'Imran', 'Sadia', 'Tanvir'],
    family: ['Rahman', 'Hossain', 'Khan', 'Ahmed', 'Chowdhury', 'Akhtar'],
  },
  sinhala: {
    given: ['Nimal', 'Dilani', 'Kasun', 'Chamari'],
    family: ['Perera', 'Fernando', 'Jayasinghe', 'Wickramasinghe'],
  },
  indonesianMalay: {
    given: ['Dewi', 'Budi', 'Siti', 'Agus', 'Rina', 'Hafiz', 'Nurul', 'Wahyu'],
    family: ['Santoso', 'Wijaya', 'Hidayat', 'Saputra', 'Ismail', 'Abdullah', 'Tan', 'Lim'],
  },
  filipino: {
    given: ['Maricel', 'Jose', 'Jocelyn', 'Ramon', 'Liza', 'Arnel', 'Cristina', 'Rodel'],
    family: ['Santos', 'Reyes', 'Cruz', 'Bautista', 'Garcia', 'Mendoza', 'dela Cruz', 'Villanueva'],
  },
  thai: {
    given: ['Somchai', 'Siriporn', 'Nattapong', 'Kanya', 'Prasert', 'Pimchanok'],
    family: ['Saetang', 'Srisuk', 'Wongsawat', 'Chaiyaporn', 'Boonmee', 'Thongchai'],
  },
  vietnamese: {
    given: ['Minh', 'Lan', 'Huong', 'Tuan', 'Thu', 'Duc'],
    family: ['Nguyen', 'Tran', 'Le', 'Pham', 'Hoang', 'Vu'],
  },
  mongolian: {
    given: ['Bat-Erdene', 'Oyuntsetseg', 'Ganbold', 'Sarnai'],
    family: ['Dorj', 'Batbayar', 'Tsogt', 'Enkhbold'],
  },
  arabic: {
    given: [
      'Ahmad',
      'Fatima',
      'Omar',
      'Layla',
      'Khaled',
      'Rania',
      'Youssef',
      'Noura',
      'Hassan',
      'Mariam',
      'Samir',
      'Huda',
    ],
    family: [
      'Haddad',
      'Khalil',
      'Mansour',
      'Nasser',
      'Saleh',
      'Hamdan',
      'Ibrahim',
      'Aziz',
      'Farouk',
      'Darwish',
    ],
  },
  persian: {
    given: ['Reza', 'Maryam', 'Ali', 'Zahra', 'Mehdi', 'Shirin'],
    family: ['Hosseini', 'Ahmadi', 'Karimi', 'Rahimi', 'Moradi', 'Jafari'],
  },
  ethiopian: {
    given: ['Abebe', 'Meseret', 'Dawit', 'Tigist', 'Yohannes', 'Hiwot', 'Solomon', 'Selam'],
    family: ['Tesfaye', 'Bekele', 'Alemu', 'Girma', 'Haile', 'Kebede', 'Mengistu', 'Tadesse'],
  },
  eastAfrican: {
    given: [
      'Wanjiru',
      'Otieno',
      'Achieng',
      'Mwangi',
      'Neema',
      'Baraka',
      'Grace',
      'Joseph',
      'Amani',
      'Esther',
    ],
    family: [
      'Kamau',
      'Odhiambo',
      'Mutua',
      'Njoroge',
      'Mwakyusa',
      'Okello',
      'Uwimana',
      'Habimana',
      'Mugisha',
      'Nyirenda',
    ],
  },
  westAfrican: {
    given: ['Chinedu', 'Ngozi', 'Kwame', 'Ama', 'Oluwaseun', 'Adaeze', 'Kofi', 'Abena', 'Emeka', 'Funmilayo'],
    family: [
      'Okafor',
      'Adeyemi',
      'Mensah',
      'Boateng',
      'Okonkwo',
      'Asante',
      'Adebayo',
      'Owusu',
      'Eze',
      'Ofori',
    ],
  },
  francophoneAfrican: {
    given: ['Aminata', 'Moussa', 'Fatou', 'Ibrahima', 'Awa', 'Mamadou', 'Mariam', 'Ousmane'],
    family: ['Diop', 'Ndiaye', 'Traoré', 'Koné', 'Diallo', 'Fofana', 'Sow', 'Coulibaly'],
  },
  southernAfrican: {
    given: ['Thabo', 'Nomvula', 'Sipho', 'Lerato', 'Themba', 'Naledi'],
    family: ['Nkosi', 'Dlamini', 'Mokoena', 'Khumalo', 'Ndlovu', 'Botha'],
  },
} satisfies Record<string, NameSet>;

interface Country {
  code: string;
  name: string;
  /** Relative share of the delegates beyond the first one from each country. */
  weight: number;
  cities: readonly string[];
  names: NameSet;
}

const country = (
  code: string,
  name: string,
  weight: number,
  cities: string[],
  nameSet: NameSet,
): Country => ({
  code,
  name,
  weight,
  cities,
  names: nameSet,
});

/** 77 countries, weighted to the host region as the real attendance was. */
export const countries: readonly Country[] = [
  // Latin America and the Caribbean
  country(
    'MX',
    'Mexico',
    70,
    ['Mexico City', 'Guadalajara', 'Monterrey', 'Puebla', 'Oaxaca', 'Mérida', 'León', 'Querétaro'],
    names.spanish,
  ),
  country(
    'BR',
    'Brazil',
    14,
    ['São Paulo', 'Sorocaba', 'Curitiba', 'Belo Horizonte', 'Porto Alegre'],
    names.portuguese,
  ),
  country('AR', 'Argentina', 8, ['Buenos Aires', 'Rosario', 'Córdoba'], names.spanish),
  country('CO', 'Colombia', 9, ['Bogotá', 'Medellín', 'Cali'], names.spanish),
  country('CL', 'Chile', 7, ['Santiago', 'Valparaíso'], names.spanish),
  country('PE', 'Peru', 6, ['Lima', 'Arequipa'], names.spanish),
  country('EC', 'Ecuador', 5, ['Quito', 'Guayaquil'], names.spanish),
  country('CU', 'Cuba', 4, ['Havana'], names.spanish),
  country('PY', 'Paraguay', 4, ['Asunción', 'Ybycuí'], names.spanish),
  country('UY', 'Uruguay', 3, ['Montevideo'], names.spanish),
  country('BO', 'Bolivia', 4, ['La Paz', 'Cochabamba'], names.spanish),
  country('VE', 'Venezuela', 3, ['Caracas'], names.spanish),
  country('CR', 'Costa Rica', 4, ['San José'], names.spanish),
  country('GT', 'Guatemala', 4, ['Guatemala City'], names.spanish),
  country('SV', 'El Salvador', 3, ['San Salvador'], names.spanish),
  country('HN', 'Honduras', 3, ['Tegucigalpa'], names.spanish),
  country('NI', 'Nicaragua', 2, ['Managua'], names.spanish),
  country('PA', 'Panama', 3, ['Panama City'], names.spanish),
  country('DO', 'Dominican Republic', 3, ['Santo Domingo'], names.spanish),
  country('JM', 'Jamaica', 2, ['Kingston'], names.english),
  country('TT', 'Trinidad and Tobago', 1, ['Port of Spain'], names.english),
  // North America
  country(
    'US',
    'United States',
    10,
    ['Chicago', 'Los Angeles', 'New York', 'Seattle', 'San Antonio'],
    names.english,
  ),
  country('CA', 'Canada', 6, ['Toronto', 'Vancouver', 'Victoria'], names.english),
  // Europe
  country('ES', 'Spain', 6, ['Madrid', 'Barcelona', 'Bilbao', 'Sevilla'], names.spanish),
  country('FR', 'France', 5, ['Paris', 'Lyon', 'Nantes'], names.french),
  country('DE', 'Germany', 6, ['Hamburg', 'Munich', 'Bonn', 'Berlin'], names.german),
  country('GB', 'United Kingdom', 6, ['Swansea', 'Cardiff', 'London', 'Glasgow', 'Bristol'], names.english),
  country('IE', 'Ireland', 4, ['Cork', 'Dublin', 'Limerick'], names.english),
  country('FI', 'Finland', 4, ['Espoo', 'Helsinki', 'Tampere'], names.finnish),
  country('SE', 'Sweden', 3, ['Gothenburg', 'Stockholm'], names.scandinavian),
  country('NO', 'Norway', 2, ['Oslo', 'Bergen'], names.scandinavian),
  country('DK', 'Denmark', 2, ['Copenhagen', 'Aarhus'], names.scandinavian),
  country('NL', 'Netherlands', 3, ['Amsterdam', 'Rotterdam'], names.dutch),
  country('BE', 'Belgium', 2, ['Brussels', 'Ghent'], names.dutch),
  country('PT', 'Portugal', 3, ['Lisbon', 'Porto'], names.portuguese),
  country('IT', 'Italy', 3, ['Rome', 'Turin', 'Bologna'], names.italian),
  country('GR', 'Greece', 3, ['Athens', 'Larissa'], names.greek),
  country('PL', 'Poland', 2, ['Warsaw', 'Gdańsk'], names.polish),
  country('AT', 'Austria', 2, ['Vienna', 'Graz'], names.german),
  country('CH', 'Switzerland', 2, ['Geneva', 'Zurich'], names.german),
  country('TR', 'Turkey', 3, ['Istanbul', 'Ankara'], names.turkish),
  country('RU', 'Russian Federation', 2, ['Moscow', 'Saint Petersburg'], names.slavic),
  country('UA', 'Ukraine', 1, ['Kyiv'], names.slavic),
  // Asia and the Pacific
  country('CN', 'China', 10, ['Beijing', 'Shanghai', 'Hangzhou', 'Chengdu'], names.chinese),
  country('KR', 'Republic of Korea', 7, ['Namyangju', 'Seoul', 'Suwon', 'Gwangmyeong'], names.korean),
  country('JP', 'Japan', 4, ['Okayama', 'Tokyo', 'Kitakyushu'], names.japanese),
  country('IN', 'India', 5, ['Delhi', 'Mumbai', 'Bengaluru'], names.indian),
  country('ID', 'Indonesia', 3, ['Jakarta', 'Surabaya'], names.indonesianMalay),
  country('PH', 'Philippines', 4, ['Balanga', 'Manila', 'Quezon City'], names.filipino),
  country('TH', 'Thailand', 3, ['Bangkok', 'Chiang Mai'], names.thai),
  country('VN', 'Viet Nam', 3, ['Hanoi', 'Ho Chi Minh City'], names.vietnamese),
  country('MY', 'Malaysia', 2, ['Kuala Lumpur', 'Penang'], names.indonesianMalay),
  country('SG', 'Singapore', 1, ['Singapore'], names.chinese),
  country('BD', 'Bangladesh', 2, ['Dhaka'], names.bengaliUrdu),
  country('PK', 'Pakistan', 1, ['Lahore'], names.bengaliUrdu),
  country('NP', 'Nepal', 2, ['Kathmandu'], names.indian),
  country('LK', 'Sri Lanka', 1, ['Colombo'], names.sinhala),
  country('MN', 'Mongolia', 2, ['Ulaanbaatar'], names.mongolian),
  country('KZ', 'Kazakhstan', 1, ['Almaty'], names.slavic),
  country('IR', 'Iran', 2, ['Tehran', 'Shiraz'], names.persian),
  country('AU', 'Australia', 5, ['Melton', 'Melbourne', 'Wyndham', 'Brisbane'], names.english),
  country('NZ', 'New Zealand', 2, ['Wellington', 'Auckland'], names.english),
  // Arab States
  country('JO', 'Jordan', 5, ['Amman', 'Irbid'], names.arabic),
  country('EG', 'Egypt', 3, ['Cairo', 'Alexandria'], names.arabic),
  country('MA', 'Morocco', 2, ['Rabat', 'Casablanca'], names.arabic),
  country('TN', 'Tunisia', 1, ['Tunis'], names.arabic),
  country('LB', 'Lebanon', 1, ['Beirut'], names.arabic),
  // Africa
  country('ET', 'Ethiopia', 4, ['Bahir Dar', 'Addis Ababa'], names.ethiopian),
  country('KE', 'Kenya', 3, ['Nairobi', 'Mombasa'], names.eastAfrican),
  country('NG', 'Nigeria', 3, ['Lagos', 'Abuja'], names.westAfrican),
  country('GH', 'Ghana', 2, ['Accra', 'Kumasi'], names.westAfrican),
  country('SN', 'Senegal', 2, ['Dakar'], names.francophoneAfrican),
  country('CI', "Côte d'Ivoire", 1, ['Abidjan'], names.francophoneAfrican),
  country('ZA', 'South Africa', 3, ['Cape Town', 'Johannesburg', 'Durban'], names.southernAfrican),
  country('UG', 'Uganda', 1, ['Kampala'], names.eastAfrican),
  country('TZ', 'United Republic of Tanzania', 1, ['Dar es Salaam'], names.eastAfrican),
  country('RW', 'Rwanda', 1, ['Kigali'], names.eastAfrican),
];

const categoryWeights: ReadonlyArray<readonly [DelegateCategory, number]> = [
  ['political-leader', 8],
  ['mayor', 14],
  ['education-executive', 18],
  ['civil-society', 14],
  ['academic', 18],
  ['private-sector', 6],
  ['international-organization', 10],
  ['media', 6],
  ['other', 6],
];

const internationalOrganizations = [
  'UNESCO',
  'UNESCO Institute for Lifelong Learning',
  'UNESCO Office in Mexico',
  'UNICEF',
  'UN-Habitat',
  'OECD',
  'World Bank',
  'DVV International',
  'International Council for Adult Education',
  'Organization of Ibero-American States',
  'CREFAL',
  'PASCAL International Observatory',
] as const;

/** Numbers in [0, 1) from a seeded generator (pure-rand): a fixed seed gives the same delegates on every run. */
const seededRandom = (seed: number) => {
  const generator = xoroshiro128plus(seed);
  return () => uniformFloat64(generator);
};

type Random = () => number;

const pick = <T>(random: Random, items: readonly T[]): T => {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
};

const pickWeighted = <T>(random: Random, items: readonly T[], weightOf: (item: T) => number): T => {
  const total = items.reduce((sum, item) => sum + weightOf(item), 0);
  let ticket = random() * total;
  for (const item of items) {
    ticket -= weightOf(item);
    if (ticket < 0) return item;
  }
  return pick(random, items);
};

/** ASCII for an email's local part: `José María` → `jose-maria`, `O'Brien` → `obrien`. */
const asciiSlug = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ß/g, 'ss')
    .replace(/[łŁ]/g, 'l')
    .replace(/[ıİ]/g, 'i')
    .replace(/[şŞ]/g, 's')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

const organizationFor = (
  random: Random,
  category: DelegateCategory,
  city: string,
  home: Country,
): string | undefined => {
  switch (category) {
    case 'political-leader':
      return pick(random, [
        `Ministry of Education, ${home.name}`,
        `National Parliament of ${home.name}`,
        `Regional Government, ${city}`,
      ]);
    case 'mayor':
      return pick(random, [`City of ${city}`, `Municipality of ${city}`, `${city} City Council`]);
    case 'education-executive':
      return pick(random, [
        `${city} Department of Education`,
        `National Institute for Adult Education, ${home.name}`,
        `${city} Public Library Service`,
      ]);
    case 'civil-society':
      return pick(random, [
        `${home.name} Adult Education Association`,
        `${city} Community Learning Network`,
        `Literacy Foundation of ${city}`,
      ]);
    case 'academic':
      return pick(random, [
        `University of ${city}`,
        `${city} Institute of Education`,
        `National Pedagogical University, ${home.name}`,
      ]);
    case 'private-sector':
      return pick(random, [
        `${city} Chamber of Commerce`,
        `${city} Learning Technologies`,
        `${home.name} Skills Partners`,
      ]);
    case 'international-organization':
      return pick(random, internationalOrganizations);
    case 'media':
      return pick(random, [`${home.name} Public Broadcasting`, `${city} Daily`, 'Education Media Network']);
    case 'other':
      return random() < 0.5 ? undefined : 'Independent consultant';
    default: {
      const unknown: never = category;
      throw new Error(`Unknown category ${String(unknown)}`);
    }
  }
};

export type DemoRegistration = Delegate & { consent: true };

/**
 * The names of the award cities' delegates in their own scripts (issue 19.7), by the Latin name the
 * generator picks: Beijing's in Chinese, Namyangju's in Korean, Amman's in Arabic, Bahir Dar's in Ethiopic.
 * Their Latin names (as in their passports) are kept beside them.
 */
const ownScript: Record<
  string,
  { city: string; given: Record<string, string>; family: Record<string, string> }
> = {
  CN: {
    city: 'Beijing',
    given: {
      Wei: '伟',
      Li: '丽',
      Fang: '芳',
      Jun: '军',
      Min: '敏',
      Hui: '慧',
      Lei: '磊',
      Yan: '燕',
      Jing: '静',
      Tao: '涛',
      Xiaoming: '晓明',
      Lin: '林',
    },
    family: {
      Wang: '王',
      Li: '李',
      Zhang: '张',
      Liu: '刘',
      Chen: '陈',
      Yang: '杨',
      Zhao: '赵',
      Huang: '黄',
      Zhou: '周',
      Wu: '吴',
    },
  },
  KR: {
    city: 'Namyangju',
    given: {
      'Ji-won': '지원',
      'Min-jun': '민준',
      'Seo-yeon': '서연',
      'Hyun-woo': '현우',
      'Soo-jin': '수진',
      'Jae-hyun': '재현',
      'Eun-ji': '은지',
      'Dong-hyun': '동현',
    },
    family: { Kim: '김', Lee: '이', Park: '박', Choi: '최', Jung: '정', Kang: '강', Cho: '조', Yoon: '윤' },
  },
  JO: {
    city: 'Amman',
    given: {
      Ahmad: 'أحمد',
      Fatima: 'فاطمة',
      Omar: 'عمر',
      Layla: 'ليلى',
      Khaled: 'خالد',
      Rania: 'رانيا',
      Youssef: 'يوسف',
      Noura: 'نورة',
      Hassan: 'حسن',
      Mariam: 'مريم',
      Samir: 'سمير',
      Huda: 'هدى',
    },
    family: {
      Haddad: 'حداد',
      Khalil: 'خليل',
      Mansour: 'منصور',
      Nasser: 'ناصر',
      Saleh: 'صالح',
      Hamdan: 'حمدان',
      Ibrahim: 'إبراهيم',
      Aziz: 'عزيز',
      Farouk: 'فاروق',
      Darwish: 'درويش',
    },
  },
  ET: {
    city: 'Bahir Dar',
    given: {
      Abebe: 'አበበ',
      Meseret: 'መሰረት',
      Dawit: 'ዳዊት',
      Tigist: 'ትዕግስት',
      Yohannes: 'ዮሐንስ',
      Hiwot: 'ሕይወት',
      Solomon: 'ሰሎሞን',
      Selam: 'ሰላም',
    },
    family: {
      Tesfaye: 'ተስፋዬ',
      Bekele: 'በቀለ',
      Alemu: 'አለሙ',
      Girma: 'ግርማ',
      Haile: 'ኃይሌ',
      Kebede: 'ከበደ',
      Mengistu: 'መንግሥቱ',
      Tadesse: 'ታደሰ',
    },
  },
};

/** The language some delegates choose (CONTRACT 5.4); the others get the conference's default, English. */
const languageOfCountry: Partial<Record<string, Delegate['language']>> = {
  ...Object.fromEntries(
    [
      'MX',
      'ES',
      'AR',
      'CO',
      'CL',
      'PE',
      'EC',
      'VE',
      'UY',
      'BO',
      'PY',
      'CR',
      'CU',
      'GT',
      'HN',
      'NI',
      'PA',
      'SV',
      'DO',
    ].map((country) => [country, 'es' as const]),
  ),
  FR: 'fr',
  RU: 'ru',
  CN: 'zh',
  JO: 'ar',
  EG: 'ar',
  MA: 'ar',
  TN: 'ar',
  LB: 'ar',
  GB: 'en',
  US: 'en',
  CA: 'en',
  AU: 'en',
  IE: 'en',
};

/**
 * A delegate from the country of one of these award cities in their own script, with their Latin name
 * (the whole country: the generator may send nobody from the award city itself); anyone else as generated.
 */
const inOwnScript = (registration: DemoRegistration): DemoRegistration => {
  const own = ownScript[registration.country];
  const givenName = own?.given[registration.givenName];
  const familyName = own?.family[registration.familyName];
  if (!own || !givenName || !familyName) return registration;
  return {
    ...registration,
    givenName,
    familyName,
    latinName: { givenName: registration.givenName, familyName: registration.familyName },
  };
};

export const DEMO_DELEGATE_COUNT = 420;

/**
 * `count` delegates (at least one per country, the rest weighted), in a shuffled but fixed order, each
 * with a unique email `given.family.N@example.org` (example.com for the private sector).
 */
export const delegates = (count = DEMO_DELEGATE_COUNT): DemoRegistration[] => {
  if (count < countries.length) throw new Error(`The demo needs at least ${countries.length} delegates`);
  const random = seededRandom(20_150_928);
  const homes = [...countries];
  while (homes.length < count) homes.push(pickWeighted(random, countries, (home) => home.weight));
  for (let i = homes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [homes[i], homes[j]] = [homes[j] as Country, homes[i] as Country];
  }
  return homes.map((home, index) => {
    const givenName = pick(random, home.names.given);
    const familyName = pick(random, home.names.family);
    const city = pick(random, home.cities);
    const category = pickWeighted(random, categoryWeights, ([, weight]) => weight)[0];
    const organization = organizationFor(random, category, city, home);
    const domain = category === 'private-sector' ? 'example.com' : 'example.org';
    const email = `${asciiSlug(givenName)}.${asciiSlug(familyName)}.${index + 1}@${domain}`;
    const registration: DemoRegistration = {
      givenName,
      familyName,
      email,
      country: home.code,
      city,
      category,
      consent: true,
      // Most delegates agree to be named in the List of Participants (CONTRACT 5.3); one in seven does not.
      // Decided by position, not by a draw, so the demo's other choices stay as they were.
      consentToPublish: index % 7 !== 3,
    };
    if (organization !== undefined) registration.organization = organization;
    const language = languageOfCountry[home.code];
    if (language) registration.language = language;
    return inOwnScript(registration);
  });
};

/** Deterministic Idempotency-Keys: the same item gets the same key on every run. */
export const idempotencyKeys = {
  conference: () => `${DEMO_ACRONYM}-demo/conference`,
  session: (session: SessionDetails) =>
    `${DEMO_ACRONYM}-demo/session/${session.date}/${session.start}/${asciiSlug(session.room)}`,
  award: (grant: Pick<AwardGrant, 'year' | 'city' | 'country'>) =>
    `${DEMO_ACRONYM}-demo/award/${grant.year}/${grant.country}/${asciiSlug(grant.city)}`,
  registration: (registration: Pick<Delegate, 'email'>) =>
    `${DEMO_ACRONYM}-demo/registration/${registration.email.toLowerCase()}`,
  /** CONTRACT 5.1: the confirmation of a registration with the link mailed to the address. */
  confirmation: (registration: Pick<Delegate, 'email'>) =>
    `${DEMO_ACRONYM}-demo/confirmation/${registration.email.toLowerCase()}`,
  visaLetter: (letter: Pick<DemoVisaLetter, 'email'>, step: 'request' | VisaLetterDecision) =>
    `${DEMO_ACRONYM}-demo/visa-letter/${step}/${letter.email.toLowerCase()}`,
  // desk-registration: the desk's corrections and check-ins.
  correction: (registration: Pick<Delegate, 'email'>) =>
    `${DEMO_ACRONYM}-demo/details/${registration.email.toLowerCase()}`,
  checkIn: (registration: Pick<Delegate, 'email'>) =>
    `${DEMO_ACRONYM}-demo/check-in/${registration.email.toLowerCase()}`,
  // Who may register (CONTRACT 5.3): invitations, the moderation's decisions, the delegations.
  invitation: (invitee: Pick<Delegate, 'email'>) =>
    `${DEMO_ACRONYM}-demo/invitation/${invitee.email.toLowerCase()}`,
  decisions: () => `${DEMO_ACRONYM}-demo/registration-decisions`,
  delegation: (delegation: Pick<DemoDelegation, 'key'>, step: 'create' | 'head' | 'credentials') =>
    `${DEMO_ACRONYM}-demo/delegation/${delegation.key}/${step}`,
  substitution: (delegation: Pick<DemoDelegation, 'key'>, member: Pick<Delegate, 'email'>) =>
    `${DEMO_ACRONYM}-demo/delegation/${delegation.key}/substitute/${member.email.toLowerCase()}`,
};

// ---------------------------------------------------------------------------------------------------
// Who may register (CONTRACT 5.3): mayors by invitation only, civil society moderated, everyone else open.

export const registrationPolicy = {
  mayor: 'invitation',
  'civil-society': 'moderated',
} as const satisfies NonNullable<ConferenceDetails['registrationPolicy']>;

const policyOf = (category: DelegateCategory): 'open' | 'moderated' | 'invitation' =>
  (registrationPolicy as Partial<Record<DelegateCategory, 'moderated' | 'invitation'>>)[category] ?? 'open';

/** Whether a delegate of this category registers as anyone may (no invitation, no approval). */
export const isOpen = (registration: Pick<Delegate, 'category'>): boolean =>
  policyOf(registration.category) === 'open';

/** Whether a delegate of this category needs an invitation's code to register. */
export const needsInvitation = (registration: Pick<Delegate, 'category'>): boolean =>
  policyOf(registration.category) === 'invitation';

const mayorOf = (
  city: string,
  country: string,
  givenName: string,
  familyName: string,
  language: Delegate['language'],
  latinName?: { givenName: string; familyName: string },
): DemoRegistration => ({
  givenName,
  familyName,
  ...(latinName ? { latinName } : {}),
  email: `mayor.${asciiSlug(city)}@example.org`,
  country,
  city,
  category: 'mayor',
  organization: `City of ${city}`,
  consent: true,
  consentToPublish: true,
  ...(language ? { language } : {}),
});

/**
 * The mayors of the twelve award cities, each invited by the organizers (category `mayor`, by invitation
 * only). Mexico City's is its real mayor of 2015, a speaker of the opening; the others are made up.
 */
export const awardCityMayors: DemoRegistration[] = [
  mayorOf('Melton', 'AU', 'Sophie', 'Turner', 'en'),
  mayorOf('Sorocaba', 'BR', 'Rafael', 'Costa', undefined),
  mayorOf('Beijing', 'CN', '建国', '陈', 'zh', { givenName: 'Jianguo', familyName: 'Chen' }),
  mayorOf('Bahir Dar', 'ET', 'ጌታቸው', 'አለሙ', undefined, { givenName: 'Getachew', familyName: 'Alemu' }),
  mayorOf('Espoo', 'FI', 'Mikko', 'Lahtinen', 'en'),
  mayorOf('Cork', 'IE', 'Deirdre', 'O’Sullivan', 'en'),
  mayorOf('Amman', 'JO', 'سامي', 'العلي', 'ar', { givenName: 'Sami', familyName: 'Al-Ali' }),
  mayorOf('Mexico City', 'MX', 'Miguel Ángel', 'Mancera', 'es'),
  mayorOf('Ybycuí', 'PY', 'Hugo', 'Giménez', 'es'),
  mayorOf('Balanga', 'PH', 'Antonio', 'Santos', 'en'),
  mayorOf('Namyangju', 'KR', '민석', '한', undefined, { givenName: 'Min-seok', familyName: 'Han' }),
  mayorOf('Swansea', 'GB', 'Gareth', 'Davies', 'en'),
];

/** Everyone the organizers invite: the award cities' mayors, and every generated delegate who is a mayor. */
export const invitees = (registrations: readonly DemoRegistration[] = delegates()): DemoRegistration[] => [
  ...awardCityMayors,
  ...registrations.filter(needsInvitation),
];

/**
 * The moderated civil society: the secretariat approves them in one request, but for the last few, still
 * pending, and the first, rejected (its organization is no civil society organization).
 */
export const moderation = {
  leftPending: 5,
  rejection: {
    reasonCode: 'not-eligible' as RejectionReasonCode,
    // In the host city's language and the working language: translations/missing lists it for the four others.
    message: {
      es: 'Las plazas de la sociedad civil son para organizaciones no gubernamentales; inscríbase en la categoría de su institución.',
      en: 'The civil society places are for non-governmental organizations; please register in the category of your institution.',
    },
  },
  /** Who is approved, rejected and left pending, among the demo's delegates in their order. */
  of(registrations: readonly DemoRegistration[] = delegates()) {
    const moderated = registrations.filter((registration) => policyOf(registration.category) === 'moderated');
    const pending = moderated.slice(moderated.length - this.leftPending);
    const [rejected, ...approved] = moderated.slice(0, moderated.length - this.leftPending);
    if (!rejected) throw new Error('The demo has too few civil society delegates');
    return { approved, rejected, pending };
  },
};

/** A delegation of the demo: its focal point invites the members, names the head, substitutes one. */
export interface DemoDelegation {
  /** For the Idempotency-Keys. */
  key: string;
  request: {
    name: string;
    country: string;
    organization: string;
    quota: number;
    focalPoint: { email: string; givenName: string; familyName: string; language?: Delegate['language'] };
  };
  credentials: 'pending' | 'received' | 'verified';
  /** In the order the focal point invites them; the first is the head of delegation. */
  members: DemoRegistration[];
  /** A member who cannot come after all, and who comes instead (once every seat is known: after the raise). */
  substitution?: { member: string; substitute: DemoRegistration };
}

const member = (
  delegation: string,
  country: string,
  city: string,
  givenName: string,
  familyName: string,
  category: DelegateCategory,
  organization: string,
  consentToPublish = true,
): DemoRegistration => ({
  givenName,
  familyName,
  email: `${asciiSlug(givenName)}.${asciiSlug(familyName)}@${delegation}.example.org`,
  country,
  city,
  category,
  organization,
  consent: true,
  consentToPublish,
});

/** Two delegations: Mexico City's (the host city's) and the Republic of Korea's. */
export const delegations: DemoDelegation[] = [
  {
    key: 'mexico-city',
    request: {
      name: 'Mexico City',
      country: 'MX',
      organization: 'Government of Mexico City',
      quota: 5,
      focalPoint: {
        email: 'focal.point@cdmx.example.org',
        givenName: 'Mariana',
        familyName: 'Quiroga',
        language: 'es',
      },
    },
    credentials: 'verified',
    members: [
      member(
        'cdmx',
        'MX',
        'Mexico City',
        'Gabriela',
        'Ortega Ruiz',
        'political-leader',
        'Ministry of Education of Mexico City',
      ),
      member(
        'cdmx',
        'MX',
        'Mexico City',
        'Fernando',
        'Aguilar',
        'education-executive',
        'Mexico City Department of Education',
      ),
      member(
        'cdmx',
        'MX',
        'Mexico City',
        'Lucía',
        'Herrera',
        'academic',
        'Universidad Autónoma de la Ciudad de México',
      ),
      member(
        'cdmx',
        'MX',
        'Mexico City',
        'Diego',
        'Salinas',
        'education-executive',
        'Mexico City Public Library Service',
        false,
      ),
    ],
  },
  {
    key: 'republic-of-korea',
    request: {
      name: 'Republic of Korea',
      country: 'KR',
      organization: 'Ministry of Education',
      quota: 4,
      focalPoint: {
        email: 'focal.point@korea.example.org',
        givenName: 'Ha-eun',
        familyName: 'Yoon',
        language: 'en',
      },
    },
    credentials: 'received',
    members: [
      member('korea', 'KR', 'Sejong', 'Min-jung', 'Choi', 'political-leader', 'Ministry of Education'),
      member(
        'korea',
        'KR',
        'Seoul',
        'Jae-hyun',
        'Park',
        'education-executive',
        'National Institute for Lifelong Education',
      ),
      member('korea', 'KR', 'Suwon', 'Dong-hyun', 'Kang', 'academic', 'Korea National Open University'),
      member(
        'korea',
        'KR',
        'Seoul',
        'Eun-ji',
        'Lee',
        'education-executive',
        'Seoul Metropolitan Office of Education',
      ),
    ],
    substitution: {
      member: 'eun-ji.lee@korea.example.org',
      substitute: member(
        'korea',
        'KR',
        'Seoul',
        'Seo-yeon',
        'Jung',
        'education-executive',
        'Seoul Metropolitan Office of Education',
      ),
    },
  },
];

/**
 * The answers of someone invited (not among the generated delegates, whose answers `demoAnswers` draws):
 * no particular diet, interpretation by their language, their position where the form asks it.
 */
export const invitedAnswers = (registration: DemoRegistration): Record<string, unknown> => {
  const position = POSITIONS[registration.category];
  return {
    diet: 'none',
    interpretation: INTERPRETATION_BY_COUNTRY[registration.country] ?? 'none',
    ...(position ? { position: `${position}, ${registration.city}` } : {}),
  };
};

// ---------------------------------------------------------------------------------------------------
// Visa letters (CONTRACT 4.4): a handful of delegates ask for a letter of invitation; the organizers
// have issued some, declined one, and the rest wait for review.

export type VisaLetterDecision = 'issue' | 'decline' | 'wait';

export interface DemoVisaLetter {
  /** The delegate, by the email of their registration (delegates()). */
  email: string;
  request: VisaLetterRequest;
  decision: VisaLetterDecision;
  /** For a declined request. */
  reason?: string;
}

const VISA_DECISIONS: VisaLetterDecision[] = ['issue', 'issue', 'issue', 'decline', 'wait', 'wait'];

/** Six requests by delegates from abroad (every sixty-ninth delegate not from Mexico), deterministic. */
export const visaLetters = (registrations: readonly DemoRegistration[] = delegates()): DemoVisaLetter[] => {
  // Delegates of an open category: the invited mayors and the moderated civil society register later.
  const abroad = registrations.filter(
    (registration) => registration.country !== conference.country && isOpen(registration),
  );
  return VISA_DECISIONS.map((decision, n) => {
    const delegate = abroad[(n * 69 + 7) % abroad.length] as DemoRegistration;
    return {
      email: delegate.email,
      request: {
        passportName: `${delegate.familyName.toUpperCase()} ${delegate.givenName}`,
        passportNumber: `${delegate.country}${String(4_810_273 + n * 7_919_731).slice(-7)}`,
        nationality: delegate.country,
        dateOfBirth: `${1960 + n * 4}-0${1 + n}-1${n}`,
        passportExpiresOn: `${2019 + n}-11-30`,
        placeOfIssue: delegate.city,
      },
      decision,
      ...(decision === 'decline'
        ? { reason: 'The passport number in the request does not match the copy of the passport sent to us.' }
        : {}),
    };
  });
};

// ---------------------------------------------------------------------------------------------------
// The capacity raised once (CONTRACT section 4.2)

/**
 * Registration opens with the seats first booked in the Palacio; once the overflow screening in the
 * Sala Adamo Boari is confirmed, the organizers raise the capacity to `conference.capacity`, and the
 * waitlist process gives the new seats to the delegates who waited, longest-waiting first.
 */
export const capacityRaise = {
  openingCapacity: 400,
  raisedTo: conference.capacity,
  idempotencyKey: `${DEMO_ACRONYM}-demo/settings/capacity-${conference.capacity}`,
};

// desk-registration: the registration desk on the first morning (CONTRACT 4.3).
/** How many delegates, the first to have registered, the desk checks in by their badge's code. */
export const DEMO_CHECK_INS = 60;

/** A registration an organizer corrects at the desk: registered as `other`, from UNESCO's institute. */
export const deskCorrection = {
  delegateIndex: 1,
  changes: { organization: 'UNESCO Institute for Lifelong Learning', category: 'international-organization' },
} as const;

// ---------------------------------------------------------------------------------------------------
// The registration form (CONTRACT 5.2): what the 2015 conference would have asked its delegates. Diet
// and access needs are sensitive (sealed under each registration's second key); the field visits to
// Mexico City's learning communities have 40 places on each bus.

export const FIELD_VISIT_PLACES = 40;

export const registrationForm: FormDefinition = {
  fields: [
    {
      fieldId: 'diet',
      type: 'single-choice',
      label: 'Dietary needs',
      help: 'For the caterer of the lunches and the reception at Palacio de Bellas Artes.',
      required: true,
      sensitive: true,
      options: [
        { optionId: 'none', label: 'No particular needs' },
        { optionId: 'vegetarian', label: 'Vegetarian' },
        { optionId: 'vegan', label: 'Vegan' },
        { optionId: 'halal', label: 'Halal' },
        { optionId: 'kosher', label: 'Kosher' },
        { optionId: 'gluten-free', label: 'Gluten-free' },
        { optionId: 'other', label: 'Other' },
      ],
    },
    {
      fieldId: 'dietOther',
      type: 'text',
      label: 'Which dietary needs?',
      required: true,
      sensitive: true,
      showIf: { fieldId: 'diet', equals: 'other' },
      maxLength: 200,
    },
    {
      fieldId: 'access',
      type: 'multi-choice',
      label: 'Access needs',
      help: 'For the venue: we will contact you before the conference.',
      sensitive: true,
      options: [
        { optionId: 'wheelchair', label: 'Wheelchair access' },
        { optionId: 'sign-language', label: 'Sign language interpretation' },
        { optionId: 'hearing-loop', label: 'Hearing loop' },
        { optionId: 'large-print', label: 'Documents in large print' },
      ],
    },
    {
      fieldId: 'interpretation',
      type: 'single-choice',
      label: 'Simultaneous interpretation into',
      required: true,
      options: [
        { optionId: 'none', label: 'None needed (Spanish or English)' },
        { optionId: 'ar', label: 'Arabic' },
        { optionId: 'zh', label: 'Chinese' },
        { optionId: 'fr', label: 'French' },
        { optionId: 'ru', label: 'Russian' },
      ],
    },
    {
      fieldId: 'fieldVisit',
      type: 'single-choice',
      label: 'Field visit on 30 September to a Mexico City learning community',
      options: [
        { optionId: 'xochimilco', label: 'Xochimilco: learning along the canals', limit: FIELD_VISIT_PLACES },
        {
          optionId: 'iztapalapa',
          label: 'Utopías de Iztapalapa: community learning centres',
          limit: FIELD_VISIT_PLACES,
        },
        { optionId: 'none', label: 'No field visit' },
      ],
    },
    {
      fieldId: 'position',
      type: 'text',
      label: 'Position or title, as the protocol office should address you',
      required: true,
      categories: ['political-leader', 'mayor', 'international-organization'],
      maxLength: 200,
    },
  ],
};

const DIETS: ReadonlyArray<readonly [string, number]> = [
  ['none', 60],
  ['vegetarian', 18],
  ['vegan', 4],
  ['halal', 8],
  ['kosher', 2],
  ['gluten-free', 4],
  ['other', 4],
];
const INTERPRETATION_BY_COUNTRY: Record<string, string> = {
  JO: 'ar',
  EG: 'ar',
  MA: 'ar',
  AE: 'ar',
  SA: 'ar',
  CN: 'zh',
  FR: 'fr',
  SN: 'fr',
  CI: 'fr',
  RU: 'ru',
};
const POSITIONS: Partial<Record<DelegateCategory, string>> = {
  'political-leader': 'Minister',
  mayor: 'Mayor',
  'international-organization': 'Programme Specialist',
};

/**
 * The demo delegates' answers to the form, fixed per delegate (their own seeded random, so the delegates
 * themselves stay as they were): each field visit is offered to no more than its places.
 */
export const demoAnswers = (
  registrations: readonly DemoRegistration[],
): Map<DemoRegistration, Record<string, unknown>> => {
  const random = seededRandom(20_150_930);
  const visits = { xochimilco: 0, iztapalapa: 0 };
  return new Map(
    registrations.map((registration) => {
      const diet = pickWeighted(random, DIETS, ([, weight]) => weight)[0];
      const answers: Record<string, unknown> = {
        diet,
        interpretation: INTERPRETATION_BY_COUNTRY[registration.country] ?? 'none',
      };
      if (diet === 'other') answers.dietOther = 'No shellfish, low salt';
      if (random() < 0.04) answers.access = random() < 0.7 ? ['wheelchair'] : ['hearing-loop', 'large-print'];
      const wish = random();
      const visit = wish < 0.2 ? 'xochimilco' : wish < 0.4 ? 'iztapalapa' : wish < 0.6 ? 'none' : undefined;
      if (visit === 'none') answers.fieldVisit = 'none';
      else if (visit && visits[visit] < FIELD_VISIT_PLACES) {
        visits[visit] += 1;
        answers.fieldVisit = visit;
      }
      const position = POSITIONS[registration.category];
      if (position) answers.position = `${position}, ${registration.city}`;
      return [registration, answers];
    }),
  );
};
