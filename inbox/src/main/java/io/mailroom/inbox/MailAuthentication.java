package io.mailroom.inbox;

import io.mailroom.mailauth.arc.ArcVerifier;
import io.mailroom.mailauth.arc.TrustedSealers;
import io.mailroom.mailauth.authresults.AuthenticationResults;
import io.mailroom.mailauth.dkim.DkimResult;
import io.mailroom.mailauth.dkim.DkimVerifier;
import io.mailroom.mailauth.dmarc.AuthorDomain;
import io.mailroom.mailauth.dmarc.DmarcEvaluator;
import io.mailroom.mailauth.dmarc.DmarcInput;
import io.mailroom.mailauth.dmarc.DmarcRecord;
import io.mailroom.mailauth.dmarc.DmarcResult;
import io.mailroom.mailauth.dmarc.DmarcVersion;
import io.mailroom.mailauth.dns.DnsResolver;
import io.mailroom.mailauth.message.Message;
import io.mailroom.mailauth.spf.SpfEvaluator;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Inbox's use of {@code mailauth}: SPF at MAIL FROM, DKIM / ARC / DMARC at end of data, all
 * written into ONE Authentication-Results field (RFC 8601) by {@link AuthenticationResults}.
 * Thread-safe; one instance serves every connection.
 */
public final class MailAuthentication {

    /**
     * What the end-of-data checks found, for the policies.
     *
     * @param dkimFailed      signatures were present and none verified
     * @param arcFailed       an ARC chain was present and is broken
     * @param arcTrusted      a valid ARC chain whose newest seal is from a trusted sealer vouches for
     *                        the message (the forwarding exception to DMARC, RFC 8617 §7.2)
     * @param authorProblem   why the message has no single author domain (RFC 7489 §6.6.1), else null
     * @param dmarcReject     DMARC failed and the policy that applies (after pct) is reject
     * @param dmarcQuarantine DMARC failed and the policy that applies (after pct) is quarantine
     */
    public record Verdict(String dkim, String arc, String dmarc, boolean dkimFailed, boolean arcFailed,
            boolean arcTrusted, String authorProblem, boolean dmarcReject, boolean dmarcQuarantine) {}

    private final SpfEvaluator spf;
    private final DkimVerifier dkim;
    private final ArcVerifier arc;
    private final DmarcEvaluator dmarc;

    public MailAuthentication(DnsResolver dns, String receiverHostName) {
        this(dns, receiverHostName, DmarcVersion.DEFAULT);
    }

    /** @param dmarcVersion RFC 9989 (tree walk) or RFC 7489 (Public Suffix List) DMARC */
    public MailAuthentication(DnsResolver dns, String receiverHostName, DmarcVersion dmarcVersion) {
        this.spf = new SpfEvaluator(dns, SpfEvaluator.Settings.defaults().withReceiver(receiverHostName));
        this.dkim = new DkimVerifier(dns);
        this.arc = new ArcVerifier(dns);
        this.dmarc = new DmarcEvaluator(dns, dmarcVersion);
    }

    /** SPF of the MAIL FROM identity (postmaster@HELO for the null sender). */
    public io.mailroom.mailauth.spf.SpfResult spf(InetAddress client, String helo, String mailFrom) {
        return spf.checkMailFrom(client, mailFrom, helo);
    }

    /** SPF of the HELO identity (RFC 7208 §2.3), checked as postmaster@HELO. */
    public io.mailroom.mailauth.spf.SpfResult spfHelo(InetAddress client, String helo) {
        return spf.checkHelo(client, helo);
    }

    /**
     * Runs the end-of-data checks on the message as received and adds their results to {@code ar}.
     *
     * @param spfResult the SPF result of the transaction (DMARC needs it); null when not evaluated
     * @param sealers   the ARC sealers whose valid chain may excuse a DMARC failure
     */
    public Verdict verify(byte[] raw, io.mailroom.mailauth.spf.SpfResult spfResult, InetAddress client,
            boolean withDkim, boolean withArc, boolean withDmarc, TrustedSealers sealers, AuthenticationResults ar) {
        Message message = Message.parse(raw);
        List<DkimResult> signatures = withDkim || withDmarc ? dkim.verify(message) : List.of();
        String dkimSummary = null;
        boolean dkimFailed = false;
        if (withDkim || withDmarc) {
            ar.dkim(signatures);
            boolean anyPass = signatures.stream().anyMatch(DkimResult::isPass);
            dkimFailed = !signatures.isEmpty() && !anyPass;
            dkimSummary = signatures.isEmpty() ? "none" : anyPass ? "pass" : signatures.get(0).status().value();
        }
        String arcSummary = null;
        boolean arcFailed = false;
        boolean arcTrusted = false;
        if (withArc || withDmarc) {
            ArcVerifier.Result a = arc.verify(message);
            arcTrusted = sealers.vouchFor(a);
            if (a.status() == ArcVerifier.Status.PASS && !arcTrusted) {
                // recorded as it is, with why it changes nothing (RFC 8617 §7.2: local policy)
                ar.add("arc", a.status().value(), "sealer " + a.sealDomain() + " is not a trusted ARC sealer",
                        arcProperties(a, client));
            } else {
                ar.arc(a, client.getHostAddress());
            }
            arcSummary = a.status().value();
            arcFailed = a.status() == ArcVerifier.Status.FAIL;
        }
        String dmarcSummary = null;
        boolean reject = false;
        boolean quarantine = false;
        String authorProblem = null;
        if (withDmarc) {
            AuthorDomain author = AuthorDomain.of(message);
            if (author.problem() != null) {
                // RFC 7489 §6.6.1: no single author domain, no DMARC evaluation to speak of
                authorProblem = author.problem();
                ar.add("dmarc", "permerror", author.problem(), Map.of());
                dmarcSummary = "permerror";
            } else {
                List<String> passDomains = signatures.stream().filter(DkimResult::isPass).map(DkimResult::domain).toList();
                DmarcResult d = dmarc.evaluate(new DmarcInput(List.of(author.domain()),
                        spfResult == null ? io.mailroom.mailauth.spf.SpfResult.Result.NONE : spfResult.result(),
                        spfResult == null ? null : spfResult.domain(), passDomains));
                Map<String, String> policy = new LinkedHashMap<>();
                if (d.requestedPolicy() != null) {
                    policy.put("policy.dmarc", d.requestedPolicy().keyword());
                }
                ar.dmarc(d.result().keyword(), d.fromDomain(), policy);
                dmarcSummary = d.result().keyword();
                boolean failed = d.result() == DmarcResult.Result.FAIL;
                reject = failed && d.disposition() == DmarcRecord.Policy.REJECT;
                quarantine = failed && d.disposition() == DmarcRecord.Policy.QUARANTINE;
            }
        }
        return new Verdict(dkimSummary, arcSummary, dmarcSummary, dkimFailed, arcFailed, arcTrusted, authorProblem,
                reject, quarantine);
    }

    private static Map<String, String> arcProperties(ArcVerifier.Result a, InetAddress client) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("header.oldest-pass", String.valueOf(a.oldestPass()));
        props.put("smtp.remote-ip", client.getHostAddress());
        return props;
    }
}
