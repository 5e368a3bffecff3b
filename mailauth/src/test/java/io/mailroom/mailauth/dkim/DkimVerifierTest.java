package io.mailroom.mailauth.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailroom.mailauth.dkim.DkimResult.Status;
import io.mailroom.mailauth.message.HeaderField;
import io.mailroom.mailauth.message.Message;
import io.mailroom.mailauth.dns.MapDnsResolver;
import io.mailroom.mailauth.vectors.Vectors;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** DKIM signing and verification rules of RFC 6376 / 8301 / 8463 beyond the public vectors. */
class DkimVerifierTest {
    static final String MSG = "From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: hi\r\nDate: Mon, 3 Mar 2025 10:00:00 +0000\r\n"
            + "Message-ID: <t1@example.com>\r\n\r\nHello\r\n";
    static final Instant NOW = Instant.parse("2025-03-03T10:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static SigningKey rsa;
    static SigningKey ed;

    @BeforeAll
    static void keys() {
        rsa = SigningKey.fromPem(Vectors.text("dkim/dkimpy/2048_testkey.key"));
        ed = SigningKey.generateEd25519();
    }

    static Map<String, Object> records(String rsaRecord) {
        Map<String, Object> m = new HashMap<>();
        m.put("rsa._domainkey.example.com", rsaRecord);
        m.put("ed._domainkey.example.com", ed.dnsRecord());
        return m;
    }

    static MapDnsResolver dns() {
        return MapDnsResolver.fromJson(records(rsa.dnsRecord()));
    }

    static DkimVerifier verifier(MapDnsResolver dns) {
        return new DkimVerifier(dns, CLOCK, Duration.ofMinutes(5));
    }

    static DkimSigner signer(SigningKey k, String sel) {
        return new DkimSigner(new DkimSigner.Key("example.com", sel, k)).clock(CLOCK);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String str(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void dualSignatureGivesOneResultPerSignatureWithIdentifiers() throws Exception {
        byte[] signed = new DkimSigner(new DkimSigner.Key("example.com", "rsa", rsa), new DkimSigner.Key("example.com", "ed", ed)).clock(CLOCK).sign(bytes(MSG));
        List<DkimResult> r = verifier(dns()).verify(signed);
        assertThat(r).hasSize(2).allMatch(DkimResult::isPass);
        assertThat(r.get(0).algorithm()).isEqualTo("rsa-sha256");
        assertThat(r.get(0).keyBits()).isEqualTo(2048);
        assertThat(r.get(1).algorithm()).isEqualTo("ed25519-sha256");
        assertThat(r.get(0).domain()).isEqualTo("example.com");
        assertThat(r.get(0).identity()).isEqualTo("@example.com");
        assertThat(r.get(0).selector()).isEqualTo("rsa");
        assertThat(r.get(0).headerB()).hasSize(8).isEqualTo(r.get(0).signature().substring(0, 8));
    }

    @Test
    void producedHeaderIsFoldedRelaxedAndOverSigned() throws Exception {
        List<HeaderField> sigs = signer(rsa, "rsa").signatures(Message.parse(bytes(MSG)));
        String raw = sigs.get(0).raw();
        for (String line : raw.split("\r\n")) assertThat(line.length()).as(line).isLessThanOrEqualTo(78);
        assertThat(raw).contains("c=relaxed/relaxed;").contains("t=" + NOW.getEpochSecond() + ";").doesNotContain("x=");
        String h = java.util.Arrays.stream(sigs.get(0).value().replaceAll("\\s", "").split(";")).filter(t -> t.startsWith("h=")).findFirst().orElseThrow().substring(2);
        assertThat(h.split(":")).containsSubsequence("from", "from").containsSubsequence("subject", "subject").containsSubsequence("to", "to")
                .containsSubsequence("date", "date").containsSubsequence("message-id", "message-id");
        // over-signing: a second From added after signing breaks the signature
        byte[] signed = signer(rsa, "rsa").sign(bytes(MSG));
        byte[] added = bytes(str(signed).replace("Subject: hi", "From: Mallory <m@evil.test>\r\nSubject: hi"));
        assertThat(verifier(dns()).verify(added).get(0).status()).isEqualTo(Status.FAIL);
    }

    @Test
    void signerRefusesMessageWithoutFrom() {
        assertThatThrownBy(() -> signer(rsa, "rsa").sign(bytes("To: a@example.org\r\n\r\nbody\r\n"))).isInstanceOf(DkimSigner.DkimSigningException.class)
                .hasMessageContaining("From");
        assertThatThrownBy(() -> signer(rsa, "rsa").identity("@other.test").sign(bytes(MSG))).isInstanceOf(DkimSigner.DkimSigningException.class);
    }

    @Test
    void expiryAndFutureTimestamps() throws Exception {
        byte[] valid = signer(rsa, "rsa").expiry(Duration.ofDays(7)).sign(bytes(MSG));
        assertThat(str(valid)).contains("x=" + (NOW.getEpochSecond() + 7 * 86400));
        assertThat(verifier(dns()).verify(valid).get(0).isPass()).isTrue();
        DkimVerifier later = new DkimVerifier(dns(), Clock.fixed(NOW.plus(Duration.ofDays(8)), ZoneOffset.UTC), Duration.ofMinutes(5));
        DkimResult expired = later.verify(valid).get(0);
        assertThat(expired.status()).isEqualTo(Status.PERMERROR);
        assertThat(expired.reason()).contains("expired");

        byte[] future = new DkimSigner(new DkimSigner.Key("example.com", "rsa", rsa)).clock(Clock.fixed(NOW.plusSeconds(3600), ZoneOffset.UTC)).sign(bytes(MSG));
        assertThat(verifier(dns()).verify(future).get(0).reason()).contains("future");
        byte[] slightlyAhead = new DkimSigner(new DkimSigner.Key("example.com", "rsa", rsa)).clock(Clock.fixed(NOW.plusSeconds(120), ZoneOffset.UTC)).sign(bytes(MSG));
        assertThat(verifier(dns()).verify(slightlyAhead).get(0).isPass()).as("within the clock skew allowance").isTrue();
    }

    @Test
    void bodyLengthIsVerifiedAndReported() throws Exception {
        byte[] signed = signer(rsa, "rsa").bodyLength(true).sign(bytes(MSG));
        DkimResult r = verifier(dns()).verify(signed).get(0);
        assertThat(r.isPass()).isTrue();
        assertThat(r.usedBodyLength()).isTrue();
        assertThat(r.bodyLength()).isEqualTo(7);
        // appended content is not covered by l= : still a pass, but reported
        DkimResult appended = verifier(dns()).verify(bytes(str(signed) + "P.S. appended by someone else\r\n")).get(0);
        assertThat(appended.isPass()).isTrue();
        assertThat(appended.usedBodyLength()).isTrue();
        // l= beyond the body
        byte[] beyond = bytes(str(signed).replace("l=7;", "l=9999;"));
        assertThat(verifier(dns()).verify(beyond).get(0).reason()).contains("l=");
    }

    @Test
    void keyRecordRules() throws Exception {
        byte[] signed = signer(rsa, "rsa").sign(bytes(MSG));
        String p = rsa.dnsRecord().replaceAll(".*p=", "");
        assertThat(verify(signed, "v=DKIM1; k=rsa; p=").reason()).contains("revoked");
        assertThat(verify(signed, "v=DKIM1; k=rsa; s=tlsrpt; p=" + p).reason()).contains("not for email");
        assertThat(verify(signed, "v=DKIM1; k=rsa; s=email:tlsrpt; p=" + p).isPass()).isTrue();
        assertThat(verify(signed, "v=DKIM1; k=rsa; h=sha1; p=" + p).status()).isEqualTo(Status.PERMERROR);
        assertThat(verify(signed, "v=DKIM2; k=rsa; p=" + p).status()).isEqualTo(Status.PERMERROR);
        assertThat(verify(signed, "k=rsa; v=DKIM1; p=" + p).status()).as("v= must come first").isEqualTo(Status.PERMERROR);
        DkimResult testing = verify(signed, "v=DKIM1; k=rsa; t=y; p=" + p);
        assertThat(testing.isPass()).isTrue();
        assertThat(testing.testing()).isTrue();
        assertThat(verify(signed, "v=DKIM1; k=ed25519; p=" + p).status()).isEqualTo(Status.PERMERROR);
        assertThat(verify(signed, ed.dnsRecord()).reason()).contains("does not match");
        // 512-bit key of the ARC suite: too short (RFC 8301)
        byte[] weak = new DkimSigner(new DkimSigner.Key("example.com", "rsa", SigningKey.generateRsa(512))).clock(CLOCK).sign(bytes(MSG));
        assertThat(verify(weak, "v=DKIM1; k=rsa; p=" + SigningKey.generateRsa(512).dnsRecord().replaceAll(".*p=", "")).reason()).contains("too short");
        // an absurdly large key (only costs verification time)
        java.math.BigInteger n = new java.math.BigInteger(9000, new java.util.Random(1)).setBit(8999).setBit(0);
        java.security.PublicKey huge = java.security.KeyFactory.getInstance("RSA").generatePublic(new java.security.spec.RSAPublicKeySpec(n, java.math.BigInteger.valueOf(65537)));
        assertThat(verify(signed, "v=DKIM1; p=" + java.util.Base64.getEncoder().encodeToString(huge.getEncoded())).reason()).contains("too long");
        // DNS problems
        Map<String, Object> temp = records("x");
        temp.put("rsa._domainkey.example.com", List.of("TIMEOUT"));
        assertThat(verifier(MapDnsResolver.fromJson(temp)).verify(signed).get(0).status()).isEqualTo(Status.TEMPERROR);
        Map<String, Object> nx = records("x");
        nx.remove("rsa._domainkey.example.com");
        assertThat(verifier(MapDnsResolver.fromJson(nx)).verify(signed).get(0).status()).isEqualTo(Status.PERMERROR);
    }

    @Test
    void strictKeyFlagRequiresIdentityInExactDomain() throws Exception {
        String p = rsa.dnsRecord().replaceAll(".*p=", "");
        byte[] sub = new DkimSigner(new DkimSigner.Key("example.com", "rsa", rsa)).clock(CLOCK).identity("alice@mail.example.com").sign(bytes(MSG));
        assertThat(verify(sub, "v=DKIM1; p=" + p).isPass()).isTrue();
        assertThat(verify(sub, "v=DKIM1; t=s; p=" + p).reason()).contains("t=s");
        byte[] exact = new DkimSigner(new DkimSigner.Key("example.com", "rsa", rsa)).clock(CLOCK).identity("alice@example.com").sign(bytes(MSG));
        assertThat(verify(exact, "v=DKIM1; t=s; p=" + p).isPass()).isTrue();
    }

    @Test
    void signatureTagRules() throws Exception {
        String signed = str(signer(rsa, "rsa").sign(bytes(MSG)));
        assertThat(verifyText(signed.replace("DKIM-Signature: v=1;", "DKIM-Signature: v=1; i=@other.test;")).reason()).contains("i=");
        assertThat(verifyText(signed.replace("a=rsa-sha256", "a=rsa-sha1")).reason()).contains("RFC 8301");
        assertThat(verifyText(signed.replace("v=1;", "v=1; v=1;")).reason()).contains("syntax");
        assertThat(verifyText(signed.replace("d=example.com", "d=exa(mple.com")).reason()).contains("d=");
        assertThat(verifyText(signed.replaceFirst("h=[^;]*;", "h=to:subject;")).reason()).contains("From");
        assertThat(verifyText(signed.replace("c=relaxed/relaxed", "c=relaxed/fancy")).reason()).contains("canonicalization");
        assertThat(verifyText(signed.replace("v=1;", "")).reason()).contains("v=");
        // h= listing a field more often than present signs its absence: adding one breaks the signature
        assertThat(verifyText(signed.replace("\r\n\r\nHello", "\r\nCc: eve@evil.test\r\n\r\nHello")).isPass()).as("Cc is not in h=").isTrue();
        assertThat(verifyText(signed.replace("\r\n\r\nHello", "\r\nTo: eve@evil.test\r\n\r\nHello")).status()).isEqualTo(Status.FAIL);
    }

    @Test
    void lfLineEndsAreCanonicalizedLikeCrlf() throws Exception {
        byte[] signed = signer(ed, "ed").canonicalization(Canonicalization.SIMPLE, Canonicalization.SIMPLE).sign(bytes(MSG));
        assertThat(verifier(dns()).verify(bytes(str(signed).replace("\r\n", "\n"))).get(0).isPass()).isTrue();
    }

    @Test
    void noSignatureGivesNoResults() {
        assertThat(verifier(dns()).verify(bytes(MSG))).isEmpty();
    }

    private DkimResult verify(byte[] signed, String rsaRecord) {
        return verifier(MapDnsResolver.fromJson(records(rsaRecord))).verify(signed).get(0);
    }

    private DkimResult verifyText(String signed) {
        return verifier(dns()).verify(bytes(signed)).get(0);
    }
}
