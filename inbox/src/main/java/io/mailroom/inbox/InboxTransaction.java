package io.mailroom.inbox;

import io.mailroom.common.lmtp.LmtpClient;
import io.mailroom.common.lmtp.SmtpReply;
import io.mailroom.common.smtp.EnvelopeHandler;
import io.mailroom.common.smtp.MailParameters;
import io.mailroom.common.smtp.RcptParameters;
import io.mailroom.common.smtp.ReceivedHeader;
import io.mailroom.common.smtp.SmtpSessions;
import io.mailroom.common.store.Recipient;
import io.mailroom.mailauth.authresults.AuthenticationResults;
import io.mailroom.mailauth.message.HeaderSection;
import io.mailroom.mailauth.spf.SpfResult;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.RejectException;

/**
 * One SMTP mail transaction on port 25: the envelope checks at MAIL and RCPT, then at end of data
 * the authentication checks, Rspamd, optional S/MIME encryption and delivery over LMTP. The reply
 * to DATA is Dovecot's answer ({@link DeliveryOutcome}); nothing is answered 250 before Dovecot
 * has the message, so the Inbox needs no queue of its own.
 */
final class InboxTransaction implements EnvelopeHandler {
    private static final Logger LOG = Logger.getLogger(InboxTransaction.class.getName());
    /** Received fields beyond which a message is taken for a loop (Postfix's hopcount_limit is 50). */
    static final int MAX_HOPS = 50;
    /** Header fields of one message; real ones have tens, long relay chains a few hundred. */
    static final int MAX_HEADER_FIELDS = 1000;
    /** The mailbox quarantined mail goes to (special use \Junk in the Dovecot configuration). */
    static final String JUNK_MAILBOX = "Junk";

    /** One accepted recipient: what the client asked for and the mailbox it resolved to. */
    record Target(RcptParameters rcpt, Recipient recipient) {
        String mailbox() {
            return recipient.mailbox().toString();
        }
    }

    private final InboxPipeline pipeline;
    private final MessageContext ctx;
    private final InetAddress client;
    private MailParameters mail;
    private SpfResult spf;
    private SpfResult heloSpf;
    private boolean spfChecked;
    /** The SPF refusal of this transaction, repeated for every further RCPT. */
    private SmtpReply spfRefusal;
    private final List<Target> targets = new ArrayList<>();
    /** Quarantined (DMARC or Rspamd): delivered to the Junk mailbox when the settings say so. */
    private boolean junk;

    InboxTransaction(InboxPipeline pipeline, MessageContext ctx) {
        this.pipeline = pipeline;
        this.ctx = ctx;
        this.client = SmtpSessions.clientAddress(ctx);
    }

    @Override
    public void mailFrom(MailParameters mail) {
        // SPF waits for the first accepted RCPT: a MAIL/RSET loop without a valid recipient
        // must not make us do up to 10 DNS lookups per command (RFC 7208 §4.6.4)
        this.mail = mail;
    }

    /**
     * SPF of the transaction (RFC 7208 §2.3 HELO, §2.4 MAIL FROM), evaluated once, when the first
     * recipient is accepted; the refusal it gives (enforced) answers every RCPT of the transaction.
     */
    private void checkSpfOnce() throws RejectException {
        if (spfChecked) {
            if (spfRefusal != null) {
                throw new RejectException(spfRefusal.code(), spfRefusal.text());
            }
            return;
        }
        spfChecked = true;
        InboxSettings s = pipeline.settings();
        if (!s.spf().enabled() && !s.dmarc().enabled()) {
            return;
        }
        String helo = SmtpSessions.helo(ctx);
        spf = pipeline.auth().spf(client, helo, mail.address());
        if (!s.spf().enabled()) {
            return;
        }
        // RFC 7208 §2.3: the HELO identity too, unless it is an address literal
        if (!helo.isEmpty() && !helo.startsWith("[") && !mail.nullSender()) {
            heloSpf = pipeline.auth().spfHelo(client, helo);
            pipeline.metrics().check("spf_helo", heloSpf.result().keyword());
            if (s.spf() == CheckPolicy.ENFORCE && heloSpf.result() == SpfResult.Result.FAIL) {
                refuseSpf(550, "5.7.23 SPF validation failed for HELO " + helo);
            }
        }
        pipeline.metrics().check("spf", spf.result().keyword());
        if (s.spf() == CheckPolicy.ENFORCE) {
            if (spf.result() == SpfResult.Result.FAIL) {
                refuseSpf(550, "5.7.23 SPF validation failed for "
                        + (mail.address().isEmpty() ? "<>" : mail.address())
                        + (spf.explanation() != null ? ": " + replyText(spf.explanation()) : ""));
            }
            if (spf.result() == SpfResult.Result.TEMPERROR) {
                pipeline.metrics().message("tempfail");
                spfRefusal = new SmtpReply(451, List.of("4.7.24 SPF validation error (DNS), try again later"));
                throw new RejectException(451, "4.7.24 SPF validation error (DNS), try again later");
            }
        }
    }

