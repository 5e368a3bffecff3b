package io.mailroom.mailauth.dkim;

import io.mailroom.mailauth.dkim.DkimResult.Status;
import io.mailroom.mailauth.dns.DnsResolver;
import io.mailroom.mailauth.message.HeaderField;
import io.mailroom.mailauth.message.Message;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Verifies the DKIM-Signature fields of a message (RFC 6376 §6, RFC 8301, RFC 8463): one
 * {@link DkimResult} per signature, top to bottom. rsa-sha1 and RSA keys under 1024 bits are
 * refused (RFC 8301). Never throws for any input.
 */
public final class DkimVerifier {
    /** Signatures beyond this count are not evaluated (each costs a DNS query and a public-key operation). */
    public static final int MAX_SIGNATURES = 10;

    private final DnsResolver dns;
    private final Clock clock;
    private final Duration skew;

    public DkimVerifier(DnsResolver dns) {
        this(dns, Clock.systemUTC(), Duration.ofMinutes(5));
    }

    /** @param skew how far in the future t= may be before the signature is refused */
    public DkimVerifier(DnsResolver dns, Clock clock, Duration skew) {
        this.dns = dns;
        this.clock = clock;
        this.skew = skew;
    }

    public List<DkimResult> verify(byte[] rawMessage) {
        return verify(Message.parse(rawMessage));
    }

    /** One result per DKIM-Signature field; an empty list when the message carries none. */
    public List<DkimResult> verify(Message message) {
        List<DkimResult> results = new ArrayList<>();
        SignatureCheck check = new SignatureCheck(message);
        for (HeaderField h : message.headers()) {
            if (!h.is("DKIM-Signature")) continue;
            if (results.size() >= MAX_SIGNATURES) {
                results.add(new DkimResult(Status.PERMERROR, "too many signatures", null, null, null, null, null, -1, false, 0));
                continue;
            }
            DkimResult r;
            try {
                r = verifyOne(check, h);
            } catch (RuntimeException e) { // defensive: a result, never an exception
                r = new DkimResult(Status.PERMERROR, "signature could not be processed", null, null, null, null, null, -1, false, 0);
            }
            results.add(r);
        }
        return results;
    }

    private DkimResult verifyOne(SignatureCheck check, HeaderField field) {
        TagList tags;
        try {
            tags = TagList.parse(field.rawValue());
        } catch (TagList.SyntaxException e) {
            return new DkimResult(Status.PERMERROR, "signature syntax error: " + e.getMessage(), null, null, null, null, null, -1, false, 0);
        }
        String d = tags.get("d");
        String s = tags.get("s");
        String a = tags.get("a");
        String b = tags.has("b") ? TagList.noWs(tags.get("b")) : null;
        String i = tags.get("i");
        long l = tags.has("l") ? SignatureCheck.number(tags.get("l"), 76) : -1;
        String identity = i != null ? i : (d != null ? "@" + d : null);
        DkimResult base = new DkimResult(Status.PERMERROR, null, d, identity, s, a, b, tags.has("l") ? Math.max(l, 0) : -1, false, 0);

        for (String required : List.of("v", "a", "b", "bh", "d", "h", "s")) {
            if (!tags.has(required)) return base.with(Status.PERMERROR, "signature missing required tag " + required + "=");
        }
        if (!tags.get("v").equals("1")) return base.with(Status.PERMERROR, "incompatible version v=" + tags.get("v"));
        SignatureAlgorithm alg = SignatureAlgorithm.of(a);
        if (alg == null) {
            return base.with(Status.PERMERROR, a.equalsIgnoreCase("rsa-sha1") ? "rsa-sha1 is not accepted (RFC 8301)" : "unsupported algorithm a=" + a);
        }
        Canonicalization hc = Canonicalization.SIMPLE, bc = Canonicalization.SIMPLE;
        if (tags.has("c")) {
            String[] c = tags.get("c").split("/", -1);
            if (c.length > 2) return base.with(Status.PERMERROR, "invalid c=");
            hc = Canonicalization.of(c[0]);
            bc = c.length == 2 ? Canonicalization.of(c[1]) : Canonicalization.SIMPLE;
            if (hc == null || bc == null) return base.with(Status.PERMERROR, "unknown canonicalization c=" + tags.get("c"));
        }
        if (!SignatureCheck.validDomain(d)) return base.with(Status.PERMERROR, "invalid d=");
        if (!SignatureCheck.validSelector(s)) return base.with(Status.PERMERROR, "invalid s=");
        if (b.isEmpty()) return base.with(Status.PERMERROR, "empty b=");
        List<String> names = SignatureCheck.signedNames(tags.get("h"));
        if (names == null) return base.with(Status.PERMERROR, "invalid h=");
        if (!names.contains("from")) return base.with(Status.PERMERROR, "From is not signed (h=)");
        if (i != null) {
            int at = i.lastIndexOf('@');
            String idDomain = at < 0 ? "" : i.substring(at + 1);
            if (at < 0 || !subdomainOf(idDomain, d)) return base.with(Status.PERMERROR, "i= is not in the d= domain");
        }
        if (tags.has("l") && l < 0) return base.with(Status.PERMERROR, "invalid l=");
        if (tags.has("q")) {
            boolean dns = false;
            for (String q : tags.get("q").split(":")) if (TagList.stripFws(q).equalsIgnoreCase("dns/txt")) dns = true;
            if (!dns) return base.with(Status.PERMERROR, "unsupported query method q=");
        }
        long now = clock.instant().getEpochSecond();
        long t = -1;
        if (tags.has("t")) {
            t = SignatureCheck.number(tags.get("t"), 18);
            if (t < 0) return base.with(Status.PERMERROR, "invalid t=");
            if (t > now + skew.toSeconds()) return base.with(Status.PERMERROR, "signature timestamp t= is in the future");
        }
        if (tags.has("x")) {
            long x = SignatureCheck.number(tags.get("x"), 18);
            if (x < 0) return base.with(Status.PERMERROR, "invalid x=");
            if (t >= 0 && x < t) return base.with(Status.PERMERROR, "x= is before t=");
            if (x < now) return base.with(Status.PERMERROR, "signature expired (x=)");
        }

        SignatureCheck.Outcome o = check.check(field, alg, hc, bc, names, l, tags.get("bh"), b, d, s, dns);
        DkimKey key = o.key();
        DkimResult withKey = new DkimResult(o.status(), o.reason(), d, identity, s, a, b, base.bodyLength(),
                key != null && key.testing(), key != null ? key.bits() : 0);
        if (o.pass() && key.strict() && i != null) {
            String idDomain = i.substring(i.lastIndexOf('@') + 1);
            if (!idDomain.equalsIgnoreCase(d)) return withKey.with(Status.PERMERROR, "key t=s forbids an i= subdomain");
        }
        return withKey;
    }

    static boolean subdomainOf(String child, String parent) {
        String c = child.toLowerCase(Locale.ROOT), p = parent.toLowerCase(Locale.ROOT);
        return c.equals(p) || c.endsWith("." + p);
    }
}
