package io.mailroom.outbox.delivery;

import java.net.InetAddress;
import java.util.List;

/** A host to try for a domain, in MX preference order, with its addresses and port. */
public record Route(String host, List<InetAddress> addresses, int port, boolean fromMx) {}
