import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';

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

const ses = new SESv2Client({});

/**
 * Sends through SES v2 from the stack's verified identity. Locally the same client points at the SES emulator
 * (AWS_ENDPOINT_URL_SESV2 or an explicit endpoint), so mail takes the same path everywhere.
 */
export function sesMailer(from: string, client: SESv2Client = ses): Mailer {
  return {
    async send(mail) {
      await client.send(
        new SendEmailCommand({
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

/** A client for the SES emulator of the local runtime. */
export const localSesClient = (endpoint: string) =>
  new SESv2Client({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
