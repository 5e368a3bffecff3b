package io.mailroom.operator.mailroom;

import java.net.InetAddress;
import java.util.Optional;

/**
 * The cluster IPs of the Services that bundled servers must be given as numbers: Dovecot 2.3's Redis
 * dict accepts only an IP address ({@code Invalid IP}), and Rspamd's resolver takes only numeric
 * {@code nameserver}s and resolves its Redis {@code servers} through that resolver (our Unbound, which
 * knows no cluster names). A Service's cluster IP is stable for its lifetime, so writing it into the
 * configuration is safe; it changes only when the Service is re-created, which rolls the pods.
 *
 * @param redis   the installation's Redis Service, or empty while the API server has not assigned one
 * @param unbound the installation's Unbound Service, likewise
 */
public record ServiceAddresses(Optional<String> redis, Optional<String> unbound) {
    public static final ServiceAddresses NONE = new ServiceAddresses(Optional.empty(), Optional.empty());

    public static ServiceAddresses of(String redis, String unbound) {
        return new ServiceAddresses(numeric(redis), numeric(unbound));
    }

    /** Whether the configuration of {@code c} can be written with these addresses. */
    public boolean sufficeFor(Component c) {
        return switch (c) {
            case DOVECOT -> redis.isPresent();
            case RSPAMD -> redis.isPresent() && unbound.isPresent();
            default -> true;
        };
    }

    public String redisAddress() {
        return redis.orElseThrow(() -> new IllegalStateException("the Redis Service has no cluster IP yet"));
    }

    public String unboundAddress() {
        return unbound.orElseThrow(() -> new IllegalStateException("the Unbound Service has no cluster IP yet"));
    }

    /**
     * A cluster IP as the API server reports it; "None" (headless) and blanks are no address. Only
     * literals reach getByName (checked first), so it never looks a name up.
     */
    private static Optional<String> numeric(String ip) {
        if (ip == null || ip.isBlank() || "None".equals(ip) || !ip.matches("[0-9a-fA-F:.]+")) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(ip).getHostAddress());
        } catch (java.net.UnknownHostException e) {
            return Optional.empty();
        }
    }
}
