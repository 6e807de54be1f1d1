import type { Locale } from './locales.ts';

/**
 * The product's translated texts (it, en, es). Every message is a whole sentence or label per locale with
 * `{name}` placeholders for values, never assembled from translated pieces; counts choose a whole variant with
 * `Intl.PluralRules`, and numbers and dates are formatted with `Intl` in the reader's locale.
 */

/**
 * The variants of a counted message. `=0` is an exact match tried first (as in ICU MessageFormat); the others
 * are CLDR plural categories, with `other` standing in for a category a locale has but the message does not
 * need (`many` is Spanish and Italian for round millions).
 */
export interface PluralMessage {
  '=0'?: string;
  one: string;
  other: string;
}

interface RecapCatalogue {
  title: string;
  /** {name} */
  greeting: string;
  /** {count}: the reader's overdue leads. */
  subjectOwn: PluralMessage;
  /** {count}: the team's overdue leads, the reader having none. */
  subjectTeamOnly: PluralMessage;
  /** {count} */
  introOwn: PluralMessage;
  introNone: string;
  /** {count}: the leads listed under one status. */
  statusLeadCount: PluralMessage;
  columnLead: string;
  columnOverdue: string;
  /** Under the lead's name. {date}: its due date. */
  dueOn: string;
  /** {count}: whole days since the due date. */
  overdueCell: PluralMessage;
  /** Plain-text line of one lead. {lead}, {date} (due date), {count} (days overdue). */
  leadLine: PluralMessage;
  teamHeading: string;
  /** {count} */
  teamIntro: PluralMessage;
  teamColumnStatus: string;
  teamColumnCount: string;
  teamTotal: string;
  footer: string;
}

export type TextKey = { [K in keyof RecapCatalogue]: RecapCatalogue[K] extends string ? K : never }[keyof RecapCatalogue];
export type PluralKey = { [K in keyof RecapCatalogue]: RecapCatalogue[K] extends PluralMessage ? K : never }[keyof RecapCatalogue];

const catalogues: Record<Locale, RecapCatalogue> = {
  en: {
    title: 'Morning recap',
    greeting: 'Good morning, {name}',
    subjectOwn: { one: 'Morning recap: 1 overdue lead', other: 'Morning recap: {count} overdue leads' },
    subjectTeamOnly: {
      one: 'Morning recap: your team has 1 overdue lead',
      other: 'Morning recap: your team has {count} overdue leads',
    },
    introOwn: {
      one: '1 of your leads has stayed in its status longer than planned.',
      other: '{count} of your leads have stayed in their status longer than planned.',
    },
    introNone: 'None of your own leads is overdue today.',
    statusLeadCount: { one: '1 lead', other: '{count} leads' },
    columnLead: 'Lead',
    columnOverdue: 'Overdue',
    dueOn: 'Due {date}',
    overdueCell: { '=0': 'since today', one: '1 day', other: '{count} days' },
    leadLine: {
      '=0': '{lead}: due {date}, overdue since today',
      one: '{lead}: due {date}, 1 day overdue',
      other: '{lead}: due {date}, {count} days overdue',
    },
    teamHeading: 'Your team',
    teamIntro: { one: '1 lead of the team is overdue.', other: '{count} leads of the team are overdue.' },
    teamColumnStatus: 'Status',
    teamColumnCount: 'Overdue leads',
    teamTotal: 'Total',
    footer: 'You receive this recap because the daily recap is on in your settings.',
  },
  it: {
    title: 'Riepilogo del mattino',
    greeting: 'Buongiorno {name}',
    subjectOwn: { one: 'Riepilogo del mattino: 1 lead scaduto', other: 'Riepilogo del mattino: {count} lead scaduti' },
    subjectTeamOnly: {
      one: 'Riepilogo del mattino: il tuo team ha 1 lead scaduto',
      other: 'Riepilogo del mattino: il tuo team ha {count} lead scaduti',
    },
    introOwn: {
      one: '1 dei tuoi lead è rimasto nel suo stato più a lungo del previsto.',
      other: '{count} dei tuoi lead sono rimasti nel loro stato più a lungo del previsto.',
    },
    introNone: 'Oggi nessuno dei tuoi lead è scaduto.',
    statusLeadCount: { one: '1 lead', other: '{count} lead' },
    columnLead: 'Lead',
    columnOverdue: 'Ritardo',
    dueOn: 'Scadenza {date}',
    overdueCell: { '=0': 'da oggi', one: '1 giorno', other: '{count} giorni' },
    leadLine: {
      '=0': '{lead}: scadenza {date}, scaduto oggi',
      one: '{lead}: scadenza {date}, in ritardo di 1 giorno',
      other: '{lead}: scadenza {date}, in ritardo di {count} giorni',
    },
    teamHeading: 'Il tuo team',
    teamIntro: { one: 'Nel team 1 lead è scaduto.', other: 'Nel team {count} lead sono scaduti.' },
    teamColumnStatus: 'Stato',
    teamColumnCount: 'Lead scaduti',
    teamTotal: 'Totale',
    footer: 'Ricevi questo riepilogo perché nelle tue impostazioni è attivo il riepilogo giornaliero.',
  },
  es: {
    title: 'Resumen matinal',
    greeting: 'Buenos días, {name}',
    subjectOwn: { one: 'Resumen matinal: 1 lead vencido', other: 'Resumen matinal: {count} leads vencidos' },
    subjectTeamOnly: {
      one: 'Resumen matinal: tu equipo tiene 1 lead vencido',
      other: 'Resumen matinal: tu equipo tiene {count} leads vencidos',
    },
    introOwn: {
      one: '1 de tus leads lleva en su estado más tiempo del previsto.',
      other: '{count} de tus leads llevan en su estado más tiempo del previsto.',
    },
    introNone: 'Hoy ninguno de tus leads está vencido.',
    statusLeadCount: { one: '1 lead', other: '{count} leads' },
    columnLead: 'Lead',
    columnOverdue: 'Retraso',
    dueOn: 'Vence el {date}',
    overdueCell: { '=0': 'desde hoy', one: '1 día', other: '{count} días' },
    leadLine: {
      '=0': '{lead}: vencimiento {date}, vencido hoy',
      one: '{lead}: vencimiento {date}, 1 día de retraso',
      other: '{lead}: vencimiento {date}, {count} días de retraso',
    },
    teamHeading: 'Tu equipo',
    teamIntro: { one: 'El equipo tiene 1 lead vencido.', other: 'El equipo tiene {count} leads vencidos.' },
    teamColumnStatus: 'Estado',
    teamColumnCount: 'Leads vencidos',
    teamTotal: 'Total',
    footer: 'Recibes este resumen porque el resumen diario está activado en tu configuración.',
  },
};

