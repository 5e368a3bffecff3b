package io.mailroom.mailauth.arc;

import io.mailroom.mailauth.authresults.AuthResult;
import io.mailroom.mailauth.authresults.AuthenticationResults;
import io.mailroom.mailauth.dkim.Canonicalization;
import io.mailroom.mailauth.dkim.DkimSigner;
import io.mailroom.mailauth.dkim.HeaderHash;
import io.mailroom.mailauth.dkim.SignatureAlgorithm;
import io.mailroom.mailauth.dkim.SignatureCheck;
import io.mailroom.mailauth.dkim.SigningKey;
import io.mailroom.mailauth.dkim.TagList;
import io.mailroom.mailauth.message.HeaderField;
import io.mailroom.mailauth.message.Message;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Adds the next ARC set (RFC 8617 §5.1): ARC-Authentication-Results copied from our own
 * Authentication-Results fields, an ARC-Message-Signature (relaxed/relaxed, rsa-sha256) and an
 * ARC-Seal stamping the chain validation status. RSA keys only, as RFC 8617 allows.
 */
public final class ArcSealer {
    /** How the tags are laid out; the signatures are valid either way. */
    public enum Layout {
        /** i= first, as dkimpy and most sealers write them. */
        DEFAULT,
        /** Tags sorted by name, no spaces in values (dkimpy's "standardize", the form of the ARC test suite). */
        SORTED
    }

    private final String domain;
    private final String selector;
    private final SigningKey key;
    private List<String> headers;
    private Clock clock = Clock.systemUTC();
    private Layout layout = Layout.DEFAULT;

    public ArcSealer(String domain, String selector, SigningKey key) {
        if (key.algorithm() != SignatureAlgorithm.RSA_SHA256) throw new IllegalArgumentException("ARC sealing needs an RSA key (RFC 8617)");
        this.domain = domain;
        this.selector = selector;
        this.key = key;
    }

    /** Field names the AMS signs (h=); the default is {@link DkimSigner#defaultHeaders}. */
    public ArcSealer headers(List<String> names) {
        this.headers = names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
        return this;
    }

    public ArcSealer clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    public ArcSealer layout(Layout layout) {
        this.layout = layout;
        return this;
    }

    /**
     * Seals with the cv taken from the arc= result in our Authentication-Results (none when
     * absent). Returns the new AS, AMS and AAR (top to bottom) or an empty list when no set may
     * be added (the chain already carries cv=fail, or it has 50 sets).
     */
    public List<HeaderField> seal(Message message, String authservId) throws ArcSealException {
        return seal(message, authservId, null);
    }

    /** Seals stamping {@code cv} (our own chain validation result); null = read it from our Authentication-Results. */
    public List<HeaderField> seal(Message message, String authservId, ArcVerifier.Status cv) throws ArcSealException {
        List<String> results = ourResults(message, authservId);
        if (results.isEmpty()) throw new ArcSealException("no Authentication-Results from " + authservId + " to seal");
        if (cv == null) cv = cvFrom(results);
        if (message.first("From") == null) throw new ArcSealException("message has no From field");

        int max = 0;
        String newestCv = null;  // cv= of the newest existing ARC-Seal
        for (HeaderField h : message.headers()) {
            if (!ArcSet.isArc(h)) continue;
            int i = ArcSet.instance(h);
            if (i > max) max = i;
        }
        ArcSet.Chain chain = ArcSet.collect(message);
        if (!chain.sets().isEmpty()) {
            try {
                newestCv = TagList.parse(chain.sets().get(chain.sets().size() - 1).seal().rawValue()).get("cv");
            } catch (TagList.SyntaxException e) {
                newestCv = null;
            }
        }
        if ("fail".equals(newestCv)) return List.of(); // a failed chain is not extended (RFC 8617 §5.1)
        int instance = max + 1;
        if (instance > ArcSet.MAX_INSTANCE) return List.of();
        // the first set always says cv=none (RFC 8617 §4.1.3); on an existing chain "none" would mean we did not validate it
        if (instance == 1) cv = ArcVerifier.Status.NONE;
        if (instance > 1 && cv == ArcVerifier.Status.NONE) cv = ArcVerifier.Status.FAIL;

        HeaderField aar = new HeaderField(ArcSet.AAR, ArcSet.AAR + ": i=" + instance + "; " + authservId + "; " + String.join(";\r\n  ", results) + "\r\n");
        Message withAar = message.prepend(List.of(aar));
        long t = clock.instant().getEpochSecond();
        List<String> names = headers != null ? headers : DkimSigner.defaultHeaders(message);
        if (names.contains("arc-seal")) throw new ArcSealException("the AMS must not sign ARC-Seal");
        String bh = Base64.getEncoder().encodeToString(new SignatureCheck(withAar).bodyHash(Canonicalization.RELAXED, -1));

        String[][] amsTags = {{"i", String.valueOf(instance)}, {"a", "rsa-sha256"}, {"c", "relaxed/relaxed"}, {"d", domain}, {"s", selector},
                {"t", String.valueOf(t)}, {"h", String.join(layout == Layout.SORTED ? ":" : " : ", names)}, {"bh", bh}, {"b", ""}};
        HeaderField ams = sign(ArcSet.AMS, amsTags, data -> HeaderHash.input(withAar.headers(), names, Canonicalization.RELAXED, data));

        String[][] asTags = {{"i", String.valueOf(instance)}, {"cv", cv.value()}, {"a", "rsa-sha256"}, {"d", domain}, {"s", selector},
                {"t", String.valueOf(t)}, {"b", ""}};
        List<ArcSet> previous = cv == ArcVerifier.Status.FAIL || chain.error() != null ? List.of() : chain.sets();
        HeaderField seal = sign(ArcSet.AS, asTags, data -> {
            List<ArcSet> sets = new ArrayList<>(previous);
            sets.add(new ArcSet(instance, aar, ams, data));
            return ArcVerifier.sealInput(sets, data);
        });
        return List.of(seal, ams, aar);
    }