    private void refuseSpf(int code, String text) throws RejectException {
        pipeline.metrics().message("rejected");
        spfRefusal = new SmtpReply(code, List.of(text));
        throw new RejectException(code, text);
    }

    @Override
    public void rcptTo(RcptParameters rcpt) throws RejectException {
        String address = rcpt.address();
        if (address.indexOf('@') < 0 && address.equalsIgnoreCase("postmaster")) {
            address = ownPostmaster().orElse(address);
        }
        int at = address.lastIndexOf('@');
        String domain = at < 0 ? "" : address.substring(at + 1);
        if (at < 0 || !pipeline.accounts().isLocalDomain(domain)) {
            // never an open relay: only our own domains are accepted here
            throw new RejectException(550, "5.7.1 Relaying denied: " + replyText(address) + " is not a local domain");
        }
        Optional<Recipient> r = pipeline.accounts().resolveRecipient(address);
        if (r.isEmpty()) {
            throw new RejectException(550, "5.1.1 No such user: " + replyText(address));
        }
        checkSpfOnce();
        targets.add(new Target(rcpt, r.get()));
    }

    /**
     * RFC 5321 §4.5.1: a bare {@code Postmaster} names the postmaster of this host; that is the one of
     * the local domain our host name belongs to ({@code mx.example.com} → {@code example.com}).
     */
    private Optional<String> ownPostmaster() {
        String[] labels = pipeline.settings().smtp().hostName().toLowerCase(java.util.Locale.ROOT).split("\\.");
        for (int i = 0; i + 2 <= labels.length; i++) {
            String domain = String.join(".", java.util.Arrays.copyOfRange(labels, i, labels.length));
            if (pipeline.accounts().isLocalDomain(domain)) {
                return Optional.of("postmaster@" + domain);
            }
        }
        return Optional.empty();
    }

