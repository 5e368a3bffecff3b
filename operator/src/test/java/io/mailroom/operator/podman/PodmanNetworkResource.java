package io.mailroom.operator.podman;

import io.mailroom.operator.Examples;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import java.util.Set;

/**
 * The test's own podman network (internal: no route off this machine; the host reaches the pods as a
 * node does) and the operator pointed at the Redis the network will run: the operator in the test JVM
 * stands where the in-cluster operator would reach {@code mailroom-redis.mail.svc}.
 */
public class PodmanNetworkResource implements QuarkusTestResourceLifecycleManager {
    public static final String NETWORK = "mailroom.test.podman-network";
    public static final String PREFIX = "mailroom.test.podman-prefix";
    /** Host octet of the Redis Service's cluster IP. */
    public static final int REDIS_HOST = 200;

    private Podman podman;
    private String network;

    public static Podman podman() {
        return new Podman(Examples.root().resolve("images/containers.conf"));
    }

    /**
     * A /24 of 198.18.0.0/15 (RFC 2544, for tests) that no podman network uses. Not RFC 1918: Rspamd's
     * {@code local_addrs} skips its checks for private addresses, and the test's client must look external.
     */
    public static String freePrefix(Podman podman) {
        Set<String> used = podman.usedPrefixes();
        for (int i = 0; i < 256; i++) {
            if (!used.contains("198.18." + i)) {
                return "198.18." + i;
            }
        }
        throw new IllegalStateException("no free 198.18.x.0/24 for the test network");
    }

    @Override
    public Map<String, String> start() {
        podman = podman();
        String prefix = freePrefix(podman);
        network = "mailroom-harness-" + ProcessHandle.current().pid();
        podman.check("network", "create", "--internal", "--subnet", prefix + ".0/24", "--label",
                "io.mailroom.harness=true", network);
        System.setProperty(NETWORK, network);
        System.setProperty(PREFIX, prefix);
        return Map.of("mailroom.operator.redis-uri-override", "redis://" + prefix + "." + REDIS_HOST + ":6379");
    }

    @Override
    public void stop() {
        if (network != null) {
            // -f: also whatever container a failed test left on it
            podman.exec("network", "rm", "-f", network);
        }
    }
}
