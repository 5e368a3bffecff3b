package io.mailroom.testkit;

/** Starts a real Redis for a test class: {@code @RegisterExtension static RedisExtension redis = new RedisExtension();} */
public class RedisExtension extends ServerExtension<RedisServer> {
    public RedisExtension() {
        super(new RedisServer());
    }

    public String uri() {
        return server().uri();
    }

    public int port() {
        return server().port();
    }
}
