package io.mailroom.testkit;

import java.io.IOException;
import java.util.Map;

/**
 * Starts a real Rspamd for one test class, with its own Redis and Unbound unless given:
 * <pre>{@code
 * @RegisterExtension static UnboundExtension dns = new UnboundExtension().zone("example.test", z -> ...);
 * @RegisterExtension static RspamdExtension rspamd = new RspamdExtension(dns.server());
 * }</pre>
 */
public class RspamdExtension extends ServerExtension<RspamdServer> {
    public RspamdExtension() {
        super(new RspamdServer());
    }

    /** With its own Redis and the given Unbound, which serves the test's zones. */
    public RspamdExtension(UnboundServer dns) {
        this(null, dns);
    }

    /** With the given Redis and Unbound ({@code null}: a private one). */
    public RspamdExtension(RedisServer redis, UnboundServer dns) {
        super(new RspamdServer(redis, dns));
    }

    /** See {@link RspamdServer#localConfig}; call before the server starts. */
    public RspamdExtension localConfig(String file, String content) {
        server().localConfig(file, content);
        return this;
    }

    public int normalPort() {
        return server().normalPort();
    }

    public int controllerPort() {
        return server().controllerPort();
    }

    public RedisServer redis() {
        return server().redis();
    }

    /** See {@link RspamdServer#check}. */
    public RspamdServer.Result check(byte[] message, Map<String, String> headers) throws IOException, InterruptedException {
        return server().check(message, headers);
    }
}
