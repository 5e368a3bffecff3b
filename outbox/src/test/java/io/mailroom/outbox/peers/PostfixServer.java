package io.mailroom.outbox.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Postfix instance in a temporary directory ({@code postfix -c DIR start-fg}), listening on
 * one loopback address and port. As a remote MX it stores mail for its domains into a Maildir
 * (virtual delivery); as a relay it forwards everything to a next hop.
 */
public final class PostfixServer implements AutoCloseable {
    private final Path dir;
    private final Process process;
    public final String address;
    public final int port;

    private PostfixServer(Path dir, String address, int port, String mainCf, String service) {
        this.dir = dir;
        this.address = address;
        this.port = port;
        try {
            // postfix's own processes (user postfix, and nobody for delivery) must reach into the directory
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Path conf = dir.resolve("conf");
            Files.createDirectories(conf);
            Files.createDirectories(dir.resolve("queue"));
            Files.createDirectories(dir.resolve("data"));
            new ProcessBuilder("chown", "postfix", dir.resolve("data").toString()).start().waitFor();
            Files.writeString(conf.resolve("main.cf"), """
                    compatibility_level = 3.6
                    queue_directory = %s
                    data_directory = %s
                    mail_owner = postfix
                    setgid_group = postdrop
                    inet_interfaces = loopback-only
                    inet_protocols = ipv4
                    mydestination =
                    mynetworks = 127.0.0.0/8
                    maillog_file = /dev/stdout
                    smtputf8_enable = yes
                    """.formatted(dir.resolve("queue"), dir.resolve("data")) + mainCf);
            List<String> master = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/etc/postfix/master.cf"))) {
                master.add(line.startsWith("smtp      inet") ? address + ":" + port + " " + service : line);
            }
            Files.write(conf.resolve("master.cf"), master);
            process = new ProcessBuilder("postfix", "-c", conf.toString(), "start-fg").redirectErrorStream(true)
                    .redirectOutput(dir.resolve("postfix.log").toFile()).start();
            Instant end = Instant.now().plusSeconds(20);
            while (Instant.now().isBefore(end)) {
                try (Socket s = new Socket(address, port)) {
                    return;
                } catch (IOException e) {
                    Thread.sleep(100);
                }
            }
            throw new IllegalStateException("postfix did not start: " + Files.readString(dir.resolve("postfix.log")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An MX for {@code domains} delivering into {@link #maildir()}, with STARTTLS when cert/key are given. */
    public static PostfixServer mx(String address, int port, String hostname, String domains, Path cert, Path key)
            throws IOException {
        Path dir = Files.createTempDirectory("postfix-mx-");
        Path mail = dir.resolve("mail");
        Files.createDirectories(mail);
        Files.setPosixFilePermissions(mail, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        String tls = cert == null ? "" : """
                smtpd_tls_cert_file = %s
                smtpd_tls_key_file = %s
                smtpd_tls_security_level = may
                smtpd_tls_received_header = yes
                """.formatted(cert, key);
        return new PostfixServer(dir, address, port, """
                myhostname = %s
                smtpd_banner = $myhostname ESMTP
                virtual_mailbox_domains = %s
                virtual_mailbox_base = %s
                virtual_mailbox_maps = static:box/
                virtual_uid_maps = static:65534
                virtual_gid_maps = static:65534
                """.formatted(hostname, domains, mail) + tls,
                "inet  n       -       n       -       -       smtpd");
    }

    /**
     * A submission relay (the benchmark's baseline): accepts from loopback clients and relays
     * everything to {@code nextHop} ({@code [127.0.0.2]:2525}).
     */
    public static PostfixServer relay(String address, int port, String nextHop) throws IOException {
        Path dir = Files.createTempDirectory("postfix-relay-");
        return new PostfixServer(dir, address, port, """
                myhostname = relay.example.test
                relayhost = %s
                smtpd_relay_restrictions = permit_mynetworks, reject
                default_destination_concurrency_limit = 50
                smtp_connection_cache_on_demand = yes
                """.formatted(nextHop),
                "inet  n       -       n       -       -       smtpd");
    }

    public Path maildir() {
        return dir.resolve("mail").resolve("box");
    }

    /** Messages delivered to the Maildir (new/), as raw bytes. */
    public List<byte[]> messages() {
        Path n = maildir().resolve("new");
        if (!Files.isDirectory(n)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(n)) {
            List<byte[]> out = new ArrayList<>();
            for (Path p : files.sorted().toList()) {
                out.add(Files.readAllBytes(p));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<byte[]> await(int n, Duration timeout) throws InterruptedException {
        Instant end = Instant.now().plus(timeout);
        List<byte[]> m = messages();
        while (m.size() < n && Instant.now().isBefore(end)) {
            Thread.sleep(100);
            m = messages();
        }
        return m;
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("postfix.log"));
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        try {
            new ProcessBuilder("postfix", "-c", dir.resolve("conf").toString(), "stop").start().waitFor(20, TimeUnit.SECONDS);
        } catch (IOException e) {
            // fall through to destroy
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroy();
    }
}