export type MessageParams = Record<string, string>;

export interface Translator {
  readonly locale: Locale;
  text(key: TextKey, params?: MessageParams): string;
  /** The variant for `count`; `{count}` is the count formatted for the locale. */
  plural(key: PluralKey, count: number, params?: MessageParams): string;
  number(value: number): string;
  /** An instant as a full date (weekday, day, month, year) in a time zone. */
  longDate(instant: Date, timeZone: string): string;
  /** A calendar date (YYYY-MM-DD) as a short date; it names a day, so no time zone shifts it. */
  calendarDate(date: string): string;
}

export function translator(locale: Locale): Translator {
  const catalogue = catalogues[locale];
  const pluralRules = new Intl.PluralRules(locale);
  const numbers = new Intl.NumberFormat(locale);
  const shortDates = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  const number = (value: number) => numbers.format(value);
  return {
    locale,
    text: (key, params = {}) => fill(catalogue[key], params),
    plural(key, count, params = {}) {
      const message = catalogue[key];
      const category = pluralRules.select(count);
      const variant = (count === 0 ? message['=0'] : undefined) ?? (category === 'one' ? message.one : message.other);
      return fill(variant, { ...params, count: number(count) });
    },
    number,
    longDate: (instant, timeZone) => new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone }).format(instant),
    calendarDate: (date) => shortDates.format(new Date(`${date}T00:00:00Z`)),
  };
}

function fill(template: string, params: MessageParams): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`Message "${template}" needs the parameter ${name}`);
    return value;
  });
}

/** R-PS-8 the texts of a task reminder mail. */
interface ReminderCatalogue {
  /** {task} */
  subject: string;
  /** {name} */
  greeting: string;
  /** {task} */
  intro: string;
  /** {date}: the task's due date and time in the reader's time zone. */
  dueOn: string;
  noDueDate: string;
  openProcess: string;
  footer: string;
}

const reminderCatalogues: Record<Locale, ReminderCatalogue> = {
  en: {
    subject: 'Reminder: {task}',
    greeting: 'Hello {name},',
    intro: 'This is your reminder for the post-sale task "{task}".',
    dueOn: 'Due {date}',
    noDueDate: 'No due date',
    openProcess: 'Open the post-sale process',
    footer: 'You receive this reminder because a reminder was set on a post-sale task assigned to you.',
  },
  it: {
    subject: 'Promemoria: {task}',
    greeting: 'Ciao {name},',
    intro: 'Ecco il promemoria per l\u2019attività post-vendita "{task}".',
    dueOn: 'Scadenza {date}',
    noDueDate: 'Nessuna scadenza',
    openProcess: 'Apri il processo post-vendita',
    footer: 'Ricevi questo promemoria perché è stato impostato su un\u2019attività post-vendita assegnata a te.',
  },
  es: {
    subject: 'Recordatorio: {task}',
    greeting: 'Hola, {name}:',
    intro: 'Este es tu recordatorio de la tarea posventa "{task}".',
    dueOn: 'Vence el {date}',
    noDueDate: 'Sin fecha de vencimiento',
    openProcess: 'Abrir el proceso posventa',
    footer: 'Recibes este recordatorio porque se programó en una tarea posventa asignada a ti.',
  },
};

export interface ReminderTranslator {
  readonly locale: Locale;
  text(key: keyof ReminderCatalogue, params?: MessageParams): string;
  /** An instant as a date and time in a time zone. */
  dateTime(instant: Date, timeZone: string): string;
}

export function reminderTranslator(locale: Locale): ReminderTranslator {
  const catalogue = reminderCatalogues[locale];
  return {
    locale,
    text: (key, params = {}) => fill(catalogue[key], params),
    dateTime: (instant, timeZone) => new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone }).format(instant),
  };
}