    @Override
    public String data(InputStream in) throws RejectException, IOException {
        byte[] original = in.readAllBytes();
        String queueId = pipeline.nextQueueId();
        InboxSettings s = pipeline.settings();
        // before anything (here or in mailauth) builds an object per field: 35 MB of "a:b" lines
        // would be millions of them
        if (MessageHeaders.countFields(original, MAX_HEADER_FIELDS) > MAX_HEADER_FIELDS) {
            throw reject(552, "5.3.4 Too many header fields (more than " + MAX_HEADER_FIELDS + ")");
        }
        // before any reading of the fields: one with two readings (ours, Dovecot's) is refused, not repaired
        String malformed = HeaderSection.problem(original, mail.smtpUtf8());
        if (malformed != null) {
            throw reject(550, "5.6.0 Message refused: " + malformed + " (RFC 5322 section 2.2)");
        }
        MessageHeaders headers = MessageHeaders.parse(original);
        if (headers.all("Received").size() >= MAX_HOPS) {
            // RFC 5321 §6.3: a message that has been relayed this often is looping
            throw reject(554, "5.4.6 Too many hops (" + MAX_HOPS + " Received fields), mail loop?");
        }

        // 1. authentication of the message as it was received
        AuthenticationResults ar = AuthenticationResults.builder(s.authservId());
        if (s.spf().enabled()) {
            ar.spf(spf.result().keyword(), mail.address(), SmtpSessions.helo(ctx));
            if (heloSpf != null) {
                ar.spf(heloSpf.result().keyword(), null, SmtpSessions.helo(ctx));
            }
        }
        if (s.dkim().enabled() || s.arc().enabled() || s.dmarc().enabled()) {
            MailAuthentication.Verdict v = pipeline.auth().verify(original, spf, client, s.dkim().enabled(),
                    s.arc().enabled(), s.dmarc().enabled(), pipeline.arcSealers(), ar);
            count("dkim", v.dkim());
            count("arc", v.arc());
            count("dmarc", v.dmarc());
            if (s.dkim() == CheckPolicy.ENFORCE && v.dkimFailed()) {
                throw reject(550, "5.7.20 No valid DKIM signature");
            }
            if (s.arc() == CheckPolicy.ENFORCE && v.arcFailed()) {
                throw reject(550, "5.7.29 ARC validation failed");
            }
            if (s.dmarc() == CheckPolicy.ENFORCE && v.authorProblem() != null) {
                // RFC 7489 §6.6.1: the domain DMARC would check is not the one the reader sees
                throw reject(550, "5.7.1 Rejected: " + v.authorProblem() + " (RFC 7489 section 6.6.1)");
            }
            // ARC-authenticated forwarding (RFC 8617 §7.2.1, RFC 7960): a valid chain from a
            // trusted sealer vouches for a mailing list or forwarder that broke DKIM/SPF alignment;
            // anyone can seal, so an untrusted sealer's chain is recorded and changes nothing
            if (s.dmarc() == CheckPolicy.ENFORCE && v.dmarcReject() && !v.arcTrusted()) {
                throw reject(550, "5.7.1 Rejected by the DMARC policy of the From domain");
            }
            // RFC 7489 §6.3 p=quarantine: "treat as suspicious", here the recipient's Junk mailbox
            junk = s.dmarc() == CheckPolicy.ENFORCE && v.dmarcQuarantine() && !v.arcTrusted();
        }

        // 2. our own trace and authentication headers; forged ones that claim to be ours go
        headers.removeIf(f -> f.named("Authentication-Results") && pipeline.claimsOurAuthservId(f.value()));
        headers.removeIf(f -> f.named("Received") && claimsOurHost(f.value(), s.smtp().hostName()));
        headers.removeIf(f -> f.named("X-DNSBL") || f.named("X-Spam") || f.named("X-Spam-Score") || f.named("X-Spam-Status")
                || f.named("X-Spam-Flag") || f.named("X-Spamd-Result") || f.named("X-Rspamd-Queue-Id"));
        if (s.spf().enabled() || s.dkim().enabled() || s.arc().enabled() || s.dmarc().enabled()) {
            headers.prependRaw(ar.header().raw());
        }
        ConnectionChecks.Client facts = pipeline.connectionChecks() == null ? new ConnectionChecks.Client(null, List.of())
                : pipeline.connectionChecks().client(ctx);
        if (!facts.listedIn().isEmpty()) {
            headers.prepend("X-DNSBL", "client [" + client.getHostAddress() + "] listed in " + String.join(", ", facts.listedIn()));
        }
        ReceivedHeader received = SmtpSessions.receivedHeader(ctx, s.smtp()).id(queueId).reverseName(facts.reverseName())
                .smtpUtf8(mail.smtpUtf8())
                .recipient(targets.size() == 1 ? targets.get(0).rcpt().address() : null);
        headers.prependRaw(received.build());

        // 3. Rspamd
        if (s.rspamd().enabled()) {
            rspamd(headers, queueId, facts.reverseName());
        }

        // 4. delivery
        byte[] message = headers.toBytes();
        String digest = digest(original);
        List<SmtpReply> replies = deliver(message, digest);
        DeliveryOutcome outcome = DeliveryOutcome.combine(replies);
        if (outcome.result().equals("partial")) {
            for (int i = 0; i < targets.size(); i++) {
                if (replies.get(i).positive()) {
                    pipeline.ledger().recordDelivered(digest, targets.get(i).mailbox());
                }
            }
        }
        pipeline.metrics().message(outcome.result());
        if (!outcome.reply().positive()) {
            throw new RejectException(outcome.reply().code(), outcome.reply().text());
        }
        LOG.fine(() -> queueId + ": delivered from <" + mail.address() + "> to " + targets.size() + " recipient(s)");
        if (pipeline.reportIntake() != null) {
            // after Dovecot has it: a report that does not read is still delivered mail
            pipeline.reportIntake().delivered(targets.stream().map(t -> t.rcpt().address()).toList(), original, queueId);
        }
        try {
            pipeline.successNotices().send(mail, targets, original, queueId);
        } catch (RuntimeException e) {
            // Dovecot has the message: a failed notice must not turn the reply into a 451 (a resend)
            LOG.log(Level.WARNING, queueId + ": success notice failed: " + e);
        }
        return "2.0.0 Ok: queued as " + queueId;
    }

