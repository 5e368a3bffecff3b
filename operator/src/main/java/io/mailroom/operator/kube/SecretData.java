package io.mailroom.operator.kube;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Text values of Secrets: {@code data} is base64 of UTF-8, {@code stringData} is plain (as written by a user). */
public final class SecretData {
    private SecretData() {}

    /** A text value as it goes into {@code data}. */
    public static String encode(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The text of one {@code data} value. */
    public static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    /** The text under {@code key} in {@code data}, else in {@code stringData}; null when neither holds it. */
    public static String value(Secret s, String key) {
        if (s.getData() != null && s.getData().get(key) != null) {
            return decode(s.getData().get(key));
        }
        return s.getStringData() == null ? null : s.getStringData().get(key);
    }
}
