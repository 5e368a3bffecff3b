package io.mailroom.mailauth.bench;

import io.mailroom.mailauth.dkim.DkimResult;
import io.mailroom.mailauth.dkim.DkimSigner;
import io.mailroom.mailauth.dkim.DkimVerifier;
import io.mailroom.mailauth.dkim.SigningKey;
import io.mailroom.mailauth.dns.MapDnsResolver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * DKIM verification of a typical 10 KB message signed with RSA-2048 or Ed25519, in
 * verifications/second. DNS answers come from memory, so this measures parsing,
 * canonicalization, hashing and the public-key operation. After each trial the same message is
 * verified by dkimpy (bench/dkim-baseline.py) as a baseline, printed in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class DkimBenchmark {
    @Param({"rsa-sha256", "ed25519-sha256"})
    public String algorithm;

    private byte[] message;
    private DkimVerifier verifier;
    private Path dir;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        SigningKey key = algorithm.equals("rsa-sha256") ? SigningKey.generateRsa(2048) : SigningKey.generateEd25519();
        message = new DkimSigner(new DkimSigner.Key("example.com", "bench", key)).sign(typicalMessage());
        Map<String, String> dns = Map.of("bench._domainkey.example.com", key.dnsRecord());
        verifier = new DkimVerifier(MapDnsResolver.fromJson(dns));
        List<DkimResult> check = verifier.verify(message);
        if (check.size() != 1 || !check.get(0).isPass()) throw new IllegalStateException("benchmark message does not verify: " + check);
        dir = Files.createDirectories(Path.of("mailauth/target/dkim-bench").toAbsolutePath());
        Files.write(dir.resolve(algorithm + ".eml"), message);
        Files.writeString(dir.resolve("dns.json"), "{\"bench._domainkey.example.com\": \"" + key.dnsRecord() + "\"}");
    }

    @Benchmark
    public List<DkimResult> verify() {
        return verifier.verify(message);
    }

    @TearDown(Level.Trial)
    public void baseline() throws Exception {
        Path script = Path.of("bench/dkim-baseline.py");
        if (!Files.exists(script)) {
            System.out.println("(dkimpy baseline skipped: run from the repository root, as bench/mailauth.sh does)");
            return;
        }
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), dir.toString(), algorithm, "5").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        System.out.println();
        System.out.print(out);
    }

    /** About 10 KB: a dozen usual header fields and a plain-text body. */
    static byte[] typicalMessage() {
        StringBuilder b = new StringBuilder();
        b.append("Received: from client.example.net (client.example.net [127.0.0.2])\r\n\tby mx.example.com with ESMTPS id 4Q2x; Mon, 3 Mar 2025 10:00:00 +0000\r\n");
        b.append("From: Alice Example <alice@example.com>\r\nTo: Bob <bob@example.org>\r\nCc: carol@example.org, dave@example.org\r\n");
        b.append("Subject: Minutes of the planning meeting\r\nDate: Mon, 3 Mar 2025 10:00:00 +0000\r\nMessage-ID: <bench-1@example.com>\r\n");
        b.append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
        String line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor  incididunt.\r\n";
        while (b.length() < 10 * 1024) b.append(line);
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }
}
