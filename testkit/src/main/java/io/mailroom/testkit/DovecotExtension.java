package io.mailroom.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Starts a real Redis and a real Dovecot that authenticates from it, for one test class:
 * {@code @RegisterExtension static DovecotExtension mail = new DovecotExtension();}
 */
public class DovecotExtension implements BeforeAllCallback, AfterAllCallback, TestExecutionExceptionHandler {
    private final ServerExtension<RedisServer> redis;
    private final ServerExtension<DovecotServer> dovecot;

    public DovecotExtension() {
        this(false);
    }

    public DovecotExtension(boolean imaps) {
        RedisServer r = new RedisServer();
        this.redis = new ServerExtension<>(r);
        this.dovecot = new ServerExtension<>(new DovecotServer(r, imaps));
    }

    public RedisServer redis() {
        return redis.server();
    }

    public DovecotServer dovecot() {
        return dovecot.server();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        redis.beforeAll(context);
        dovecot.beforeAll(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            dovecot.afterAll(context);
        } finally {
            redis.afterAll(context);
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throwable.addSuppressed(new ServerExtension.ServerLog(dovecot().logTail(60) + redis().logTail(20)));
        throw throwable;
    }
}
