import { withoutControlCharacters as oneLine } from '../schemas/common.ts';
import { escapeHtml, type RenderedEmail } from './recap-email.ts';

/** What the rep's mail about a buy-now link shows (issue 12, R-BUY-2): a click on it, or a purchase through it. */
export interface BuyNowEmailView {
  kind: 'clicked' | 'purchased';
  recipientName: string;
  opportunityTitle: string;
  opportunityUrl: string;
  amount: { amount: number; currency: string };
  paymentRef?: string | undefined;
}

export const opportunityUrl = (appUrl: string, opportunityId: string) => `${appUrl.replace(/\/+$/, '')}/opportunities/${encodeURIComponent(opportunityId)}`;

const formatted = ({ amount, currency }: { amount: number; currency: string }) => `${(amount / 100).toFixed(2)} ${currency}`;

/** Plain text and HTML, in English (the mail names no buyer: the public routes know none). */
export function renderBuyNowEmail(view: BuyNowEmailView): RenderedEmail {
  const title = oneLine(view.opportunityTitle);
  const subject = view.kind === 'clicked' ? `Buy-now link opened: ${title}` : `Purchased through a buy-now link: ${title}`;
  const lines = [
    `Hello ${oneLine(view.recipientName)},`,
    view.kind === 'clicked'
      ? `A buyer opened the buy-now offer of "${title}" (${formatted(view.amount)}).`
      : `"${title}" was bought through its buy-now link (${formatted(view.amount)}, payment ${oneLine(view.paymentRef ?? '')}). The opportunity is won.`,
    `Open the opportunity: ${view.opportunityUrl}`,
  ];
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#101828;">
${lines.slice(0, 2).map((line) => `<p>${escapeHtml(line)}</p>`).join('\n')}
<p><a href="${escapeHtml(view.opportunityUrl)}">Open the opportunity</a></p>
</body></html>
`;
  return { subject, text: `${lines.join('\n\n')}\n`, html };
}
