package io.mailroom.operator;

import io.mailroom.testkit.DovecotServer;
import io.mailroom.testkit.RedisServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Real Redis and Dovecot for the operator running inside Quarkus: the operator reaches the
 * installation's store through {@code mailroom.operator.redis-uri-override}; the test reads the
 * IMAP port from a system property.
 */
public class MailServersResource implements QuarkusTestResourceLifecycleManager {
    public static final String IMAP_PORT = "mailroom.test.imap-port";
    public static final String REDIS_URI = "mailroom.test.redis-uri";

    private RedisServer redis;
    private DovecotServer dovecot;

    @Override
    public Map<String, String> start() {
        redis = new RedisServer();
        redis.start();
        dovecot = new DovecotServer(redis);
        dovecot.start();
        System.setProperty(IMAP_PORT, String.valueOf(dovecot.imapPort()));
        System.setProperty(REDIS_URI, redis.uri());
        return Map.of("mailroom.operator.redis-uri-override", redis.uri(),
                "mailroom.operator.mail-root", dovecot.mailRoot().toString());
    }

    @Override
    public void stop() {
        if (dovecot != null) {
            dovecot.stop();
        }
        if (redis != null) {
            redis.stop();
        }
    }
}
