package io.mailroom.mailauth.dkim;

import io.mailroom.mailauth.dns.DnsResolver;
import io.mailroom.mailauth.dns.DnsResolver.DnsAnswer;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * A DKIM public key record (RFC 6376 §3.6.1) fetched from {@code selector._domainkey.domain}.
 * {@link #lookup} never throws: it returns a key or a {@link Problem} that says whether the
 * failure is temporary (DNS) or permanent (missing, revoked, malformed, too weak).
 */
public record DkimKey(PublicKey publicKey, String keyType, int bits, List<String> hashes, boolean testing, boolean strict) {

    /** Smallest RSA modulus accepted (RFC 8301 §3.2). */
    public static final int MIN_RSA_BITS = 1024;
    /** Largest RSA modulus accepted: bigger keys only cost verification time (RFC 8301 asks for up to 4096). */
    public static final int MAX_RSA_BITS = 8192;

    private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    public record Problem(boolean temporary, String reason) {}

    /** Either a key or a problem. */
    public record Lookup(DkimKey key, Problem problem) {}

    public static Lookup lookup(DnsResolver dns, String selector, String domain) {
        String name = selector + "._domainkey." + domain;
        DnsAnswer<String> answer;
        try {
            answer = dns.txt(name);
        } catch (RuntimeException e) {
            return new Lookup(null, new Problem(true, "key query failed"));
        }
        if (answer == null || answer.isTempFail()) return new Lookup(null, new Problem(true, "key query failed temporarily"));
        if (answer.isVoid()) return new Lookup(null, new Problem(false, "no key for signature"));
        if (answer.records().size() > 1) {
            // RFC 6376 §3.6.2.2 leaves several records undefined: use the first that parses
            Lookup first = null;
            for (String r : answer.records()) {
                Lookup l = parse(r);
                if (l.key() != null) return l;
                if (first == null) first = l;
            }
            return first;
        }
        return parse(answer.records().get(0));
    }

    public static Lookup parse(String record) {
        TagList tags;
        try {
            tags = TagList.parse(record == null ? "" : record);
        } catch (TagList.SyntaxException e) {
            return fail("key record syntax error");
        }
        String v = tags.get("v");
        if (v != null && (!v.equals("DKIM1") || !tags.asMap().keySet().iterator().next().equals("v"))) {
            return fail("key record has an invalid v=");
        }
        String k = tags.has("k") ? tags.get("k").toLowerCase(Locale.ROOT) : "rsa";
        if (!k.equals("rsa") && !k.equals("ed25519")) return fail("unknown key type k=" + k);
        List<String> hashes = List.of();
        if (tags.has("h")) {
            hashes = Arrays.stream(tags.get("h").split(":")).map(s -> TagList.stripFws(s).toLowerCase(Locale.ROOT)).toList();
        }
        if (tags.has("s")) {
            List<String> services = Arrays.stream(tags.get("s").split(":")).map(s -> TagList.stripFws(s).toLowerCase(Locale.ROOT)).toList();
            if (!services.contains("*") && !services.contains("email")) return fail("key is not for email (s=)");
        }
        boolean testing = false, strict = false;
        if (tags.has("t")) {
            for (String f : tags.get("t").split(":")) {
                String flag = TagList.stripFws(f);
                if (flag.equals("y")) testing = true;
                if (flag.equals("s")) strict = true;
            }
        }
        if (!tags.has("p")) return fail("key record without p=");
        String p = TagList.noWs(tags.get("p"));
        if (p.isEmpty()) return fail("key revoked");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(p);
        } catch (IllegalArgumentException e) {
            return fail("key p= is not base64");
        }
        try {
            if (k.equals("ed25519")) {
                if (der.length != 32) return fail("ed25519 key is not 32 bytes");
                byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
                System.arraycopy(der, 0, spki, ED25519_SPKI_PREFIX.length, 32);
                PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
                return new Lookup(new DkimKey(key, k, 256, hashes, testing, strict), null);
            }
            RSAPublicKey key = rsaKey(der);
            if (key == null) return fail("key p= is not an RSA public key");
            int bits = key.getModulus().bitLength();
            if (bits < MIN_RSA_BITS) return fail("RSA key too short (" + bits + " bits)");
            if (bits > MAX_RSA_BITS) return fail("RSA key too long (" + bits + " bits)");
            return new Lookup(new DkimKey(key, k, bits, hashes, testing, strict), null);
        } catch (Exception e) {
            return fail("key p= cannot be decoded");
        }
    }

    private static RSAPublicKey rsaKey(byte[] der) {
        KeyFactory kf;
        try {
            kf = KeyFactory.getInstance("RSA");
        } catch (Exception e) {
            return null;
        }
        try {
            return (RSAPublicKey) kf.generatePublic(new X509EncodedKeySpec(der));
        } catch (Exception e) {
            // bare PKCS#1 RSAPublicKey: not RFC 6376 but published by some (dkimpy accepts it)
            try {
                org.bouncycastle.asn1.pkcs.RSAPublicKey k = org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(der);
                return (RSAPublicKey) kf.generatePublic(new RSAPublicKeySpec(k.getModulus(), k.getPublicExponent()));
            } catch (Exception e2) {
                return null;
            }
        }
    }

    private static Lookup fail(String reason) {
        return new Lookup(null, new Problem(false, reason));
    }

    /** The base64 p= value of a public key, as published in a DKIM record. */
    public static String recordValue(PublicKey key) {
        byte[] der = key.getEncoded();
        if (key.getAlgorithm().equals("Ed25519") || key.getAlgorithm().equals("EdDSA")) {
            return "v=DKIM1; k=ed25519; p=" + Base64.getEncoder().encodeToString(Arrays.copyOfRange(der, der.length - 32, der.length));
        }
        return "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(der);
    }
}