    private void rspamd(MessageHeaders headers, String queueId, String reverseName) throws RejectException {
        InboxSettings s = pipeline.settings();
        RspamdClient.Result r;
        try {
            r = pipeline.rspamd().check(new RspamdClient.Envelope(client.getHostAddress(), SmtpSessions.helo(ctx),
                    mail.address(), targets.stream().map(t -> t.rcpt().address()).toList(), reverseName, queueId,
                    null), headers.toBytes());
        } catch (IOException | RuntimeException e) {
            pipeline.metrics().check("rspamd", "unreachable");
            if (s.rspamdUnreachable() == InboxSettings.RspamdFailure.TEMPFAIL) {
                LOG.log(Level.WARNING, queueId + ": Rspamd unreachable, replying 451: " + e.getMessage());
                throw reject(451, "4.7.1 Content filter unavailable, try again later");
            }
            headers.prepend("X-Spam-Status", "unknown (filter unavailable)");
            return;
        }
        pipeline.metrics().check("rspamd", r.action().replace(' ', '_'));
        boolean enforce = s.rspamd() == CheckPolicy.ENFORCE;
        switch (r.action()) {
            case "reject" -> {
                if (enforce) {
                    throw reject(550, "5.7.1 Message rejected as spam");
                }
            }
            case "soft reject" -> {
                if (enforce) {
                    throw reject(450, "4.7.1 Try again later");
                }
            }
            case "greylist" -> {
                if (enforce) {
                    throw reject(451, "4.7.1 Greylisted, please try again later");
                }
            }
            case "add header" -> {
                if (enforce) {
                    junk = true; // Rspamd's "probably spam": quarantine
                }
            }
            case "rewrite subject" -> {
                headers.replace("Subject", spamSubject(r.subject(), headers.first("Subject")));
            }
            default -> { }
        }
        for (String name : r.removeHeaders()) {
            headers.removeIf(f -> f.named(name));
        }
        r.addHeaders().forEach((name, value) -> {
            if (name.matches("[!-9;-~]+")) { // a valid field name; values come from our own Rspamd
                headers.removeIf(f -> f.named(name));
                headers.prepend(name, oneLine(value));
            }
        });
        boolean spam = !r.action().equals("no action") && !r.action().equals("greylist");
        if (!r.addHeaders().containsKey("X-Spam") && spam) {
            headers.prepend("X-Spam", "Yes");
        }
        headers.prepend("X-Spam-Score", String.format(Locale.ROOT, "%.2f / %.2f", r.score(), r.requiredScore()));
        headers.prepend("X-Spam-Status", (spam ? "Yes" : "No") + ", action=" + r.action().replace(' ', '_'));
    }

