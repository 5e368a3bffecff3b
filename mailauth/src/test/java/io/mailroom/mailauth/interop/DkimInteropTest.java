package io.mailroom.mailauth.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.mailauth.arc.ArcSealer;
import io.mailroom.mailauth.arc.ArcVerifier;
import io.mailroom.mailauth.authresults.AuthenticationResults;
import io.mailroom.mailauth.dkim.DkimResult;
import io.mailroom.mailauth.dkim.DkimSigner;
import io.mailroom.mailauth.dkim.DkimVerifier;
import io.mailroom.mailauth.dkim.SigningKey;
import io.mailroom.mailauth.message.HeaderField;
import io.mailroom.mailauth.message.Message;
import io.mailroom.mailauth.dns.MapDnsResolver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interoperability with the reference implementations from Debian's packages, offline (keys in
 * files, DNS from a dict; OpenDKIM gets a fake DNS server inside its own network namespace):
 * dkimpy (python3-dkim), Mail::DKIM (libmail-dkim-perl) and OpenDKIM (opendkim-tools).
 */
class DkimInteropTest {
    static final String DOMAIN = "example.com";
    static final String MESSAGE = """
            Received: from client.example.com (client.example.com [127.0.0.2])
            \tby mx.example.com with ESMTP; Mon, 3 Mar 2025 10:00:00 +0000
            From: Alice Example <alice@example.com>
            To: Bob <bob@example.org>, carol@example.org
            Cc: dave@example.org
            Subject: Quarterly figures,
             folded over two lines
            Date: Mon, 3 Mar 2025 10:00:00 +0000
            Message-ID: <interop-1@example.com>
            MIME-Version: 1.0
            Content-Type: text/plain; charset=utf-8

            Hello Bob,\t 
            here are the  figures.

            -- 
            Alice


            """.replace("\n", "\r\n");

    @TempDir
    static Path dir;
    static PeerTools peers;
    static SigningKey rsa;
    static SigningKey ed;
    static Path rsaPem;
    static Path edSeed;
    static Map<String, String> records;
    static Path dnsJson;
    static MapDnsResolver dns;
    static final Map<String, String> matrix = new TreeMap<>();

    @BeforeAll
    static void keys() {
        peers = new PeerTools(dir);
        rsa = SigningKey.generateRsa(2048);
        ed = SigningKey.generateEd25519();
        rsaPem = peers.file("rsa.pem", rsa.toPem());
        edSeed = peers.file("ed.key", ed.ed25519Seed());
        records = Map.of("rsa._domainkey." + DOMAIN, rsa.dnsRecord(), "ed._domainkey." + DOMAIN, ed.dnsRecord());
        dnsJson = peers.dns("dns.json", records);
        dns = MapDnsResolver.fromJson(records);
    }

    @AfterAll
    static void report() {
        System.out.println("DKIM/ARC interop matrix:");
        matrix.forEach((k, v) -> System.out.println("  " + k + ": " + v));
    }

