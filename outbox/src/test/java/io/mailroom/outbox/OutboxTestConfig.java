package io.mailroom.outbox;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.eclipse.microprofile.config.Config;

/** Settings for an in-process Outbox in tests. */
final class OutboxTestConfig {
    private OutboxTestConfig() {}

    static OutboxSettings settings(Map<String, String> props) {
        Config c = new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(props, "test", 500)).build();
        return OutboxSettings.from(c);
    }
}
