import { describe, expect, it } from 'vitest';
import type { StatusGroup } from '../../shared/domain/recap.ts';
import type { Locale } from '../../shared/i18n/locales.ts';
import { translator } from '../../shared/i18n/messages.ts';
import { renderRecapEmail, type RecapEmailView } from '../../shared/mail/recap-email.ts';

const working = (days: number[]): StatusGroup => ({
  statusId: 'S-WORK',
  statusName: 'Working',
  leads: days.map((daysOverdue, index) => ({ id: `L${index + 1}`, name: `Lead ${index + 1}`, dueDate: '2026-11-22', daysOverdue })),
});

const view = (changes: Partial<RecapEmailView> = {}): RecapEmailView => ({
  recipientName: 'Maria',
  timeZone: 'Europe/Rome',
  now: new Date('2026-11-24T07:00:00Z'),
  appUrl: 'https://crm.acme.example',
  own: [working([2, 1])],
  ownCount: 2,
  team: null,
  ...changes,
});

describe('R-REC-1 recap subject in each locale, with plurals', () => {
  it.each([
    ['en', 'Morning recap: 1 overdue lead', 'Morning recap: 2 overdue leads', 'Morning recap: your team has 5 overdue leads'],
    ['it', 'Riepilogo del mattino: 1 lead scaduto', 'Riepilogo del mattino: 2 lead scaduti', 'Riepilogo del mattino: il tuo team ha 5 lead scaduti'],
    ['es', 'Resumen matinal: 1 lead vencido', 'Resumen matinal: 2 leads vencidos', 'Resumen matinal: tu equipo tiene 5 leads vencidos'],
  ] as const)('R-REC-1 %s', (locale, one, two, teamOnly) => {
    const teamTotals = { count: 5, perStatus: [{ statusId: 'S-WORK', statusName: 'Working', count: 5 }] };

    expect(renderRecapEmail(view({ own: [working([3])], ownCount: 1 }), locale).subject).toBe(one);
    expect(renderRecapEmail(view(), locale).subject).toBe(two);
    expect(renderRecapEmail(view({ own: [], ownCount: 0, team: teamTotals }), locale).subject).toBe(teamOnly);
  });
});

describe('R-REC-1 recap plain-text part', () => {
  it.each([
    ['en', 'Tuesday, November 24, 2026', 'Lead 1: due Nov 22, 2026, 2 days overdue', 'Lead 2: due Nov 22, 2026, 1 day overdue'],
    ['it', 'martedì 24 novembre 2026', 'Lead 1: scadenza 22 nov 2026, in ritardo di 2 giorni', 'Lead 2: scadenza 22 nov 2026, in ritardo di 1 giorno'],
    ['es', 'martes, 24 de noviembre de 2026', 'Lead 1: vencimiento 22 nov 2026, 2 días de retraso', 'Lead 2: vencimiento 22 nov 2026, 1 día de retraso'],
  ] as const)('R-REC-1 %s: the date, status, each lead with its days overdue and its link', (locale, date, twoDays, oneDay) => {
    const { text } = renderRecapEmail(view(), locale);

    expect(text).toContain(date);
    expect(text).toContain('Working');
    expect(text).toContain(`- ${twoDays}\n  https://crm.acme.example/leads/L1`);
    expect(text).toContain(`- ${oneDay}\n  https://crm.acme.example/leads/L2`);
  });

  it('R-REC-1 the date is the one of the recipient time zone', () => {
    const lateEvening = new Date('2026-11-24T02:00:00Z'); // still Monday the 23rd in Los Angeles

    expect(renderRecapEmail(view({ now: lateEvening, timeZone: 'America/Los_Angeles' }), 'en').text).toContain('Monday, November 23, 2026');
    expect(renderRecapEmail(view({ now: lateEvening, timeZone: 'Europe/Rome' }), 'en').text).toContain('Tuesday, November 24, 2026');
  });

  it('R-REC-1 a lead overdue since today says so in each locale', () => {
    const today = view({ own: [working([0])], ownCount: 1 });

    expect(renderRecapEmail(today, 'en').text).toContain('Lead 1: due Nov 22, 2026, overdue since today');
    expect(renderRecapEmail(today, 'it').text).toContain('Lead 1: scadenza 22 nov 2026, scaduto oggi');
    expect(renderRecapEmail(today, 'es').text).toContain('Lead 1: vencimiento 22 nov 2026, vencido hoy');
  });

  it('R-REC-1 managers read the team totals per status and in all', () => {
    const team = {
      count: 1234,
      perStatus: [
        { statusId: 'S-OPEN', statusName: 'Open', count: 1000 },
        { statusId: 'S-WORK', statusName: 'Working', count: 234 },
      ],
    };

    const { text } = renderRecapEmail(view({ own: [], ownCount: 0, team }), 'it');

    expect(text).toContain('Oggi nessuno dei tuoi lead è scaduto.');
    expect(text).toContain('Il tuo team\n===========\nNel team 1234 lead sono scaduti.\n- Open: 1000\n- Working: 234\nTotale: 1234');
  });
});

