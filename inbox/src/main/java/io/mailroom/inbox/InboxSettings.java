package io.mailroom.inbox;

import io.mailroom.common.smtp.SmtpServerSettings;
import java.time.Duration;
import java.util.List;

/**
 * The Inbox's configuration (the Quarkus service maps {@code mailroom.inbox.*} onto it; plain
 * tests build it directly).
 *
 * @param smtp             the port-25 listener (limits, TLS, smuggling policy)
 * @param authservId       the authserv-id of our Authentication-Results (RFC 8601), usually the host name
 * @param lmtpHost         Dovecot's LMTP host
 * @param lmtpPort         Dovecot's LMTP port
 * @param lmtpTimeout      connect and read timeout for LMTP
 * @param spf              SPF at MAIL FROM (and HELO)
 * @param dkim             DKIM at end of data
 * @param arc              ARC at end of data
 * @param dmarc            DMARC at end of data ({@code ENFORCE} honours p=reject unless ARC vouches for a forwarder)
 * @param rspamd           Rspamd ({@code ENFORCE}: reject/soft reject/greylist are refusals; {@code TAG}: headers only)
 * @param rspamdHost       Rspamd normal worker host
 * @param rspamdPort       Rspamd normal worker port
 * @param rspamdTimeout    Rspamd request timeout
 * @param rspamdUnreachable what to do when Rspamd does not answer
 * @param smime            encrypt to recipients who have a client certificate
 * @param dnsblZones       DNSBL zones queried at connection time (empty: none)
 * @param dnsbl            DNSBL policy (enforce: 554 5.7.1 at connect)
 * @param rdns             forward-confirmed reverse DNS policy (enforce: 450 4.7.25 at connect)
 * @param arcTrustedSealers ARC sealer domains (ARC-Seal d=) whose valid chain may excuse a DMARC
 *                         failure (RFC 8617 §7.2); empty: an ARC pass is recorded, never trusted
 * @param quarantine       where mail goes that DMARC (p=quarantine) or Rspamd ("add header") quarantines
 */
public record InboxSettings(SmtpServerSettings smtp, String authservId, String lmtpHost, int lmtpPort,
        Duration lmtpTimeout, CheckPolicy spf, CheckPolicy dkim, CheckPolicy arc, CheckPolicy dmarc,
        CheckPolicy rspamd, String rspamdHost, int rspamdPort, Duration rspamdTimeout,
        RspamdFailure rspamdUnreachable, boolean smime, List<String> dnsblZones, CheckPolicy dnsbl,
        CheckPolicy rdns, List<String> arcTrustedSealers, Quarantine quarantine) {

    /** Where quarantined mail is delivered. */
    public enum Quarantine {
        /** The recipient's Junk mailbox (special use \Junk, RFC 6154), created on first use. */
        JUNK,
        /** The INBOX, marked only by its headers. */
        INBOX
    }

    /** What to do with a message when Rspamd cannot be asked. */
    public enum RspamdFailure {
        /** 451 4.7.1: the sender retries later (the default: no unfiltered mail). */
        TEMPFAIL,
        /** Deliver, with {@code X-Spam-Status: unknown}. */
        ACCEPT
    }

    public InboxSettings {
        dnsblZones = List.copyOf(dnsblZones);
        arcTrustedSealers = List.copyOf(arcTrustedSealers);
        java.util.Objects.requireNonNull(quarantine, "quarantine");
    }

    /** All checks off, no Rspamd: the plain MTA. */
    public static InboxSettings plain(SmtpServerSettings smtp, String lmtpHost, int lmtpPort) {
        return new InboxSettings(smtp, smtp.hostName(), lmtpHost, lmtpPort, Duration.ofSeconds(30),
                CheckPolicy.OFF, CheckPolicy.OFF, CheckPolicy.OFF, CheckPolicy.OFF, CheckPolicy.OFF,
                "127.0.0.1", 11333, Duration.ofSeconds(20), RspamdFailure.TEMPFAIL, true, List.of(), CheckPolicy.OFF,
                CheckPolicy.OFF, List.of(), Quarantine.JUNK);
    }

    public InboxSettings withRspamd(CheckPolicy policy, String host, int port, RspamdFailure onFailure) {
        return new InboxSettings(smtp, authservId, lmtpHost, lmtpPort, lmtpTimeout, spf, dkim, arc, dmarc, policy,
                host, port, rspamdTimeout, onFailure, smime, dnsblZones, dnsbl, rdns, arcTrustedSealers, quarantine);
    }

    public InboxSettings withAuth(CheckPolicy spf, CheckPolicy dkim, CheckPolicy arc, CheckPolicy dmarc) {
        return new InboxSettings(smtp, authservId, lmtpHost, lmtpPort, lmtpTimeout, spf, dkim, arc, dmarc, rspamd,
                rspamdHost, rspamdPort, rspamdTimeout, rspamdUnreachable, smime, dnsblZones, dnsbl, rdns, arcTrustedSealers, quarantine);
    }

    public InboxSettings withLmtp(String host, int port) {
        return new InboxSettings(smtp, authservId, host, port, lmtpTimeout, spf, dkim, arc, dmarc, rspamd,
                rspamdHost, rspamdPort, rspamdTimeout, rspamdUnreachable, smime, dnsblZones, dnsbl, rdns, arcTrustedSealers, quarantine);
    }

    public InboxSettings withConnectionChecks(List<String> zones, CheckPolicy dnsbl, CheckPolicy rdns) {
        return new InboxSettings(smtp, authservId, lmtpHost, lmtpPort, lmtpTimeout, spf, dkim, arc, dmarc, rspamd,
                rspamdHost, rspamdPort, rspamdTimeout, rspamdUnreachable, smime, zones, dnsbl, rdns, arcTrustedSealers, quarantine);
    }

    public InboxSettings withArcTrustedSealers(List<String> sealers) {
        return new InboxSettings(smtp, authservId, lmtpHost, lmtpPort, lmtpTimeout, spf, dkim, arc, dmarc, rspamd,
                rspamdHost, rspamdPort, rspamdTimeout, rspamdUnreachable, smime, dnsblZones, dnsbl, rdns, sealers, quarantine);
    }

    public InboxSettings withQuarantine(Quarantine q) {
        return new InboxSettings(smtp, authservId, lmtpHost, lmtpPort, lmtpTimeout, spf, dkim, arc, dmarc, rspamd,
                rspamdHost, rspamdPort, rspamdTimeout, rspamdUnreachable, smime, dnsblZones, dnsbl, rdns, arcTrustedSealers, q);
    }
}
