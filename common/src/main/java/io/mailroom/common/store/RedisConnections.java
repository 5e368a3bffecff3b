package io.mailroom.common.store;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.runtime.datasource.BlockingRedisDataSourceImpl;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.time.Duration;

/**
 * A blocking {@link RedisDataSource} outside of a Quarkus application (plain JUnit tests,
 * command-line tools). Quarkus services inject theirs instead.
 */
public final class RedisConnections implements AutoCloseable {
    private final Vertx vertx;
    private final Redis redis;
    private final RedisDataSource dataSource;

    private RedisConnections(String uri, Duration timeout) {
        this.vertx = Vertx.vertx();
        this.redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(uri).setMaxPoolSize(8)
                .setMaxPoolWaiting(64));
        this.dataSource = new BlockingRedisDataSourceImpl(vertx, redis, RedisAPI.api(redis), timeout);
    }

    /** Connects to {@code redis://host:port}; call {@link #close()} when done. */
    public static RedisConnections open(String uri) {
        return new RedisConnections(uri, Duration.ofSeconds(10));
    }

    public RedisDataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        redis.close();
        vertx.closeAndAwait();
    }
}