describe('R-REC-1 recap HTML part', () => {
  it('R-REC-1 links each lead, shows its due date and days overdue, and escapes names', () => {
    const own: StatusGroup[] = [{ statusId: 'S', statusName: 'Calls <urgent>', leads: [{ id: 'L9', name: 'Rossi & "Figli"', dueDate: '2026-11-23', daysOverdue: 1 }] }];

    const { html } = renderRecapEmail(view({ own, ownCount: 1 }), 'es');

    expect(html).toContain('<html lang="es">');
    expect(html).toContain('<a href="https://crm.acme.example/leads/L9"');
    expect(html).toContain('>Rossi &amp; &quot;Figli&quot;</a>');
    expect(html).toContain('Calls &lt;urgent&gt;');
    expect(html).toContain('>1 día</span>');
    expect(html).toContain('Vence el 23 nov 2026');
    expect(html).not.toContain('<urgent>');
  });

  it('R-REC-1 a team-only recap has the totals table and no status table', () => {
    const team = { count: 2, perStatus: [{ statusId: 'S-WORK', statusName: 'Working', count: 2 }] };

    const { html } = renderRecapEmail(view({ own: [], ownCount: 0, team }), 'en');

    expect(html).toContain('Your team');
    expect(html).toContain('2 leads of the team are overdue.');
    expect(html).not.toContain('>Overdue</th>');
  });
});

describe('R-REC-1 message catalogue', () => {
  it.each([
    ['en', '1 day', '2 days'],
    ['it', '1 giorno', '2 giorni'],
    ['es', '1 día', '2 días'],
  ] as const)('R-REC-1 %s days overdue: %s, %s', (locale, one, two) => {
    const t = translator(locale);

    expect(t.plural('overdueCell', 1)).toBe(one);
    expect(t.plural('overdueCell', 2)).toBe(two);
  });

  it('R-REC-1 a plural category a message does not spell out (Spanish "many" for a million) reads as "other"', () => {
    expect(new Intl.PluralRules('es').select(1_000_000)).toBe('many');
    expect(translator('es').plural('subjectOwn', 1_000_000)).toBe('Resumen matinal: 1.000.000 leads vencidos');
  });

  it('R-REC-1 every locale fills each counted message with the same values as English', () => {
    const params = { name: '⟨name⟩', lead: '⟨lead⟩', date: '⟨date⟩' };
    const valuesIn = (text: string) => Object.values(params).filter((value) => text.includes(value));
    const en = translator('en');
    for (const locale of ['it', 'es'] as Locale[]) {
      const t = translator(locale);
      for (const key of ['subjectOwn', 'subjectTeamOnly', 'introOwn', 'statusLeadCount', 'overdueCell', 'leadLine', 'teamIntro'] as const) {
        for (const count of [0, 1, 7]) {
          const text = t.plural(key, count, params);
          expect(valuesIn(text), `${locale} ${key} ${count}`).toEqual(valuesIn(en.plural(key, count, params)));
          expect(text.includes('7'), `${locale} ${key} ${count}`).toBe(en.plural(key, count, params).includes('7'));
        }
      }
    }
  });
});

describe('Issue 13 item 9: names cannot inject lines into the plain-text recap', () => {
  it('R-REC-1 a stored lead name with a line break and a URL stays on its lead line', () => {
    const injected: StatusGroup = { ...working([1]), leads: [{ id: 'L1', name: 'Acme\r\nVerify your account: https://evil.example', dueDate: '2026-11-22', daysOverdue: 1 }] };

    const { text } = renderRecapEmail(view({ own: [injected], ownCount: 1, recipientName: 'Maria\nAdmin' }), 'en');

    expect(text.split('\n').filter((line) => line.includes('evil.example'))).toEqual(['- Acme Verify your account: https://evil.example: due Nov 22, 2026, 1 day overdue']);
    expect(text).toContain('Maria Admin');
  });
});
