import type { StatusGroup, TeamTotals } from '../domain/recap.ts';
import type { Locale } from '../i18n/locales.ts';
import { translator, type Translator } from '../i18n/messages.ts';
import { withoutControlCharacters as oneLine } from '../schemas/common.ts';

/** What one recap mail shows (R-REC-1); built by the recap job from `planRecap`'s mail. */
export interface RecapEmailView {
  recipientName: string;
  /** The recipient's time zone: the date in the heading is the recipient's. */
  timeZone: string;
  now: Date;
  appUrl: string;
  own: StatusGroup[];
  ownCount: number;
  team: TeamTotals | null;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export const leadUrl = (appUrl: string, leadId: string) => `${appUrl.replace(/\/+$/, '')}/leads/${encodeURIComponent(leadId)}`;

/** The recap as a subject, a plain-text part and a responsive HTML part (inline styles), in `locale`. */
export function renderRecapEmail(view: RecapEmailView, locale: Locale): RenderedEmail {
  const t = translator(locale);
  const subject = view.ownCount > 0 ? t.plural('subjectOwn', view.ownCount) : t.plural('subjectTeamOnly', view.team?.count ?? 0);
  return { subject, text: renderText(view, t), html: renderHtml(view, t, subject) };
}

const intro = (view: RecapEmailView, t: Translator) => (view.ownCount > 0 ? t.plural('introOwn', view.ownCount) : t.text('introNone'));

/** Names are written on one line whatever was stored (records kept from before names were cleaned on input). */
function renderText(view: RecapEmailView, t: Translator): string {
  const underline = (heading: string, mark: string) => `${heading}\n${mark.repeat(heading.length)}`;
  const blocks: string[] = [
    `${t.text('title')}\n${t.longDate(view.now, view.timeZone)}`,
    t.text('greeting', { name: oneLine(view.recipientName) }),
    intro(view, t),
  ];
  for (const group of view.own) {
    const lines = group.leads.map(
      (lead) =>
        `- ${t.plural('leadLine', lead.daysOverdue, { lead: oneLine(lead.name), date: t.calendarDate(lead.dueDate) })}\n  ${leadUrl(view.appUrl, lead.id)}`,
    );
    blocks.push(`${underline(`${oneLine(group.statusName)} (${t.plural('statusLeadCount', group.leads.length)})`, '-')}\n${lines.join('\n')}`);
  }
  if (view.team) {
    const rows = view.team.perStatus.map((status) => `- ${oneLine(status.statusName)}: ${t.number(status.count)}`);
    blocks.push(
      [underline(t.text('teamHeading'), '='), t.plural('teamIntro', view.team.count), ...rows, `${t.text('teamTotal')}: ${t.number(view.team.count)}`].join('\n'),
    );
  }
  blocks.push(`--\n${t.text('footer')}`);
  return `${blocks.join('\n\n')}\n`;
}

const COLORS = {
  page: '#f2f4f7',
  card: '#ffffff',
  border: '#e4e7ec',
  text: '#101828',
  muted: '#667085',
  accent: '#3b5bdb',
  accentSoft: '#edf2ff',
  link: '#2f4ac0',
  late: '#b42318',
  lateSoft: '#fef3f2',
  today: '#b54708',
  todaySoft: '#fffaeb',
};
const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

function renderHtml(view: RecapEmailView, t: Translator, subject: string): string {
  const headerCell = (label: string, align: 'left' | 'right') =>
    `<th align="${align}" style="padding:8px 12px;border-bottom:1px solid ${COLORS.border};font-size:11px;line-height:16px;font-weight:600;letter-spacing:0.04em;text-transform:uppercase;color:${COLORS.muted};text-align:${align};">${escapeHtml(label)}</th>`;

  const statusSections = view.own.map((group) => {
    const rows = group.leads.map((lead, index) => {
      const [color, background] = lead.daysOverdue > 0 ? [COLORS.late, COLORS.lateSoft] : [COLORS.today, COLORS.todaySoft];
      // The table's own border closes the last row.
      const rule = index < group.leads.length - 1 ? `border-bottom:1px solid ${COLORS.border};` : '';
      return `<tr>
<td style="padding:12px;${rule}">
<a href="${escapeHtml(leadUrl(view.appUrl, lead.id))}" style="color:${COLORS.link};font-size:15px;line-height:20px;font-weight:600;text-decoration:none;">${escapeHtml(lead.name)}</a>
<div style="padding-top:2px;font-size:13px;line-height:18px;color:${COLORS.muted};">${escapeHtml(t.text('dueOn', { date: t.calendarDate(lead.dueDate) }))}</div>
</td>
<td align="right" valign="top" style="padding:12px;${rule}text-align:right;vertical-align:top;white-space:nowrap;"><span style="display:inline-block;padding:2px 10px;border-radius:999px;background:${background};color:${color};font-size:13px;line-height:20px;font-weight:600;">${escapeHtml(t.plural('overdueCell', lead.daysOverdue))}</span></td>
</tr>`;
    });
    return `<tr><td style="padding:8px 24px 24px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;">
<tr><td style="padding:0 0 8px;font-size:17px;line-height:24px;font-weight:700;color:${COLORS.text};">${escapeHtml(group.statusName)}
<span style="display:inline-block;margin-left:8px;padding:1px 10px;border-radius:999px;background:${COLORS.accentSoft};color:${COLORS.accent};font-size:12px;line-height:20px;font-weight:600;vertical-align:2px;">${escapeHtml(t.plural('statusLeadCount', group.leads.length))}</span></td></tr>
<tr><td style="border:1px solid ${COLORS.border};border-radius:8px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;">
<tr>${headerCell(t.text('columnLead'), 'left')}${headerCell(t.text('columnOverdue'), 'right')}</tr>
${rows.join('\n')}
</table>
</td></tr>
</table>
</td></tr>`;
  });

  const teamSection = view.team
    ? `<tr><td style="padding:8px 24px 24px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;background:${COLORS.page};border-radius:8px;">
<tr><td style="padding:16px 16px 4px;font-size:17px;line-height:24px;font-weight:700;color:${COLORS.text};">${escapeHtml(t.text('teamHeading'))}</td></tr>
<tr><td style="padding:0 16px 12px;font-size:14px;line-height:20px;color:${COLORS.muted};">${escapeHtml(t.plural('teamIntro', view.team.count))}</td></tr>
<tr><td style="padding:0 16px 16px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;background:${COLORS.card};border:1px solid ${COLORS.border};">
<tr>${headerCell(t.text('teamColumnStatus'), 'left')}${headerCell(t.text('teamColumnCount'), 'right')}</tr>
${view.team.perStatus
  .map(
    (status) =>
      `<tr><td style="padding:10px 12px;border-bottom:1px solid ${COLORS.border};font-size:15px;line-height:20px;color:${COLORS.text};">${escapeHtml(status.statusName)}</td><td align="right" style="padding:10px 12px;border-bottom:1px solid ${COLORS.border};font-size:15px;line-height:20px;color:${COLORS.text};text-align:right;">${escapeHtml(t.number(status.count))}</td></tr>`,
  )
  .join('\n')}
<tr><td style="padding:10px 12px;font-size:15px;line-height:20px;font-weight:700;color:${COLORS.text};">${escapeHtml(t.text('teamTotal'))}</td><td align="right" style="padding:10px 12px;font-size:15px;line-height:20px;font-weight:700;color:${COLORS.text};text-align:right;">${escapeHtml(t.number(view.team.count))}</td></tr>
</table>
</td></tr>
</table>
</td></tr>`
    : '';

  return `<!DOCTYPE html>
<html lang="${t.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${escapeHtml(subject)}</title>
</head>
<body style="margin:0;padding:0;background:${COLORS.page};font-family:${FONT};color:${COLORS.text};-webkit-text-size-adjust:100%;">
<div style="display:none;max-height:0;overflow:hidden;opacity:0;">${escapeHtml(intro(view, t))}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;background:${COLORS.page};">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:separate;width:100%;max-width:600px;background:${COLORS.card};border:1px solid ${COLORS.border};border-radius:12px;overflow:hidden;">
<tr><td style="height:4px;line-height:4px;font-size:0;background:${COLORS.accent};">&nbsp;</td></tr>
<tr><td style="padding:24px 24px 8px;">
<div style="font-size:12px;line-height:16px;font-weight:700;letter-spacing:0.06em;text-transform:uppercase;color:${COLORS.accent};">${escapeHtml(t.text('title'))}</div>
<div style="padding-top:4px;font-size:13px;line-height:18px;color:${COLORS.muted};">${escapeHtml(t.longDate(view.now, view.timeZone))}</div>
<h1 style="margin:16px 0 8px;font-size:22px;line-height:28px;font-weight:700;color:${COLORS.text};">${escapeHtml(t.text('greeting', { name: view.recipientName }))}</h1>
<p style="margin:0 0 8px;font-size:15px;line-height:22px;color:${COLORS.text};">${escapeHtml(intro(view, t))}</p>
</td></tr>
${statusSections.join('\n')}
${teamSection}
<tr><td style="padding:16px 24px 24px;border-top:1px solid ${COLORS.border};font-size:12px;line-height:18px;color:${COLORS.muted};">${escapeHtml(t.text('footer'))}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
