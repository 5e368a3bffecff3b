package io.mailroom.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collector against Maildir files that Dovecot renames or expunges while they are being saved. */
class MaildirCollectorTest {
    @TempDir
    Path root;

    @Test
    void filesMovedOrDeletedDuringTheWalkAreSavedOnceOrSkipped() throws IOException {
        Path md = root.resolve("example.test/frank/Maildir");
        for (String d : List.of("cur", "new", "tmp", ".Sent/cur", ".Sent/new")) {
            Files.createDirectories(md.resolve(d));
        }
        write(md.resolve("new/1.A.host"), "A");
        write(md.resolve("new/2.B.host"), "B");
        write(md.resolve("cur/3.C.host:2,"), "C");
        write(md.resolve("cur/4.D.host:2,"), "D");
        write(md.resolve("cur/5.E.host:2,S"), "E");
        write(md.resolve("tmp/6.F.host"), "half-written");
        write(md.resolve("dovecot-uidlist"), "3 V1 N6\n");
        write(md.resolve(".Sent/cur/7.G.host:2,S"), "G");
        write(md.resolve(".Sent/maildirfolder"), "");
        write(md.resolve("subscriptions"), "Sent\n");
        Files.createDirectories(root.resolve(".mailroom-restore-x/example.test/ghost/Maildir/new"));
        write(root.resolve(".mailroom-restore-x/example.test/ghost/Maildir/new/9.Z.host"), "staging");

        Map<String, String> saved = new LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        MaildirCollector.Totals t = new MaildirCollector(root).collect((member, size, content) -> {
            String body = new String(content.readNBytes((int) size), StandardCharsets.UTF_8);
            saved.put(member, body);
            order.add(member);
            if (member.endsWith("new/1.A.host")) {
                // as Dovecot does while we save A: B is seen (new -> cur), D gets a flag, E is expunged
                Files.move(md.resolve("new/2.B.host"), md.resolve("cur/2.B.host:2,S"));
                Files.move(md.resolve("cur/4.D.host:2,"), md.resolve("cur/4.D.host:2,F"));
                Files.delete(md.resolve("cur/5.E.host:2,S"));
            }
        });

        String p = "mail/example.test/frank/Maildir/";
        assertThat(saved).containsOnlyKeys(p + "new/1.A.host", p + "cur/2.B.host:2,S", p + "cur/3.C.host:2,",
                p + "cur/4.D.host:2,F", p + "dovecot-uidlist", p + ".Sent/cur/7.G.host:2,S", p + ".Sent/maildirfolder",
                p + "subscriptions");
        assertThat(saved.get(p + "cur/2.B.host:2,S")).isEqualTo("B");
        assertThat(saved.get(p + "cur/4.D.host:2,F")).isEqualTo("D");
        assertThat(t.messages()).isEqualTo(5);
        assertThat(t.mailboxes()).isEqualTo(1);
        assertThat(t.messageBytes()).isEqualTo(5);
        for (String member : saved.keySet()) {
            assertThat(ArchiveLayout.mailPath(member)).as(member).isPresent();
        }
    }

    @Test
    void layoutRefusesPathsOutsideTheMailRootAndKeyDirectory() {
        assertThat(ArchiveLayout.mailPath("mail/example.test/a/Maildir/cur/1.x:2,S")).isPresent();
        assertThat(ArchiveLayout.mailPath("mail/example.test/a/Maildir/.Sent/new/1.x")).isPresent();
        assertThat(ArchiveLayout.mailPath("mail/example.test/a/Maildir/cur/..")).isEmpty();
        assertThat(ArchiveLayout.mailPath("mail/../a/Maildir/cur/1")).isEmpty();
        assertThat(ArchiveLayout.mailPath("mail/example.test/../Maildir/cur/1")).isEmpty();
        assertThat(ArchiveLayout.mailPath("mail/example.test/a/Maildir/../cur/1")).isEmpty();
        assertThat(ArchiveLayout.mailPath("mail/example.test/a/Maildir/tmp/1")).isEmpty();
        assertThat(ArchiveLayout.mailPath("mail/example.test/a/Maildir/dovecot.index")).isEmpty();
        assertThat(ArchiveLayout.mailPath("/etc/passwd")).isEmpty();
        assertThat(ArchiveLayout.isKeyMember("keys/dkim/example.test/s1.key")).isTrue();
        assertThat(ArchiveLayout.isKeyMember("keys/ca/ca.key")).isTrue();
        assertThat(ArchiveLayout.isKeyMember("keys/dkim/../../x.key")).isFalse();
        assertThat(ArchiveLayout.isKeyMember("keys/controller.token")).isFalse();
    }

    private static void write(Path p, String s) throws IOException {
        Files.writeString(p, s);
    }
}
