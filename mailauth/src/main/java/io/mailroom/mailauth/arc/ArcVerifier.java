package io.mailroom.mailauth.arc;

import io.mailroom.mailauth.dkim.Canonicalization;
import io.mailroom.mailauth.dkim.DkimKey;
import io.mailroom.mailauth.dkim.HeaderHash;
import io.mailroom.mailauth.dkim.SignatureAlgorithm;
import io.mailroom.mailauth.dkim.SignatureCheck;
import io.mailroom.mailauth.dkim.TagList;
import io.mailroom.mailauth.dns.DnsResolver;
import io.mailroom.mailauth.message.HeaderField;
import io.mailroom.mailauth.message.Message;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * ARC chain validation (RFC 8617 §5.2): structure, cv= sequence, the newest
 * ARC-Message-Signature and every ARC-Seal. Also reports the oldest instance whose AMS still
 * validates ("oldest-pass", §5.2 step 5). Never throws.
 */
public final class ArcVerifier {
    /** Chain validation status: none / pass / fail. */
    public enum Status {
        NONE, PASS, FAIL;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param status     the chain validation status (the cv= a sealer stamps)
     * @param reason     why the chain failed (null otherwise)
     * @param instances  the number of ARC sets
     * @param oldestPass lowest instance whose AMS validates (0 when not a pass)
     * @param sealDomain d= of the newest ARC-Seal (null when none)
     */
    public record Result(Status status, String reason, int instances, int oldestPass, String sealDomain) {
        public static Result fail(String reason, int n) {
            return new Result(Status.FAIL, reason, n, 0, null);
        }

        @Override
        public String toString() {
            return status.value() + (reason != null ? " (" + reason + ")" : "");
        }
    }

    private static final Set<String> CV = Set.of("none", "pass", "fail");

    private final DnsResolver dns;

    public ArcVerifier(DnsResolver dns) {
        this.dns = dns;
    }

    public Result verify(byte[] raw) {
        return verify(Message.parse(raw));
    }

    public Result verify(Message message) {
        try {
            return doVerify(message);
        } catch (RuntimeException e) {
            return Result.fail("ARC set could not be processed", 0);
        }
    }

    private Result doVerify(Message message) {
        ArcSet.Chain chain = ArcSet.collect(message);
        if (chain.error() != null) return Result.fail(chain.error(), 0);
        List<ArcSet> sets = chain.sets();
        int n = sets.size();
        if (n == 0) return new Result(Status.NONE, null, 0, 0, null);
        TagList[] seals = new TagList[n];
        for (ArcSet s : sets) {
            TagList tags;
            try {
                tags = TagList.parse(s.seal().rawValue());
            } catch (TagList.SyntaxException e) {
                return Result.fail("ARC-Seal i=" + s.instance() + " syntax error", n);
            }
            String cv = tags.get("cv");
            if (cv == null || !CV.contains(cv)) return Result.fail("ARC-Seal i=" + s.instance() + " has an invalid cv=", n);
            if (cv.equals("fail")) return Result.fail("ARC-Seal i=" + s.instance() + " says cv=fail", n);
            if (s.instance() == 1 && !cv.equals("none")) return Result.fail("ARC-Seal i=1 must have cv=none", n);
            if (s.instance() > 1 && !cv.equals("pass")) return Result.fail("ARC-Seal i=" + s.instance() + " must have cv=pass", n);
            seals[s.instance() - 1] = tags;
        }
        SignatureCheck check = new SignatureCheck(message);
        String amsProblem = verifyAms(check, sets.get(n - 1));
        if (amsProblem != null) return Result.fail("ARC-Message-Signature i=" + n + ": " + amsProblem, n);
        for (int i = n; i >= 1; i--) {
            String sealProblem = verifySeal(sets, i, seals[i - 1]);
            if (sealProblem != null) return Result.fail("ARC-Seal i=" + i + ": " + sealProblem, n);
        }
        int oldest = n;
        for (int i = n - 1; i >= 1; i--) {
            if (verifyAms(check, sets.get(i - 1)) != null) break;
            oldest = i;
        }
        return new Result(Status.PASS, null, n, oldest, seals[n - 1].get("d"));
    }

