package io.mailroom.testkit;

import java.util.function.Consumer;

/**
 * Starts a real Unbound serving only the test's zones, for one test class:
 * <pre>{@code
 * @RegisterExtension
 * static UnboundExtension dns = new UnboundExtension()
 *         .zone("example.test", z -> z.mx("example.test", 10, "mx.example.test")
 *                 .a("mx.example.test", "127.0.0.2")
 *                 .txt("example.test", "v=spf1 ip4:127.0.0.1 -all"));
 * }</pre>
 * Zones changed during the tests take effect at once (the server restarts in about 0.1 s).
 */
public class UnboundExtension extends ServerExtension<UnboundServer> {
    public UnboundExtension() {
        super(new UnboundServer());
    }

    /** See {@link UnboundServer#zone}. */
    public UnboundExtension zone(String name, Consumer<DnsZone> records) {
        server().zone(name, records);
        return this;
    }

    /** See {@link UnboundServer#replaceZone}. */
    public UnboundExtension replaceZone(String name, Consumer<DnsZone> records) {
        server().replaceZone(name, records);
        return this;
    }

    public UnboundExtension removeZone(String name) {
        server().removeZone(name);
        return this;
    }

    public int port() {
        return server().port();
    }

    public String host() {
        return server().host();
    }

    public java.net.InetSocketAddress address() {
        return server().address();
    }
}
