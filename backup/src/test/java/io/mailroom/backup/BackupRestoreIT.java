package io.mailroom.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroom.common.store.DkimKeyInfo;
import io.mailroom.common.store.DomainRecord;
import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.ImapMailbox;
import io.mailroom.testkit.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole round trip on real Redis and Dovecot: accounts, aliases, a domain with DKIM keys, a CA
 * and mail delivered over LMTP are backed up (encrypted to a Bouncy Castle test key), the
 * installation is wiped, the archive restored, and users log in with the same passwords and read
 * the same messages over IMAP. Then a merge into the changed installation keeps what is newer.
 */
class BackupRestoreIT {
    @RegisterExtension
    static DovecotExtension mail = new DovecotExtension();

    @TempDir
    static Path work;

    static Installation inst;
    static TestPgpKeys pgp;

    @BeforeAll
    static void setUp() throws Exception {
        inst = new Installation(mail, work);
        pgp = TestPgpKeys.generate(work.resolve("pgp"), "backup");
    }

    @AfterAll
    static void tearDown() {
        inst.close();
    }

    @Test
    void wipedInstallationIsRestoredAndMergeKeepsNewerData() throws Exception {
        var store = inst.store;
        store.createDomain("example.test");
        store.createUser("alice@example.test", "alice's secret");
        store.createUser("bob@example.test", "bob's secret");
        store.createAlias("sales@example.test", "alice@example.test");
        store.setQuota("bob@example.test", "2G");
        String certPem = Files.readString(TestCertificates.selfSigned(work.resolve("cert"), "bob.example.test")
                .certificate());
        store.setCertificate("bob@example.test", certPem);
        KeyPair rsa = generate("RSA", 2048);
        KeyPair ed = generate("Ed25519", 0);
        inst.keys.write(inst.keys.dkimKey("example.test", "mr2026"), pem(rsa));
        inst.keys.write(inst.keys.dkimKey("example.test", "ed2026"), pem(ed));
        inst.keys.write(inst.keys.caCertificate(), certPem);
        inst.keys.write(inst.keys.caKey(), pem(generate("EC", 256)));
        store.updateDomain(store.requireDomain("example.test").withDkim(List.of(
                new DkimKeyInfo("mr2026", DkimKeyInfo.RSA_SHA256,
                        Base64.getEncoder().encodeToString(rsa.getPublic().getEncoded()), true, "2026-01-01T00:00:00Z"),
                new DkimKeyInfo("ed2026", DkimKeyInfo.ED25519_SHA256, "AAAA", true, "2026-01-01T00:00:00Z"))));

        for (int i = 0; i < 6; i++) {
            inst.deliver(i % 2 == 0 ? "alice@example.test" : "sales@example.test",
                    Installation.message("alice@example.test", "a" + i, "for alice, number " + i + "\r\n.dot line"));
        }
        inst.deliver("bob@example.test", Installation.message("bob@example.test", "b0", "for bob"));
        // reading the INBOX read-write moves mail from new/ to cur/, so both directories are backed up
        ImapMailbox.inbox(mail.dovecot().imapPort(), "bob@example.test", "bob's secret");
        Map<String, String> aliceBefore = inst.inbox("alice@example.test", "alice's secret");
        Map<String, String> bobBefore = inst.inbox("bob@example.test", "bob's secret");
        assertThat(aliceBefore).hasSize(6);
        assertThat(bobBefore).hasSize(1);
        DomainRecord domainBefore = store.requireDomain("example.test");
        Map<String, String> keysBefore = Installation.tree(inst.keys.root());
        String aliceHash = store.requireUser("alice@example.test").record().password();

        BackupSettings settings = pgp.applyTo(inst.settings);
        BackupJob.Report report = inst.job(settings).run();
        assertThat(report.succeeded()).isTrue();
        assertThat(report.archive().getFileName().toString()).endsWith(".tar.gz.gpg");
        assertThat(report.manifest().counts().messages()).isEqualTo(7);
        assertThat(report.manifest().counts().users()).isEqualTo(2);
        assertThat(report.manifest().counts().aliases()).isEqualTo(1);
        assertThat(report.manifest().counts().keyFiles()).isEqualTo(4);
        byte[] archive = Files.readAllBytes(report.archive());
        assertThat(new String(archive, StandardCharsets.ISO_8859_1))
                .as("the archive is encrypted").doesNotContain("for alice").doesNotContain("BLF-CRYPT")
                .doesNotContain("PRIVATE KEY");
        assertThat(archive[0] & 0xff).as("an OpenPGP packet (public-key encrypted session key)").isIn(0x84, 0x85, 0xc1);
        assertThat(inst.job(settings).verify(report.archive()).members()).hasSize(report.manifest().members().size());

        inst.wipe();
        assertThat(ImapMailbox.canLogin(mail.dovecot().imapPort(), "alice@example.test", "alice's secret")).isFalse();

        Restorer.Report restored = inst.job(settings).restore(report.archive(), false, false);
        assertThat(restored.messagesRestored()).isEqualTo(7);
        assertThat(restored.accounts().usersCreated()).isEqualTo(2);

        assertThat(store.requireUser("alice@example.test").record().password()).isEqualTo(aliceHash);
        assertThat(ImapMailbox.canLogin(mail.dovecot().imapPort(), "alice@example.test", "alice's secret")).isTrue();
        assertThat(ImapMailbox.canLogin(mail.dovecot().imapPort(), "alice@example.test", "wrong")).isFalse();
        assertThat(inst.inbox("alice@example.test", "alice's secret")).isEqualTo(aliceBefore);
        assertThat(inst.inbox("bob@example.test", "bob's secret")).isEqualTo(bobBefore);
        assertThat(store.resolveRecipient("sales@example.test").orElseThrow().mailbox().toString())
                .isEqualTo("alice@example.test");
        assertThat(store.requireDomain("example.test")).isEqualTo(domainBefore);
        assertThat(store.requireUser("bob@example.test").quotaRule()).isEqualTo("*:storage=2G");
        assertThat(store.certificate("bob@example.test")).contains(certPem);
        assertThat(Installation.tree(inst.keys.root())).isEqualTo(keysBefore);
        assertThat(inst.keys.read(inst.keys.dkimKey("example.test", "mr2026"))).contains(pem(rsa));
        assertThat(Files.getPosixFilePermissions(inst.keys.dkimKey("example.test", "mr2026")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        // the restored mailbox takes new mail
        inst.deliver("alice@example.test", Installation.message("alice@example.test", "after", "after restore"));
        assertThat(inst.inbox("alice@example.test", "alice's secret")).hasSize(7);

        // merge into the changed installation: the new password and the new message stay, nothing doubles
        store.setPassword("alice@example.test", "alice's new secret");
        Restorer.Report merged = inst.job(settings).restore(report.archive(), true, false);
        assertThat(merged.messagesRestored()).isZero();
        assertThat(merged.messagesKept()).isEqualTo(7);
        assertThat(merged.accounts().usersKept()).isEqualTo(2);
        assertThat(ImapMailbox.canLogin(mail.dovecot().imapPort(), "alice@example.test", "alice's new secret"))
                .isTrue();
        Map<String, String> aliceAfter = inst.inbox("alice@example.test", "alice's new secret");
        assertThat(aliceAfter).hasSize(7).containsAllEntriesOf(aliceBefore);

        // a merge restores what is missing, and --overwrite-accounts brings back the archived password
        store.deleteUser("bob@example.test");
        Installation.deleteChildren(inst.mailRoot.resolve("example.test").resolve("bob"));
        Restorer.Report overwrite = inst.job(settings).restore(report.archive(), true, true);
        assertThat(overwrite.messagesRestored()).isEqualTo(1);
        assertThat(overwrite.accounts().usersCreated()).isEqualTo(1);
        assertThat(overwrite.accounts().usersOverwritten()).isEqualTo(1);
        assertThat(ImapMailbox.canLogin(mail.dovecot().imapPort(), "alice@example.test", "alice's secret")).isTrue();
        assertThat(inst.inbox("bob@example.test", "bob's secret")).isEqualTo(bobBefore);
        assertThat(inst.inbox("alice@example.test", "alice's secret")).isEqualTo(aliceAfter);
    }

    static KeyPair generate(String algorithm, int size) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
        if (size > 0) {
            g.initialize(size);
        }
        return g.generateKeyPair();
    }

    static String pem(KeyPair kp) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(kp.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }
}
