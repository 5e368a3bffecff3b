package io.mailroom.mailauth.bench;

import io.mailroom.mailauth.dns.DnsjavaResolver;
import io.mailroom.mailauth.dns.IpLiterals;
import io.mailroom.testkit.UnboundServer;
import io.mailroom.mailauth.dns.MapDnsResolver;
import io.mailroom.mailauth.spf.SpfEvaluator;
import io.mailroom.mailauth.spf.SpfResult;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * SPF evaluations per second of a realistic policy ({@code include}, {@code ip4}, {@code mx},
 * {@code a}; the client matches the last mechanism, so every term is evaluated: 6 DNS answers
 * per check) served by a real Unbound on loopback:
 * <ul>
 * <li>{@code warmCache}: DnsjavaResolver with its cache warm (the steady state of a busy Inbox)</li>
 * <li>{@code noCache}: DnsjavaResolver without cache, every query a UDP round trip to Unbound</li>
 * <li>{@code inMemory}: the same data from MapDnsResolver (evaluation cost alone)</li>
 * </ul>
 * The trial setup also runs pyspf (Debian python3-spf) on the same policy and the same Unbound as
 * a baseline, when /usr/bin/python3 has the spf module.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class SpfBenchmark {
    private static final InetAddress CLIENT = IpLiterals.parse("127.0.0.30");
    private static final String SENDER = "user@bench.test";
    private static final String HELO = "mail.client.test";

    private UnboundServer unbound;
    private SpfEvaluator warm;
    private SpfEvaluator uncached;
    private SpfEvaluator inMemory;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws Exception {
        unbound = new UnboundServer();
        unbound.zone("bench.test", z -> z.ttl(3600)
                .txt("bench.test", "v=spf1 include:_spf.provider.test ip4:192.0.2.0/24 mx a -all")
                .mx("bench.test", 10, "mx1.bench.test").mx("bench.test", 20, "mx2.bench.test")
                .a("mx1.bench.test", "127.0.0.21").a("mx2.bench.test", "127.0.0.22").a("bench.test", "127.0.0.30"));
        unbound.zone("provider.test", z -> z.ttl(3600)
                .txt("_spf.provider.test", "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8::/32 ~all"));
        unbound.start();
        warm = new SpfEvaluator(DnsjavaResolver.builder().server("127.0.0.1", unbound.port()).build());
        uncached = new SpfEvaluator(DnsjavaResolver.builder().server("127.0.0.1", unbound.port()).cacheSize(0).build());
        inMemory = new SpfEvaluator(MapDnsResolver.builder()
                .txt("bench.test", "v=spf1 include:_spf.provider.test ip4:192.0.2.0/24 mx a -all")
                .txt("_spf.provider.test", "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8::/32 ~all")
                .mx("bench.test", 10, "mx1.bench.test").mx("bench.test", 20, "mx2.bench.test")
                .a("mx1.bench.test", "127.0.0.21").a("mx2.bench.test", "127.0.0.22").a("bench.test", "127.0.0.30").build());
        for (SpfEvaluator e : List.of(warm, uncached, inMemory)) {
            SpfResult r = e.checkMailFrom(CLIENT, SENDER, HELO);
            if (r.result() != SpfResult.Result.PASS) {
                throw new IllegalStateException("benchmark policy does not evaluate to pass: " + r);
            }
        }
        if (params.getBenchmark().endsWith(".warmCache")) {
            runPyspfBaseline(); // once per run, not once per benchmark fork
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        unbound.stop();
    }

    @Benchmark
    public SpfResult warmCache() {
        return warm.checkMailFrom(CLIENT, SENDER, HELO);
    }

    @Benchmark
    public SpfResult noCache() {
        return uncached.checkMailFrom(CLIENT, SENDER, HELO);
    }

    @Benchmark
    public SpfResult inMemory() {
        return inMemory.checkMailFrom(CLIENT, SENDER, HELO);
    }

    private void runPyspfBaseline() throws IOException, InterruptedException {
        Path python = Path.of("/usr/bin/python3");
        if (!Files.isExecutable(python)) {
            System.out.println("pyspf baseline skipped: /usr/bin/python3 missing");
            return;
        }
        Path script = Files.createTempFile("pyspf_bench", ".py");
        try (InputStream in = SpfBenchmark.class.getResourceAsStream("/bench/pyspf_bench.py")) {
            Files.write(script, in.readAllBytes());
        }
        Process p = new ProcessBuilder(python.toString(), script.toString(), String.valueOf(unbound.port()), "3")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        System.out.println("---- baseline (same machine, same Unbound, same policy) ----");
        System.out.print(out.contains("No module named") ? "pyspf baseline skipped: apt-get install python3-spf\n" : out);
        Files.deleteIfExists(script);
    }
}