    static byte[] tamperBody(byte[] signed) {
        return new String(signed, StandardCharsets.ISO_8859_1).replace("here are the  figures", "here are the new figures").getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] tamperHeader(byte[] signed) {
        return new String(signed, StandardCharsets.ISO_8859_1).replace("Subject: Quarterly figures", "Subject: Quarterly FIGURES").getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] lf(byte[] crlf) {
        return new String(crlf, StandardCharsets.ISO_8859_1).replace("\r\n", "\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private List<String> ours(byte[] message) {
        return new DkimVerifier(dns).verify(message).stream().map(r -> r.status().value()).toList();
    }

    private void note(String row, Object value) {
        matrix.put(row, String.valueOf(value));
    }

    // ---- peers sign, we verify ----

    @Test
    void dkimpySignsWeVerify() {
        Path msg = peers.file("plain.eml", MESSAGE);
        for (String[] alg : new String[][] {{"rsa-sha256", rsaPem.toString(), "rsa"}, {"ed25519-sha256", edSeed.toString(), "ed"}}) {
            PeerTools.Run signed = peers.python("sign", msg.toString(), alg[1], alg[2], DOMAIN, alg[0]);
            assertThat(signed.exit()).as(signed.err()).isZero();
            byte[] bytes = signed.out().getBytes(StandardCharsets.ISO_8859_1);
            List<DkimResult> results = new DkimVerifier(dns).verify(bytes);
            assertThat(results).singleElement().satisfies(r -> {
                assertThat(r.status()).as(r.reason()).isEqualTo(DkimResult.Status.PASS);
                assertThat(r.algorithm()).isEqualTo(alg[0]);
            });
            assertThat(ours(tamperBody(bytes))).containsExactly("fail");
            assertThat(ours(tamperHeader(bytes))).containsExactly("fail");
            note("dkimpy " + alg[0] + " -> us", "pass; tampered body/header: fail/fail");
        }
    }

    @Test
    void mailDkimSignsWeVerify() {
        Path msg = peers.file("plain-md.eml", MESSAGE);
        PeerTools.Run signed = peers.perl("sign", msg.toString(), rsaPem.toString(), "rsa", DOMAIN);
        assertThat(signed.exit()).as(signed.err()).isZero();
        byte[] bytes = signed.out().getBytes(StandardCharsets.ISO_8859_1);
        assertThat(ours(bytes)).containsExactly("pass");
        assertThat(ours(tamperBody(bytes))).containsExactly("fail");
        assertThat(ours(tamperHeader(bytes))).containsExactly("fail");
        note("Mail::DKIM rsa-sha256 -> us", "pass; tampered body/header: fail/fail");
    }

    @Test
    void openDkimLibrarySignsWeVerify() {
        Path msg = peers.file("plain-odlib.eml", MESSAGE);
        Path edPem = peers.file("ed.pem", ed.toPem());
        for (String[] alg : new String[][] {{"rsa-sha256", rsaPem.toString(), "rsa"}, {"ed25519-sha256", edPem.toString(), "ed"}}) {
            PeerTools.Run signed = peers.opendkimLibSign(msg, Path.of(alg[1]), alg[2], DOMAIN, alg[0]);
            assertThat(signed.exit()).as(signed.err()).isZero();
            byte[] bytes = signed.out().getBytes(StandardCharsets.ISO_8859_1);
            List<DkimResult> results = new DkimVerifier(dns).verify(bytes);
            assertThat(results).singleElement().satisfies(r -> {
                assertThat(r.status()).as(r.reason()).isEqualTo(DkimResult.Status.PASS);
                assertThat(r.algorithm()).isEqualTo(alg[0]);
            });
            assertThat(ours(tamperBody(bytes))).containsExactly("fail");
            assertThat(ours(tamperHeader(bytes))).containsExactly("fail");
            note("OpenDKIM (libopendkim) " + alg[0] + " -> us", "pass; tampered body/header: fail/fail");
        }
    }

    @Test
    void openDkimSignsWithRsaSha1WhichWeRefuse() {
        // opendkim-testmsg signs with rsa-sha1 only (libopendkim's default, no option to change it):
        // RFC 8301 forbids accepting it, while dkimpy (which still accepts sha1) confirms the signature is sound.
        Path msg = peers.file("plain-od.eml", lf(MESSAGE.getBytes(StandardCharsets.ISO_8859_1)));
        PeerTools.Run signed = peers.opendkimSign(msg, rsaPem, "rsa", DOMAIN);
        assertThat(signed.exit()).as(signed.err()).isZero();
        byte[] bytes = signed.out().getBytes(StandardCharsets.ISO_8859_1);
        Path signedFile = peers.file("signed-od.eml", bytes);
        assertThat(peers.python("verify", signedFile.toString(), dnsJson.toString()).lines()).containsExactly("pass");
        List<DkimResult> results = new DkimVerifier(dns).verify(bytes);
        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.algorithm()).isEqualTo("rsa-sha1");
            assertThat(r.status()).isEqualTo(DkimResult.Status.PERMERROR);
            assertThat(r.reason()).contains("RFC 8301");
        });
        note("OpenDKIM (opendkim-testmsg, rsa-sha1) -> us", "permerror (RFC 8301), dkimpy: pass");
    }

    // ---- we sign, peers verify ----

    @Test
    void weSignPeersVerify() throws Exception {
        byte[] signed = new DkimSigner(new DkimSigner.Key(DOMAIN, "rsa", rsa), new DkimSigner.Key(DOMAIN, "ed", ed))
                .sign(MESSAGE.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(ours(signed)).containsExactly("pass", "pass");
        Path good = peers.file("ours.eml", signed);
        Path badBody = peers.file("ours-body.eml", tamperBody(signed));
        Path badHeader = peers.file("ours-header.eml", tamperHeader(signed));

        // dkimpy checks both signatures (RSA then Ed25519)
        assertThat(peers.python("verify", good.toString(), dnsJson.toString(), badBody.toString(), badHeader.toString()).lines())
                .containsExactly("pass pass", "fail fail", "fail fail");
        note("us rsa-sha256 + ed25519-sha256 -> dkimpy", "pass, pass; tampered body/header: fail/fail");

        // Mail::DKIM here has no Ed25519 support: the RSA signature must pass
        List<String> md = peers.perl("verify", good.toString(), dnsJson.toString()).lines();
        assertThat(md).hasSize(2);
        assertThat(md.get(0)).isEqualTo("pass");
        assertThat(peers.perl("verify", badBody.toString(), dnsJson.toString()).lines().get(0)).isEqualTo("fail");
        assertThat(peers.perl("verify", badHeader.toString(), dnsJson.toString()).lines().get(0)).isEqualTo("fail");
        note("us rsa-sha256 -> Mail::DKIM", "pass; tampered body/header: fail/fail (ed25519 signature: " + md.get(1) + ", unsupported there)");

        // OpenDKIM verifies every signature; each key alone proves each algorithm
        for (String[] one : new String[][] {{"rsa", "rsa-sha256"}, {"ed", "ed25519-sha256"}}) {
            SigningKey k = one[0].equals("rsa") ? rsa : ed;
            byte[] single = new DkimSigner(new DkimSigner.Key(DOMAIN, one[0], k)).sign(MESSAGE.getBytes(StandardCharsets.ISO_8859_1));
            PeerTools.Run ok = peers.opendkimVerify(peers.file("od-" + one[0] + ".eml", lf(single)), dnsJson);
            assertThat(ok.exit()).as(ok.err()).isZero();
            PeerTools.Run bad = peers.opendkimVerify(peers.file("od-" + one[0] + "-bad.eml", lf(tamperBody(single))), dnsJson);
            assertThat(bad.exit()).isNotZero();
            PeerTools.Run badH = peers.opendkimVerify(peers.file("od-" + one[0] + "-badh.eml", lf(tamperHeader(single))), dnsJson);
            assertThat(badH.exit()).isNotZero();
            PeerTools.Run noKey = peers.opendkimVerify(peers.file("od-" + one[0] + "-nokey.eml", lf(single)), peers.dns("empty.json", Map.of()));
            assertThat(noKey.exit()).as("no key published must not verify").isNotZero();
            note("us " + one[1] + " -> OpenDKIM", "pass; tampered body/header: fail/fail (" + bad.err().strip() + ")");
        }
    }

    // ---- ARC ----

    @Test
    void dkimpySealsWeValidateAndExtend() throws Exception {
        String withAr = "Authentication-Results: lists.example.net; spf=pass smtp.mailfrom=alice@example.com;\r\n dkim=pass header.d=example.com\r\n" + MESSAGE;
        Path msg = peers.file("arc-in.eml", withAr);
        PeerTools.Run sealed = peers.python("arc-sign", msg.toString(), rsaPem.toString(), "rsa", DOMAIN, "lists.example.net");
        assertThat(sealed.exit()).as(sealed.err()).isZero();
        byte[] bytes = sealed.out().getBytes(StandardCharsets.ISO_8859_1);
        ArcVerifier.Result r = new ArcVerifier(dns).verify(bytes);
        assertThat(r.status()).as(r.toString()).isEqualTo(ArcVerifier.Status.PASS);
        assertThat(new ArcVerifier(dns).verify(tamperBody(bytes)).status()).isEqualTo(ArcVerifier.Status.FAIL);
        assertThat(new ArcVerifier(dns).verify(tamperHeader(bytes)).status()).isEqualTo(ArcVerifier.Status.FAIL);
        note("dkimpy arc_sign (i=1) -> us", "pass; tampered body/header: fail/fail");

        // we add i=2 on top of dkimpy's i=1, as a forwarding Inbox would
        Message m = Message.parse(bytes);
        HeaderField ar = AuthenticationResults.builder("mx.mailroom.test").arc(r, "127.0.0.2").header();
        Message withOurAr = m.prepend(List.of(ar));
        List<HeaderField> set = new ArcSealer(DOMAIN, "rsa", rsa).seal(withOurAr, "mx.mailroom.test", r.status());
        assertThat(set).hasSize(3);
        byte[] twice = withOurAr.prepend(set).toBytes();
        assertThat(new ArcVerifier(dns).verify(twice).status()).isEqualTo(ArcVerifier.Status.PASS);
        checkPeersValidate("i=2 on dkimpy's i=1", twice);
    }

    @Test
    void mailDkimSealsWeValidate() {
        String withAr = "Authentication-Results: lists.example.net; spf=pass smtp.mailfrom=alice@example.com; arc=none\r\n" + MESSAGE;
        PeerTools.Run sealed = peers.perl("arc-sign", peers.file("arc-md.eml", withAr).toString(), rsaPem.toString(), "rsa", DOMAIN, "lists.example.net");
        assertThat(sealed.exit()).as(sealed.err()).isZero();
        byte[] bytes = sealed.out().getBytes(StandardCharsets.ISO_8859_1);
        ArcVerifier.Result r = new ArcVerifier(dns).verify(bytes);
        assertThat(r.status()).as(r.toString()).isEqualTo(ArcVerifier.Status.PASS);
        assertThat(new ArcVerifier(dns).verify(tamperBody(bytes)).status()).isEqualTo(ArcVerifier.Status.FAIL);
        assertThat(new ArcVerifier(dns).verify(tamperHeader(bytes)).status()).isEqualTo(ArcVerifier.Status.FAIL);
        note("Mail::DKIM::ARC::Signer (i=1) -> us", "pass; tampered body/header: fail/fail");
    }

    @Test
    void weSealPeersValidate() throws Exception {
        String withAr = "Authentication-Results: mx.mailroom.test; spf=pass smtp.mailfrom=alice@example.com;\r\n dkim=pass header.d=example.com; arc=none\r\n" + MESSAGE;
        Message m = Message.parse(withAr.getBytes(StandardCharsets.ISO_8859_1));
        List<HeaderField> set = new ArcSealer(DOMAIN, "rsa", rsa).seal(m, "mx.mailroom.test");
        byte[] sealed = m.prepend(set).toBytes();
        assertThat(new ArcVerifier(dns).verify(sealed).status()).isEqualTo(ArcVerifier.Status.PASS);
        checkPeersValidate("i=1", sealed);
    }

    private void checkPeersValidate(String label, byte[] sealed) {
        Path good = peers.file("sealed.eml", sealed);
        Path bad = peers.file("sealed-bad.eml", tamperBody(sealed));
        Path badH = peers.file("sealed-badh.eml", tamperHeader(sealed));
        assertThat(peers.python("arc-verify", good.toString(), dnsJson.toString(), bad.toString(), badH.toString()).lines())
                .containsExactly("pass", "fail", "fail");
        note("us ARC seal " + label + " -> dkimpy arc_verify", "pass; tampered body/header: fail/fail");
        assertThat(peers.perl("arc-verify", good.toString(), dnsJson.toString()).lines()).containsExactly("pass");
        assertThat(peers.perl("arc-verify", bad.toString(), dnsJson.toString()).lines()).containsExactly("fail");
        assertThat(peers.perl("arc-verify", badH.toString(), dnsJson.toString()).lines()).containsExactly("fail");
        note("us ARC seal " + label + " -> Mail::DKIM::ARC::Verifier", "pass; tampered body/header: fail/fail");
    }
}
