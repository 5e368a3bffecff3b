package io.mailroom.common.password;

import java.security.SecureRandom;

/** Generated passwords: 20 characters from 56 unambiguous letters and digits (about 116 bits). */
public final class RandomPasswords {
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final SecureRandom RANDOM = new SecureRandom();
    public static final int LENGTH = 20;

    private RandomPasswords() {}

    public static String generate() {
        StringBuilder sb = new StringBuilder(LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}
