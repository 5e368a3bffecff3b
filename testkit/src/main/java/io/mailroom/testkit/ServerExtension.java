package io.mailroom.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * JUnit 5 extension around an {@link ExternalServer}: starts it before the test class,
 * stops it after, and appends the server's log to any test failure. Register it as a
 * static field: {@code @RegisterExtension static RedisExtension redis = new RedisExtension();}
 */
public class ServerExtension<S extends ExternalServer> implements BeforeAllCallback, AfterAllCallback,
        TestExecutionExceptionHandler {
    private final S server;

    public ServerExtension(S server) {
        this.server = server;
    }

    public S server() {
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.stop();
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throwable.addSuppressed(new ServerLog(server.logTail(60)));
        throw throwable;
    }

    /** Carries a server log into a test failure report. */
    static final class ServerLog extends RuntimeException {
        ServerLog(String log) {
            super("server log:\n" + log, null, false, false);
        }
    }
}
