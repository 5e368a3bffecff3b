package io.mailroom.mailauth.dkim;

import io.mailroom.mailauth.message.HeaderField;
import io.mailroom.mailauth.message.Message;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Adds DKIM-Signature fields (RFC 6376 §5) with one or more keys (an RSA-2048 and an Ed25519
 * key give the dual signature RFC 8463 recommends). relaxed/relaxed by default; the signed
 * header list over-signs From, To, Subject, Date and Message-ID so nobody can add a second one.
 */
public final class DkimSigner {
    /** Fields signed when present. */
    public static final List<String> DEFAULT_HEADERS = List.of("from", "sender", "reply-to", "subject", "date", "message-id", "to", "cc",
            "mime-version", "content-type", "content-transfer-encoding", "content-id", "content-description", "in-reply-to", "references",
            "list-id", "list-help", "list-unsubscribe", "list-subscribe", "list-post", "list-owner", "list-archive", "list-unsubscribe-post");
    /** Fields signed one more time than present (RFC 6376 §8.15). */
    public static final List<String> OVERSIGNED = List.of("from", "to", "subject", "date", "message-id");

    /** Who signs: d=, s= and the key. */
    public record Key(String domain, String selector, SigningKey key) {
        public Key {
            Objects.requireNonNull(domain);
            Objects.requireNonNull(selector);
            Objects.requireNonNull(key);
        }
    }

    private final List<Key> keys;
    private Canonicalization headerCanon = Canonicalization.RELAXED;
    private Canonicalization bodyCanon = Canonicalization.RELAXED;
    private List<String> headers = null;
    private Clock clock = Clock.systemUTC();
    private Duration expiry = null;
    private String identity = null;
    private boolean bodyLength = false;

    public DkimSigner(List<Key> keys) {
        if (keys.isEmpty()) throw new IllegalArgumentException("no signing key");
        this.keys = List.copyOf(keys);
    }

    public DkimSigner(Key... keys) {
        this(List.of(keys));
    }

    public DkimSigner canonicalization(Canonicalization header, Canonicalization body) {
        this.headerCanon = header;
        this.bodyCanon = body;
        return this;
    }

    /** Sign exactly these field names (h=), instead of the default selection. Must contain From. */
    public DkimSigner headers(List<String> names) {
        this.headers = names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
        return this;
    }

    public DkimSigner clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    /** Adds x= this long after t=. */
    public DkimSigner expiry(Duration validity) {
        this.expiry = validity;
        return this;
    }

    /**
     * Adds l= with the signed body length. Off by default: l= lets anyone append content, so
     * only mailing-list style use cases want it (RFC 6376 §8.2).
     */
    public DkimSigner bodyLength(boolean on) {
        this.bodyLength = on;
        return this;
    }

    /** Sets i= (must be in the signing domain). */
    public DkimSigner identity(String identity) {
        this.identity = identity;
        return this;
    }

    /** The message with the new DKIM-Signature fields on top (CRLF line ends). */
    public byte[] sign(byte[] rawMessage) throws DkimSigningException {
        Message m = Message.parse(rawMessage);
        return m.prepend(signatures(m)).toBytes();
    }

    /** The new DKIM-Signature fields, one per key, in the order to put on top of the message. */
    public List<HeaderField> signatures(Message message) throws DkimSigningException {
        if (message.first("From") == null) throw new DkimSigningException("message has no From field");
        List<String> names = headers != null ? headers : defaultHeaders(message);
        if (!names.contains("from")) throw new DkimSigningException("From must be signed");
        for (Key k : keys) {
            if (!SignatureCheck.validDomain(k.domain()) || !SignatureCheck.validSelector(k.selector())) {
                throw new DkimSigningException("invalid signing domain or selector");
            }
            if (identity != null && !DkimVerifier.subdomainOf(identity.substring(identity.lastIndexOf('@') + 1), k.domain())) {
                throw new DkimSigningException("i= must be in the signing domain");
            }
        }
        List<HeaderField> out = new ArrayList<>();
        long t = clock.instant().getEpochSecond();
        SignatureCheck bodies = new SignatureCheck(message);
        String bh = Base64.getEncoder().encodeToString(bodies.bodyHash(bodyCanon, -1));
        long length = bodyLength ? bodyCanon.body(message.bodyView()).length : -1;
        for (Key k : keys) {
            SignatureAlgorithm alg = k.key().algorithm();
            TagFolder f = new TagFolder("DKIM-Signature");
            f.token(" ", "v=1;").token(" ", "a=" + alg.tag() + ";").token(" ", "c=" + headerCanon.tag() + "/" + bodyCanon.tag() + ";")
                    .token(" ", "d=" + k.domain() + ";").token(" ", "s=" + k.selector() + ";").token(" ", "t=" + t + ";");
            if (expiry != null) f.token(" ", "x=" + (t + expiry.toSeconds()) + ";");
            if (identity != null) f.token(" ", "i=" + identity + ";");
            if (length >= 0) f.token(" ", "l=" + length + ";");
            f.listTag("h", names, false);
            f.token(" ", "bh=" + bh + ";");
            f.newLine().token("", "b=");
            HeaderField unsigned = new HeaderField("DKIM-Signature", f.text() + "\r\n");
            byte[] data = HeaderHash.input(message.headers(), names, headerCanon, unsigned);
            try {
                String b = Base64.getEncoder().encodeToString(alg.sign(k.key().privateKey(), data));
                out.add(new HeaderField("DKIM-Signature", f.base64(b).text() + "\r\n"));
            } catch (GeneralSecurityException e) {
                throw new DkimSigningException("signing failed: " + e.getClass().getSimpleName());
            }
        }
        return out;
    }

    /** The default h= list for this message: present fields from {@link #DEFAULT_HEADERS}, over-signing the key ones. */
    public static List<String> defaultHeaders(Message message) {
        List<String> names = new ArrayList<>();
        for (String name : DEFAULT_HEADERS) {
            int count = message.headers(name).size();
            if (OVERSIGNED.contains(name)) count++;
            for (int i = 0; i < count; i++) names.add(name);
        }
        return names;
    }

    /** Signing refused: no From, an unusable key, or an invalid option. */
    public static final class DkimSigningException extends Exception {
        public DkimSigningException(String message) {
            super(message);
        }
    }
}
