package io.mailroom.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisServerIT {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    @Test
    void answersPingOnItsLoopbackPort() {
        assertThat(redis.server().command("PING")).isEqualTo("+PONG");
        assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
    }

    @Test
    void flushAllEmptiesTheStore() {
        RedisServer server = redis.server();
        assertThat(server.command("SET mailroom:test 1")).isEqualTo("+OK");
        assertThat(server.command("DBSIZE")).isEqualTo(":1");
        server.flushAll();
        assertThat(server.command("DBSIZE")).isEqualTo(":0");
        assertThat(server.command("EXISTS mailroom:test")).isEqualTo(":0");
    }

    @Test
    void stopsAndStartsAgainOnTheSamePort() {
        RedisServer server = new RedisServer();
        try {
            server.start();
            assertThat(server.command("PING")).isEqualTo("+PONG");
            server.stop();
            assertThat(server.isRunning()).isFalse();
            assertThat(server.command("PING")).startsWith("-ERR");
            server.start();
            assertThat(server.command("PING")).isEqualTo("+PONG");
        } finally {
            server.stop();
        }
    }
}
