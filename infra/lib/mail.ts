import { CfnOutput, Fn, Stack, aws_ses as ses } from 'aws-cdk-lib';
import type { FacelensConfig } from './config';

/**
 * The SES identity auth sends account emails from, as `sesIdentity` says, with its stack
 * outputs; returns the identity ARNs auth's `ses:SendEmail` grant names.
 *
 * - `email`: the sender address itself; AWS mails it a verification link, so it must be a
 *   mailbox someone reads.
 * - `domain`: the sender's whole domain with Easy DKIM; the three CNAME records to add to its
 *   DNS are stack outputs, and any address of the domain may then send (a no-reply address
 *   needs no mailbox).
 * - `existing`: an identity already verified in the account (the address or its domain); the
 *   stack makes none and may send as either.
 */
export function mailIdentity(scope: Stack, cfg: FacelensConfig): string[] {
  const address = cfg.mailFromAddress;
  const domain = address.slice(address.lastIndexOf('@') + 1);
  const arn = (identity: string) => scope.formatArn({ service: 'ses', resource: 'identity', resourceName: identity });
  const out = (id: string, value: string, description: string) => new CfnOutput(scope, id, { value, description });
  switch (cfg.sesIdentity) {
    case 'email':
      new ses.EmailIdentity(scope, 'MailFromIdentity', { identity: ses.Identity.email(address) });
      out('MailFrom', address, 'SES identity: confirm the verification email AWS sent to it');
      return [arn(address)];
    case 'domain': {
      const identity = new ses.EmailIdentity(scope, 'MailFromIdentity', { identity: ses.Identity.domain(domain) });
      out('MailFrom', address, `Sender; SES verifies the domain ${domain} once its DKIM records are in its DNS`);
      identity.dkimRecords.forEach((record, i) =>
        out(`MailDkimRecord${i + 1}`, Fn.join(' ', [record.name, 'CNAME', record.value]), `DNS record ${i + 1} of 3 for SES Easy DKIM of ${domain}`),
      );
      return [arn(domain)];
    }
    case 'existing':
      out('MailFrom', address, `Sender, through an SES identity verified outside the stack (${address} or ${domain})`);
      return [arn(address), arn(domain)];
  }
}
