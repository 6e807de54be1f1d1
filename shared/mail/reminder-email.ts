import type { Locale } from '../i18n/locales.ts';
import { reminderTranslator } from '../i18n/messages.ts';
import { withoutControlCharacters as oneLine } from '../schemas/common.ts';
import { escapeHtml, type RenderedEmail } from './recap-email.ts';

/** What one task reminder shows (R-PS-8). */
export interface ReminderEmailView {
  recipientName: string;
  /** The recipient's time zone: the due date is shown in it. */
  timeZone: string;
  appUrl: string;
  processId: string;
  taskTitle: string;
  dueAt: string | null;
}

export const processUrl = (appUrl: string, processId: string) => `${appUrl.replace(/\/+$/, '')}/post-sale-processes/${encodeURIComponent(processId)}`;

/** The reminder as a subject, a plain-text part and an HTML part (inline styles), in `locale`. */
export function renderReminderEmail(view: ReminderEmailView, locale: Locale): RenderedEmail {
  const t = reminderTranslator(locale);
  const task = oneLine(view.taskTitle);
  const due = view.dueAt ? t.text('dueOn', { date: t.dateTime(new Date(view.dueAt), view.timeZone) }) : t.text('noDueDate');
  const url = processUrl(view.appUrl, view.processId);
  const subject = t.text('subject', { task });
  const text = [t.text('greeting', { name: oneLine(view.recipientName) }), t.text('intro', { task }), due, `${t.text('openProcess')}: ${url}`, `--\n${t.text('footer')}`].join('\n\n') + '\n';
  const html = `<!DOCTYPE html>
<html lang="${t.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(subject)}</title>
</head>
<body style="margin:0;padding:0;background:#f2f4f7;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#101828;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;background:#f2f4f7;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;background:#ffffff;border:1px solid #e4e7ec;border-radius:12px;">
<tr><td style="padding:24px;">
<p style="margin:0 0 12px;font-size:15px;line-height:22px;">${escapeHtml(t.text('greeting', { name: view.recipientName }))}</p>
<h1 style="margin:0 0 8px;font-size:20px;line-height:28px;font-weight:700;">${escapeHtml(view.taskTitle)}</h1>
<p style="margin:0 0 8px;font-size:15px;line-height:22px;">${escapeHtml(t.text('intro', { task: view.taskTitle }))}</p>
<p style="margin:0 0 16px;font-size:13px;line-height:18px;color:#667085;">${escapeHtml(due)}</p>
<a href="${escapeHtml(url)}" style="display:inline-block;padding:10px 16px;border-radius:8px;background:#3b5bdb;color:#ffffff;font-size:15px;font-weight:600;text-decoration:none;">${escapeHtml(t.text('openProcess'))}</a>
</td></tr>
<tr><td style="padding:16px 24px 24px;border-top:1px solid #e4e7ec;font-size:12px;line-height:18px;color:#667085;">${escapeHtml(t.text('footer'))}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
  return { subject, text, html };
}