    private List<SmtpReply> deliver(byte[] message, String digest) {
        List<SmtpReply> replies = new ArrayList<>(targets.size());
        // recipients that resolve to one mailbox (a user and its alias, a repeated RCPT) get one copy
        java.util.Map<String, Integer> firstFor = new java.util.HashMap<>();
        List<Integer> repeats = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            replies.add(null);
            if (firstFor.putIfAbsent(targets.get(i).mailbox(), i) != null) {
                repeats.add(i);
            }
        }
        deliverOnce(message, digest, replies, new java.util.HashSet<>(repeats));
        for (int i : repeats) {
            replies.set(i, replies.get(firstFor.get(targets.get(i).mailbox())));
        }
        return replies;
    }

    private void deliverOnce(byte[] message, String digest, List<SmtpReply> replies, java.util.Set<Integer> skip) {
        InboxSettings s = pipeline.settings();
        List<Integer> plain = new ArrayList<>();
        List<Integer> encrypted = new ArrayList<>();
        List<String> certificates = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            if (skip.contains(i)) {
                continue;
            }
            if (pipeline.ledger().alreadyDelivered(digest, t.mailbox())) {
                replies.set(i, new SmtpReply(250, List.of("2.0.0 Already delivered")));
                continue;
            }
            Optional<String> cert = s.smime() ? pipeline.accounts().certificate(t.mailbox()) : Optional.empty();
            if (cert.isPresent() && !SmimeEncryptor.isEncrypted(message)) {
                encrypted.add(i);
                certificates.add(cert.get());
            } else {
                plain.add(i);
            }
        }
        if (plain.isEmpty() && encrypted.isEmpty()) {
            return;
        }
        try (LmtpClient lmtp = LmtpClient.connect(s.lmtpHost(), s.lmtpPort(), s.smtp().hostName(),
                (int) s.lmtpTimeout().toMillis())) {
            if (!plain.isEmpty()) {
                List<SmtpReply> r = lmtp.deliver(mail.address(), plain.stream().map(i -> lmtpRecipient(targets.get(i))).toList(),
                        message);
                for (int k = 0; k < plain.size(); k++) {
                    replies.set(plain.get(k), r.get(k));
                }
            }
            for (int k = 0; k < encrypted.size(); k++) {
                int i = encrypted.get(k);
                byte[] sealed;
                try {
                    sealed = SmimeEncryptor.encrypt(message, certificates.get(k));
                } catch (IOException | RuntimeException e) {
                    // an unusable certificate must not lose the message: keep it and let the sender retry
                    LOG.log(Level.WARNING, "S/MIME encryption for " + targets.get(i).mailbox() + " failed", e);
                    replies.set(i, new SmtpReply(451, List.of("4.3.0 Cannot encrypt for this recipient")));
                    continue;
                }
                replies.set(i, lmtp.deliver(mail.address(), List.of(lmtpRecipient(targets.get(i))), sealed).get(0));
            }
            lmtp.quit();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "LMTP delivery failed: " + e.getMessage());
            SmtpReply down = new SmtpReply(451, List.of("4.3.0 Mailbox server unavailable, try again later"));
            if (e instanceof io.mailroom.common.lmtp.LmtpException le && le.reply() != null) {
                down = le.reply().transientFailure() || le.reply().permanentFailure() ? le.reply() : down;
            }
            for (int i = 0; i < replies.size(); i++) {
                if (replies.get(i) == null && !skip.contains(i)) {
                    replies.set(i, down);
                }
            }
        }
    }

    /**
     * The LMTP recipient for a target: its mailbox, or {@code local+Junk@domain} for quarantined
     * mail, which Dovecot's lmtp_save_to_detail_mailbox saves into the Junk mailbox
     * (config/dovecot/dovecot.conf.in; the detail delimiter is the account store's).
     */
    private String lmtpRecipient(Target t) {
        String mailbox = t.mailbox();
        if (!junk || pipeline.settings().quarantine() != InboxSettings.Quarantine.JUNK) {
            return mailbox;
        }
        int at = mailbox.lastIndexOf('@');
        return mailbox.substring(0, at) + pipeline.accounts().settings().subaddressDelimiter() + JUNK_MAILBOX
                + mailbox.substring(at);
    }

    private void count(String check, String result) {
        if (result != null) {
            pipeline.metrics().check(check, result);
        }
    }

    private RejectException reject(int code, String text) {
        pipeline.metrics().message(code >= 500 ? "rejected" : "tempfail");
        return new RejectException(code, text);
    }

    private static String digest(byte[] message) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(message)).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A Received field whose "by" clause names our host was not written by us: we add ours after this check. */
    static boolean claimsOurHost(String value, String hostName) {
        String v = value.replaceAll("\\([^)]*\\)", " ").toLowerCase(Locale.ROOT);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:^|\\s)by\\s+([^\\s;]+)").matcher(v);
        return m.find() && m.group(1).equals(hostName.toLowerCase(Locale.ROOT));
    }

    /**
     * The Subject for "rewrite subject": Rspamd's (built from the sender's Subject, which may hold
     * a CR/LF after MIME decoding) on one line, so it cannot add header fields of its own.
     */
    static String spamSubject(String fromRspamd, String original) {
        return oneLine(fromRspamd != null ? fromRspamd : "*** SPAM *** " + Optional.ofNullable(original).orElse(""));
    }

    /** Text from DNS (an SPF explanation) made fit for a reply line: printable ASCII, bounded (RFC 5321 §4.5.3.1.5). */
    static String replyText(String s) {
        String t = oneLine(s).replaceAll("[^ -~]", "?");
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }

    static String oneLine(String s) {
        return s.replaceAll("[\\r\\n\\t]+", " ").trim();
    }

    @Override
    public void done() {}
}
