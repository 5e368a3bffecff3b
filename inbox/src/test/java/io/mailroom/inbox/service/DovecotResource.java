package io.mailroom.inbox.service;

import io.mailroom.testkit.DovecotServer;
import io.mailroom.testkit.FreePorts;
import io.mailroom.testkit.RedisServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Starts the testkit's Redis and Dovecot for {@code @QuarkusTest}s and points the Inbox at them. */
public class DovecotResource implements QuarkusTestResourceLifecycleManager {
    static RedisServer redis;
    static DovecotServer dovecot;
    static int smtpPort;

    @Override
    public Map<String, String> start() {
        redis = new RedisServer();
        redis.start();
        dovecot = new DovecotServer(redis);
        dovecot.start();
        smtpPort = FreePorts.next();
        return Map.ofEntries(
                Map.entry("mailroom.redis.uri", redis.uri()),
                Map.entry("mailroom.mail-root", dovecot.mailRoot().toString()),
                Map.entry("mailroom.lmtp.port", String.valueOf(dovecot.lmtpPort())),
                Map.entry("mailroom.inbox.port", String.valueOf(smtpPort)),
                Map.entry("mailroom.hostname", "mx.example.test"),
                Map.entry("mailroom.tls.cert", "/nonexistent"),
                Map.entry("mailroom.tls.key", "/nonexistent"),
                Map.entry("mailroom.inbox.spf", "off"),
                Map.entry("mailroom.inbox.dkim", "off"),
                Map.entry("mailroom.inbox.arc", "off"),
                Map.entry("mailroom.inbox.dmarc", "off"),
                Map.entry("mailroom.inbox.rspamd", "off"));
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