    private interface Input {
        byte[] of(HeaderField unsigned);
    }

    private HeaderField sign(String name, String[][] tags, Input input) throws ArcSealException {
        List<String[]> ordered = new ArrayList<>(List.of(tags));
        if (layout == Layout.SORTED) ordered.sort((x, y) -> x[0].compareTo(y[0]));
        // Relaxed canonicalization keeps single spaces, so other sealers hash the AMS exactly as
        // laid out here: fold like dkimpy (a placeholder b= forces b= onto its own line).
        String placeholder = layout == Layout.DEFAULT ? "0".repeat(60) : "";
        String unsignedValue = layout == Layout.DEFAULT ? fold(layout(ordered, placeholder), name.length()) : layout(ordered, "");
        HeaderField unsigned = HeaderHash.withoutB(new HeaderField(name, name + ": " + unsignedValue + "\r\n"));
        try {
            byte[] sig = SignatureAlgorithm.RSA_SHA256.sign(key.privateKey(), input.of(unsigned));
            String b = Base64.getEncoder().encodeToString(sig);
            String value = layout(ordered, b);
            return new HeaderField(name, name + ": " + (layout == Layout.DEFAULT ? fold(value + "\r\n", name.length()) : value + "\r\n"));
        } catch (GeneralSecurityException e) {
            throw new ArcSealException("signing failed: " + e.getClass().getSimpleName());
        }
    }

    private String layout(List<String[]> ordered, String b) {
        List<String> parts = new ArrayList<>();
        for (String[] t : ordered) parts.add(t[0] + "=" + (t[0].equals("b") ? b : t[1]));
        return String.join("; ", parts);
    }

    /** dkimpy's fold(): lines of at most 72 characters, broken at the last space (or hard). */
    static String fold(String header, int nameLength) {
        int max = 72 - nameLength;
        if (header.length() <= max) return header;
        if (header.length() - header.lastIndexOf("\r\n") == 2 && header.length() <= max + 2) return header;
        StringBuilder pre = new StringBuilder();
        int i = header.lastIndexOf("\r\n ");
        if (i >= 0) {
            pre.append(header, 0, i + 3);
            header = header.substring(i + 3);
        }
        while (header.length() > max) {
            i = header.substring(0, max).lastIndexOf(' ');
            int j;
            if (i == -1) {
                j = max;
                pre.append(header, 0, j).append("\r\n ");
            } else {
                j = i + 1;
                pre.append(header, 0, i).append("\r\n ");
            }
            header = header.substring(j);
            max = 71;
        }
        return pre + header;
    }

    /** The result parts of our Authentication-Results fields (authserv-id removed), as dkimpy merges them. */
    static List<String> ourResults(Message message, String authservId) {
        List<String> out = new ArrayList<>();
        for (HeaderField h : message.headers(AuthenticationResults.FIELD)) {
            AuthenticationResults parsed = AuthenticationResults.parse(h);
            if (parsed == null || !parsed.authservId().equals(authservId)) continue;
            String raw = h.rawValue();
            int semi = raw.indexOf(';');
            if (semi < 0) continue;
            for (String part : raw.substring(semi + 1).split(";")) {
                String p = part.strip();
                if (!p.isEmpty()) out.add(p);
            }
        }
        return out;
    }

    private static ArcVerifier.Status cvFrom(List<String> results) {
        AuthenticationResults parsed = AuthenticationResults.parse("x; " + String.join("; ", results));
        if (parsed == null) return ArcVerifier.Status.FAIL;
        List<AuthResult> arc = parsed.results("arc");
        if (arc.isEmpty()) return ArcVerifier.Status.NONE;
        if (arc.size() > 1) return ArcVerifier.Status.FAIL;
        return switch (arc.get(0).result()) {
            case "pass" -> ArcVerifier.Status.PASS;
            case "none" -> ArcVerifier.Status.NONE;
            default -> ArcVerifier.Status.FAIL;
        };
    }

    /** Sealing refused: no results to seal, no From, or a key problem. */
    public static final class ArcSealException extends Exception {
        public ArcSealException(String message) {
            super(message);
        }
    }
}
