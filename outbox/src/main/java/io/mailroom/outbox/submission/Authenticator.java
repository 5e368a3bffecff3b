package io.mailroom.outbox.submission;

import io.mailroom.common.InvalidInputException;
import io.mailroom.common.address.EmailAddress;
import io.mailroom.common.password.PasswordHasher;
import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.User;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * Checks submission credentials against the store's bcrypt hashes. A bcrypt check costs tens of
 * milliseconds of CPU, so a client that logs in for every message would burn a core: verified
 * credentials are remembered in a bounded LRU cache keyed by a salted SHA-256 of user and
 * password (the salt is random per process, so the cache holds nothing reusable) and tied to
 * the stored hash, so a password change or a disabled account takes effect at once. bcrypt
 * checks run at most {@code cores} at a time. Failed logins are throttled per client IP and per
 * account over a sliding window.
 */
public final class Authenticator {
    /** The outcome of a login. */
    public enum Result { OK, BAD_CREDENTIALS, THROTTLED }

    private final AccountStore store;
    private final PasswordHasher hasher = new PasswordHasher();
    private final byte[] salt = new byte[32];
    private final Map<String, String> verified;
    private final Semaphore bcrypt = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors()));
    private final Map<String, Deque<Long>> failures = new LinkedHashMap<>(1024, 0.75f, true);
    private final int maxFailuresPerAccount;
    private final int maxFailuresPerIp;
    private final long windowMillis;

    public Authenticator(AccountStore store, int cacheSize, int maxFailuresPerAccount, int maxFailuresPerIp, long windowMillis) {
        this.store = store;
        new SecureRandom().nextBytes(salt);
        this.verified = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> e) {
                return size() > cacheSize;
            }
        };
        this.maxFailuresPerAccount = maxFailuresPerAccount;
        this.maxFailuresPerIp = maxFailuresPerIp;
        this.windowMillis = windowMillis;
    }

    /**
     * The account a login name stands for, as the store reads it: {@code <a@example.test>},
     * {@code a@example.test.} and the Unicode form of a domain are one account, so they share one
     * failure counter and the session knows the user by the address its aliases point to.
     */
    public static String account(String username) {
        try {
            return EmailAddress.parse(username).toString();
        } catch (InvalidInputException e) {
            return username.trim().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Result login(String username, String password, String clientIp) {
        String account = account(username);
        if (throttled("ip:" + clientIp, maxFailuresPerIp) || throttled("user:" + account, maxFailuresPerAccount)) {
            return Result.THROTTLED;
        }
        Optional<User> user;
        try {
            user = store.user(account);
        } catch (InvalidInputException e) {
            user = Optional.empty();
        }
        String stored = user.filter(u -> !u.disabled()).map(u -> u.record().password()).orElse(null);
        boolean ok = false;
        if (stored != null) {
            String key = cacheKey(account, password);
            String cached;
            synchronized (verified) {
                cached = verified.get(key);
            }
            if (stored.equals(cached)) {
                ok = true;
            } else {
                bcrypt.acquireUninterruptibly();
                try {
                    ok = hasher.verify(password, stored);
                } finally {
                    bcrypt.release();
                }
                if (ok) {
                    synchronized (verified) {
                        verified.put(key, stored);
                    }
                }
            }
        } else {
            // unknown or disabled: the store checks against a dummy hash, so the refusal costs one
            // bcrypt too and its time does not tell which addresses exist
            bcrypt.acquireUninterruptibly();
            try {
                ok = store.verifyPassword(account, password);
            } finally {
                bcrypt.release();
            }
        }
        if (!ok) {
            fail("ip:" + clientIp);
            fail("user:" + account);
            return Result.BAD_CREDENTIALS;
        }
        return Result.OK;
    }

    private String cacheKey(String user, String password) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(salt);
            d.update(user.getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            d.update(password.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean throttled(String key, int max) {
        long now = System.currentTimeMillis();
        synchronized (failures) {
            Deque<Long> d = failures.get(key);
            if (d == null) {
                return false;
            }
            while (!d.isEmpty() && d.peekFirst() < now - windowMillis) {
                d.pollFirst();
            }
            return d.size() >= max;
        }
    }

    private void fail(String key) {
        long now = System.currentTimeMillis();
        synchronized (failures) {
            failures.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(now);
            if (failures.size() > 100_000) {
                var it = failures.keySet().iterator();
                it.next();
                it.remove();
            }
        }
    }
}
