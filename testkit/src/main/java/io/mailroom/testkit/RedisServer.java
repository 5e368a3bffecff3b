package io.mailroom.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** A real redis-server on a free loopback port, without persistence. */
public class RedisServer extends ExternalServer {
    private final int port = FreePorts.next();

    public RedisServer() {
        super("redis");
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** The connection URI in the form the Quarkus Redis client takes. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    protected void configure(Path workDir) {}

    @Override
    protected List<String> command(Path workDir) {
        return List.of(binary(), "--port", String.valueOf(port), "--bind", "127.0.0.1", "--dir", workDir.toString(),
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes");
    }

    @Override
    protected boolean ready() {
        return "+PONG".equals(command("PING"));
    }

    @Override
    protected String binary() {
        return "redis-server";
    }

    @Override
    protected String debianPackage() {
        return "redis-server";
    }

    /** Sends one inline command and returns the first reply line; for readiness checks and test clean-up. */
    public String command(String inline) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\r') {
                sb.append((char) c);
            }
            return sb.toString();
        } catch (IOException e) {
            return "-ERR " + e.getMessage();
        }
    }

    /** Empties every database: tests that share one server start clean. */
    public void flushAll() {
        String reply = command("FLUSHALL");
        if (!"+OK".equals(reply)) {
            throw new IllegalStateException("FLUSHALL failed: " + reply);
        }
    }
}