    /** Checks one ARC-Message-Signature; null when valid, else the problem. */
    String verifyAms(SignatureCheck check, ArcSet set) {
        TagList tags;
        try {
            tags = TagList.parse(set.ams().rawValue());
        } catch (TagList.SyntaxException e) {
            return "syntax error: " + e.getMessage();
        }
        for (String required : List.of("i", "a", "b", "bh", "d", "h", "s")) {
            if (!tags.has(required)) return "missing " + required + "=";
        }
        if (!tags.get("a").equals("rsa-sha256")) return "algorithm must be rsa-sha256";
        // without c= dkimpy (and the ARC suite's ams_fields_c_na) use relaxed/relaxed
        Canonicalization hc = Canonicalization.RELAXED, bc = Canonicalization.RELAXED;
        if (tags.has("c")) {
            String[] c = tags.get("c").split("/", -1);
            if (c.length > 2) return "invalid c=";
            hc = Canonicalization.of(c[0]);
            bc = c.length == 2 ? Canonicalization.of(c[1]) : Canonicalization.SIMPLE;
            if (hc == null || bc == null) return "invalid c=";
        }
        if (!SignatureCheck.validDomain(tags.get("d"))) return "invalid d=";
        if (!SignatureCheck.validSelector(tags.get("s"))) return "invalid s=";
        if (tags.has("t") && SignatureCheck.number(tags.get("t"), 18) < 0) return "invalid t=";
        if (TagList.noWs(tags.get("b")).isEmpty() || TagList.noWs(tags.get("bh")).isEmpty()) return "empty b= or bh=";
        List<String> names;
        String h = TagList.noWs(tags.get("h"));
        if (h.isEmpty()) {
            names = List.of();
        } else {
            names = SignatureCheck.signedNames(tags.get("h"));
            if (names == null) return "invalid h=";
        }
        if (names.contains("arc-seal")) return "h= must not include ARC-Seal";
        SignatureCheck.Outcome o = check.check(set.ams(), SignatureAlgorithm.RSA_SHA256, hc, bc, names, -1, tags.get("bh"), tags.get("b"),
                tags.get("d"), tags.get("s"), dns);
        return o.pass() ? null : o.status().value() + ": " + o.reason();
    }

    private String verifySeal(List<ArcSet> sets, int instance, TagList tags) {
        for (String required : List.of("i", "a", "b", "cv", "d", "s")) {
            if (!tags.has(required)) return "missing " + required + "=";
        }
        if (tags.has("h")) return "h= is not allowed in an ARC-Seal";
        if (!tags.get("a").equals("rsa-sha256")) return "algorithm must be rsa-sha256";
        if (!SignatureCheck.validDomain(tags.get("d"))) return "invalid d=";
        if (!SignatureCheck.validSelector(tags.get("s"))) return "invalid s=";
        if (tags.has("t") && SignatureCheck.number(tags.get("t"), 18) < 0) return "invalid t=";
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(TagList.noWs(tags.get("b")));
        } catch (IllegalArgumentException e) {
            return "b= is not base64";
        }
        if (sig.length == 0) return "empty b=";
        DkimKey.Lookup lookup = DkimKey.lookup(dns, tags.get("s"), tags.get("d"));
        if (lookup.key() == null) return lookup.problem().reason();
        if (!lookup.key().keyType().equals("rsa")) return "key is not RSA";
        byte[] data = sealInput(sets.subList(0, instance), sets.get(instance - 1).seal());
        return SignatureAlgorithm.RSA_SHA256.verify(lookup.key().publicKey(), data, sig) ? null : "signature did not verify";
    }

    /** The data an ARC-Seal signs (RFC 8617 §5.1.1): every set up to it, AAR, AMS, AS, relaxed; its own b= empty, no final CRLF. */
    static byte[] sealInput(List<ArcSet> sets, HeaderField seal) {
        StringBuilder b = new StringBuilder(8192);
        for (int k = 0; k < sets.size(); k++) {
            ArcSet s = sets.get(k);
            b.append(Canonicalization.RELAXED.header(s.aar()));
            b.append(Canonicalization.RELAXED.header(s.ams()));
            if (k < sets.size() - 1) b.append(Canonicalization.RELAXED.header(s.seal()));
        }
        String last = Canonicalization.RELAXED.header(HeaderHash.withoutB(seal));
        b.append(last, 0, last.length() - 2);
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
