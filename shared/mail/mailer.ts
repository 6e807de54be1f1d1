import type { SESv2Client } from '@aws-sdk/client-sesv2';

/** An email as the product sends it: always both an HTML and a plain-text part. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
}

// Loaded on first use: most functions never send mail and should not pay for the SES client's import.
const sesSdk = () => import('@aws-sdk/client-sesv2');

/**
 * A send that gets no answer fails after this long instead of hanging the run (SES has no timeout of its own in the
 * SDK): the recap and the reminders then retry it and report it, well within their functions' timeouts.
 */
export const SES_REQUEST_TIMEOUT_MS = 10_000;
const timeouts = (requestTimeout: number) => ({ requestHandler: { connectionTimeout: Math.min(requestTimeout, 3_000), requestTimeout, throwOnRequestTimeout: true } });

let sharedClient: Promise<SESv2Client> | undefined;
const defaultClient = () => (sharedClient ??= sesSdk().then((sdk) => new sdk.SESv2Client(timeouts(SES_REQUEST_TIMEOUT_MS))));

/**
 * Sends through SES v2 from the stack's verified identity. Locally the same client points at the SES emulator
 * (AWS_ENDPOINT_URL_SESV2 or an explicit endpoint), so mail takes the same path everywhere.
 */
export function sesMailer(from: string, client?: SESv2Client): Mailer {
  return {
    async send(mail) {
      const sdk = await sesSdk();
      await (client ?? (await defaultClient())).send(
        new sdk.SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: [mail.to] },
          Content: {
            Simple: {
              Subject: { Data: mail.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: mail.text, Charset: 'UTF-8' }, Html: { Data: mail.html, Charset: 'UTF-8' } },
            },
          },
        }),
      );
    },
  };
}

/** A client for the SES emulator of the local runtime (the same timeouts as in AWS unless a test shortens them). */
export const localSesClient = async (endpoint: string, requestTimeoutMs = SES_REQUEST_TIMEOUT_MS): Promise<SESv2Client> =>
  new (await sesSdk()).SESv2Client({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, ...timeouts(requestTimeoutMs) });
