package io.mailroom.mailauth.dkim;

import io.mailroom.mailauth.dns.DnsResolver;
import io.mailroom.mailauth.message.HeaderField;
import io.mailroom.mailauth.message.Message;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cryptographic part shared by DKIM-Signature and ARC-Message-Signature: fetch the key,
 * compare the body hash, verify b= over the selected header fields. Body hashes are cached per
 * canonicalization and length so several signatures on one message hash the body once.
 */
public final class SignatureCheck {
    /** A check outcome: PASS, FAIL, TEMPERROR or PERMERROR with a reason. */
    public record Outcome(DkimResult.Status status, String reason, DkimKey key) {
        public boolean pass() {
            return status == DkimResult.Status.PASS;
        }
    }

    private final Message message;
    private final Map<String, byte[]> bodyHashes = new HashMap<>();

    public SignatureCheck(Message message) {
        this.message = message;
    }

    public Message message() {
        return message;
    }

    /** The SHA-256 of the canonical body, cut to {@code length} bytes when length >= 0; null if length exceeds the body. */
    public byte[] bodyHash(Canonicalization c, long length) {
        String key = c + "/" + length;
        byte[] cached = bodyHashes.get(key);
        if (cached != null || bodyHashes.containsKey(key)) return cached;
        byte[] canon = c.body(message.bodyView());
        byte[] hash;
        if (length >= 0 && length > canon.length) {
            hash = null;
        } else {
            int n = length >= 0 ? (int) length : canon.length;
            hash = SignatureAlgorithm.sha256(n == canon.length ? canon : Arrays.copyOf(canon, n));
        }
        bodyHashes.put(key, hash);
        return hash;
    }

    public Outcome check(HeaderField signatureField, SignatureAlgorithm alg, Canonicalization headerCanon, Canonicalization bodyCanon,
                         List<String> signedNames, long length, String bh, String b, String domain, String selector, DnsResolver dns) {
        DkimKey.Lookup lookup = DkimKey.lookup(dns, selector, domain);
        if (lookup.key() == null) {
            return new Outcome(lookup.problem().temporary() ? DkimResult.Status.TEMPERROR : DkimResult.Status.PERMERROR, lookup.problem().reason(), null);
        }
        DkimKey key = lookup.key();
        if (!key.keyType().equals(alg.keyType())) return new Outcome(DkimResult.Status.PERMERROR, "key type does not match a=", key);
        if (!key.hashes().isEmpty() && !key.hashes().contains("sha256")) {
            return new Outcome(DkimResult.Status.PERMERROR, "key h= does not allow sha256", key);
        }
        byte[] expectedBh, sig;
        try {
            expectedBh = Base64.getDecoder().decode(TagList.noWs(bh));
            sig = Base64.getDecoder().decode(TagList.noWs(b));
        } catch (IllegalArgumentException e) {
            return new Outcome(DkimResult.Status.PERMERROR, "b= or bh= is not base64", key);
        }
        byte[] actualBh = bodyHash(bodyCanon, length);
        if (actualBh == null) return new Outcome(DkimResult.Status.PERMERROR, "l= exceeds the body length", key);
        if (!MessageDigest.isEqual(actualBh, expectedBh)) return new Outcome(DkimResult.Status.FAIL, "body hash did not verify", key);
        byte[] data = HeaderHash.input(message.headers(), signedNames, headerCanon, signatureField);
        if (!alg.verify(key.publicKey(), data, sig)) return new Outcome(DkimResult.Status.FAIL, "signature did not verify", key);
        return new Outcome(DkimResult.Status.PASS, null, key);
    }

    /** h= split into field names (empty entries skipped); null if an entry is not a field name. */
    public static List<String> signedNames(String h) {
        List<String> names = new ArrayList<>();
        for (String part : h.split(":", -1)) {
            String n = TagList.stripFws(part);
            if (n.isEmpty()) continue; // "a::b" names nothing between the colons (dkimpy agrees)
            for (int i = 0; i < n.length(); i++) {
                char c = n.charAt(i);
                if (c < 33 || c > 126) return null;
            }
            names.add(n.toLowerCase(Locale.ROOT));
        }
        return names;
    }

    /** A syntactically valid domain name (letters, digits, hyphens, underscores, dots). */
    public static boolean validDomain(String d) {
        if (d == null || d.isEmpty() || d.length() > 253 || d.startsWith(".") || d.endsWith(".") || d.contains("..")) return false;
        for (String label : d.split("\\.")) {
            if (label.isEmpty() || label.length() > 63) return false;
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
            }
        }
        return true;
    }

    /** A DKIM selector: one or more dot-separated labels. */
    public static boolean validSelector(String s) {
        return validDomain(s);
    }

    /** Parses a decimal tag value of at most {@code maxDigits} digits (never more than 18, so it fits a long), or -1. */
    public static long number(String v, int maxDigits) {
        if (v == null || v.isEmpty() || v.length() > Math.min(maxDigits, 18)) return -1;
        for (int i = 0; i < v.length(); i++) if (v.charAt(i) < '0' || v.charAt(i) > '9') return -1;
        return Long.parseLong(v);
    }
}
