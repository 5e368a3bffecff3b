package io.mailroom.inbox;

import io.mailroom.mailauth.arc.ArcVerifier;
import io.mailroom.mailauth.authresults.AuthenticationResults;
import io.mailroom.mailauth.dkim.DkimResult;
import io.mailroom.mailauth.dkim.DkimVerifier;
import io.mailroom.mailauth.dmarc.DmarcEvaluator;
import io.mailroom.mailauth.dmarc.DmarcInput;
import io.mailroom.mailauth.dmarc.DmarcRecord;
import io.mailroom.mailauth.dmarc.DmarcResult;
import io.mailroom.mailauth.dns.DnsResolver;
import io.mailroom.mailauth.message.HeaderField;
import io.mailroom.mailauth.message.Message;
import io.mailroom.mailauth.spf.SpfEvaluator;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
     * @param dkimFailed  signatures were present and none verified
     * @param arcFailed   an ARC chain was present and is broken
     * @param arcPassed   a valid ARC chain vouches for the message (the forwarding exception to DMARC)
     * @param dmarcReject DMARC failed and the policy that applies (after pct) is reject
     */
    public record Verdict(String dkim, String arc, String dmarc, boolean dkimFailed, boolean arcFailed,
            boolean arcPassed, boolean dmarcReject) {}

    private final SpfEvaluator spf;
    private final DkimVerifier dkim;
    private final ArcVerifier arc;
    private final DmarcEvaluator dmarc;

    public MailAuthentication(DnsResolver dns, String receiverHostName) {
        this.spf = new SpfEvaluator(dns, SpfEvaluator.Settings.defaults().withReceiver(receiverHostName));
        this.dkim = new DkimVerifier(dns);
        this.arc = new ArcVerifier(dns);
        this.dmarc = new DmarcEvaluator(dns);
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
     * @param spfResult the SPF result from MAIL FROM (DMARC needs it)
     */
    public Verdict verify(byte[] raw, io.mailroom.mailauth.spf.SpfResult spfResult, InetAddress client,
            boolean withDkim, boolean withArc, boolean withDmarc, AuthenticationResults ar) {
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
        boolean arcPassed = false;
        if (withArc || withDmarc) {
            ArcVerifier.Result a = arc.verify(message);
            ar.arc(a, client.getHostAddress());
            arcSummary = a.status().value();
            arcFailed = a.status() == ArcVerifier.Status.FAIL;
            arcPassed = a.status() == ArcVerifier.Status.PASS;
        }
        String dmarcSummary = null;
        boolean reject = false;
        if (withDmarc) {
            List<String> fromDomains = fromDomains(message);
            List<String> passDomains = signatures.stream().filter(DkimResult::isPass).map(DkimResult::domain).toList();
            DmarcResult d = dmarc.evaluate(new DmarcInput(fromDomains,
                    spfResult == null ? io.mailroom.mailauth.spf.SpfResult.Result.NONE : spfResult.result(),
                    spfResult == null ? null : spfResult.domain(), passDomains));
            Map<String, String> policy = new LinkedHashMap<>();
            if (d.requestedPolicy() != null) {
                policy.put("policy.dmarc", d.requestedPolicy().keyword());
            }
            ar.dmarc(d.result().keyword(), d.fromDomain(), policy);
            dmarcSummary = d.result().keyword();
            reject = d.result() == DmarcResult.Result.FAIL && d.disposition() == DmarcRecord.Policy.REJECT;
        }
        return new Verdict(dkimSummary, arcSummary, dmarcSummary, dkimFailed, arcFailed, arcPassed, reject);
    }

    /** The domains of the From field's addresses (RFC 5322 §3.6.2), lower-case. */
    static List<String> fromDomains(Message message) {
        List<String> out = new ArrayList<>();
        for (HeaderField f : message.headers("From")) {
            String v = f.value().replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"").replaceAll("\\([^)]*\\)", " ");
            for (String part : v.split(",")) {
                String addr = part;
                int lt = part.lastIndexOf('<');
                int gt = part.lastIndexOf('>');
                if (lt >= 0 && gt > lt) {
                    addr = part.substring(lt + 1, gt);
                }
                addr = addr.trim();
                int at = addr.lastIndexOf('@');
                if (at > 0 && at < addr.length() - 1) {
                    out.add(addr.substring(at + 1).toLowerCase(Locale.ROOT).replaceAll("[\\s>]+$", ""));
                }
            }
        }
        return out;
    }
}
