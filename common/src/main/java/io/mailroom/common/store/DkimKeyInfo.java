package io.mailroom.common.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A DKIM selector of a domain as kept in {@code domain:<name>}: the public key (base64 of the
 * key's DNS {@code p=} value) and whether the Outbox signs with it. The private key lives in
 * the key directory, never in Redis.
 *
 * @param algorithm {@code rsa-sha256} or {@code ed25519-sha256}
 * @param signing   true for the selectors new mail is signed with; false while an old selector stays published
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record DkimKeyInfo(String selector, String algorithm, String publicKey, boolean signing, String created) {
    public static final String RSA_SHA256 = "rsa-sha256";
    public static final String ED25519_SHA256 = "ed25519-sha256";

    public DkimKeyInfo retired() {
        return new DkimKeyInfo(selector, algorithm, publicKey, false, created);
    }

    /** The key type tag of the DKIM TXT record ({@code k=}). */
    public String keyType() {
        return ED25519_SHA256.equals(algorithm) ? "ed25519" : "rsa";
    }
}
