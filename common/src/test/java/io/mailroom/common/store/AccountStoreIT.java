package io.mailroom.common.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailroom.common.ConflictException;
import io.mailroom.common.InvalidInputException;
import io.mailroom.common.NotFoundException;
import io.mailroom.common.lmtp.LmtpClient;
import io.mailroom.common.lmtp.SmtpReply;
import io.mailroom.testkit.DovecotExtension;
import io.mailroom.testkit.ImapMailbox;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The account store against a real Redis, and the real Dovecot reading the same keys. */
class AccountStoreIT {
    @RegisterExtension
    static DovecotExtension mail = new DovecotExtension();

    static RedisConnections redis;
    static AccountStore store;

    @BeforeAll
    static void connect() {
        redis = RedisConnections.open(mail.redis().uri());
        store = new AccountStore(redis.dataSource(), new StoreSettings(mail.dovecot().mailRoot(), '+', 4));
    }

    @AfterAll
    static void disconnect() {
        redis.close();
    }

    @BeforeEach
    void clean() {
        mail.redis().flushAll();
        store.createDomain("example.test");
    }

    @Test
    void userCreatedInTheStoreLogsInToDovecot() {
        store.createUser("Alice@Example.TEST", "correct horse");
        int imap = mail.dovecot().imapPort();
        assertThat(ImapMailbox.canLogin(imap, "alice@example.test", "correct horse")).isTrue();
        assertThat(ImapMailbox.canLogin(imap, "alice@example.test", "wrong horse")).isFalse();
        assertThat(ImapMailbox.canLogin(imap, "nobody@example.test", "correct horse")).isFalse();
        assertThat(store.verifyPassword("alice@example.test", "correct horse")).isTrue();

        store.setPassword("alice@example.test", "battery staple");
        assertThat(ImapMailbox.canLogin(imap, "alice@example.test", "correct horse")).isFalse();
        assertThat(ImapMailbox.canLogin(imap, "alice@example.test", "battery staple")).isTrue();
    }

    @Test
    void disabledUserCannotLogInUntilEnabled() {
        store.createUser("bob@example.test", "correct horse");
        store.setDisabled("bob@example.test", true);
        int imap = mail.dovecot().imapPort();
        assertThat(ImapMailbox.canLogin(imap, "bob@example.test", "correct horse")).isFalse();
        assertThat(store.verifyPassword("bob@example.test", "correct horse")).isFalse();
        store.setDisabled("bob@example.test", false);
        assertThat(ImapMailbox.canLogin(imap, "bob@example.test", "correct horse")).isTrue();
    }

    @Test
    void aliasSubAddressAndCatchAllResolveToTheUser() {
        store.createUser("carol@example.test", "correct horse");
        store.createAlias("Sales@example.test", "carol@example.test");

        assertThat(store.resolveRecipient("carol@example.test")).get()
                .extracting(Recipient::via).isEqualTo(Recipient.Via.USER);
        Recipient alias = store.resolveRecipient("SALES@example.test").orElseThrow();
        assertThat(alias.mailbox().toString()).isEqualTo("carol@example.test");
        assertThat(alias.via()).isEqualTo(Recipient.Via.ALIAS);
        Recipient tagged = store.resolveRecipient("carol+lists@example.test").orElseThrow();
        assertThat(tagged.mailbox().toString()).isEqualTo("carol@example.test");
        assertThat(tagged.detail()).isEqualTo("lists");
        assertThat(store.resolveRecipient("sales+x@example.test").orElseThrow().mailbox().toString())
                .isEqualTo("carol@example.test");

        assertThat(store.resolveRecipient("unknown@example.test")).isEmpty();
        assertThat(store.resolveRecipient("carol@elsewhere.test")).isEmpty();
        assertThat(store.resolveRecipient("not an address")).isEmpty();

        store.setCatchAll("example.test", "carol@example.test");
        Recipient any = store.resolveRecipient("unknown@example.test").orElseThrow();
        assertThat(any.via()).isEqualTo(Recipient.Via.CATCH_ALL);
        assertThat(any.mailbox().toString()).isEqualTo("carol@example.test");
    }

    @Test
    void postmasterOfALocalDomainAlwaysReachesSomeone() {
        assertThat(store.resolveRecipient("postmaster@example.test")).isEmpty(); // no user yet: nobody to reach
        store.createUser("zoe@example.test", "correct horse");
        store.createUser("abe@example.test", "correct horse");
        Recipient first = store.resolveRecipient("PostMaster@example.test").orElseThrow();
        assertThat(first.via()).isEqualTo(Recipient.Via.POSTMASTER);
        assertThat(first.mailbox().toString()).isEqualTo("abe@example.test");
        store.createAlias("postmaster@example.test", "zoe@example.test");
        assertThat(store.resolveRecipient("postmaster@example.test").orElseThrow().mailbox().toString())
                .isEqualTo("zoe@example.test");
        assertThat(store.resolveRecipient("postmaster@elsewhere.test")).isEmpty();
    }

    @Test
    void messageDeliveredOverLmtpIsReadBackOverImap() throws Exception {
        store.createUser("dave@example.test", "correct horse");
        store.createAlias("info@example.test", "dave@example.test");
        String message = "From: sender@example.org\r\nTo: dave@example.test\r\nSubject: hello\r\n"
                + "Message-ID: <lmtp-1@example.org>\r\n\r\nfirst line\r\n.leading dot\r\n";
        String target = store.resolveRecipient("info@example.test").orElseThrow().mailbox().toString();
        List<SmtpReply> replies;
        try (LmtpClient lmtp = LmtpClient.connect("127.0.0.1", mail.dovecot().lmtpPort(), "test.example", 5000)) {
            replies = lmtp.deliver("sender@example.org", List.of(target, "ghost@example.test"),
                    message.getBytes(StandardCharsets.UTF_8));
            lmtp.quit();
        }
        assertThat(replies.get(0).code()).isEqualTo(250);
        assertThat(replies.get(1).code()).isEqualTo(550);

        List<byte[]> inbox = ImapMailbox.inbox(mail.dovecot().imapPort(), "dave@example.test", "correct horse");
        assertThat(inbox).hasSize(1);
        String got = new String(inbox.get(0), StandardCharsets.UTF_8);
        assertThat(got).contains("Subject: hello").contains("Message-ID: <lmtp-1@example.org>")
                .contains("\r\n.leading dot\r\n");
    }

    @Test
    void quotaIsStoredForDovecot() {
        store.createUser("erin@example.test", "correct horse");
        assertThat(store.setQuota("erin@example.test", "2g").quotaRule()).isEqualTo("*:storage=2G");
        assertThatThrownBy(() -> store.setQuota("erin@example.test", "lots")).isInstanceOf(InvalidInputException.class);
        assertThat(ImapMailbox.canLogin(mail.dovecot().imapPort(), "erin@example.test", "correct horse")).isTrue();
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        String before = mail.redis().command("DBSIZE");
        assertThatThrownBy(() -> store.createUser("not-an-address", "correct horse"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("not an email address");
        assertThatThrownBy(() -> store.createUser("frank@example.test", ""))
                .isInstanceOf(InvalidInputException.class).hasMessage("password is empty");
        assertThatThrownBy(() -> store.createUser("frank@unknown.test", "correct horse"))
                .isInstanceOf(NotFoundException.class).hasMessage("unknown domain unknown.test");
        assertThatThrownBy(() -> store.createUser("fr/ank@example.test", "correct horse"))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> store.createUser("frank+x@example.test", "correct horse"))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> store.createAlias("a@example.test", "nobody@example.test"))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> store.createDomain("localhost")).isInstanceOf(InvalidInputException.class);
        assertThat(mail.redis().command("DBSIZE")).isEqualTo(before);
    }

    @Test
    void duplicatesConflictAndDomainDeletionWaitsForItsUsers() {
        store.createUser("gina@example.test", "correct horse");
        assertThatThrownBy(() -> store.createUser("GINA@example.test", "other horse"))
                .isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> store.createAlias("gina@example.test", "gina@example.test"))
                .isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> store.createDomain("Example.Test")).isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> store.deleteDomain("example.test")).isInstanceOf(ConflictException.class);

        store.createAlias("g@example.test", "gina@example.test");
        store.setCatchAll("example.test", "gina@example.test");
        store.deleteUser("gina@example.test");
        assertThat(store.alias("g@example.test")).isEmpty();
        assertThat(store.requireDomain("example.test").catchAll()).isNull();
        assertThat(ImapMailbox.canLogin(mail.dovecot().imapPort(), "gina@example.test", "correct horse")).isFalse();
        store.deleteDomain("example.test");
        assertThat(store.isLocalDomain("example.test")).isFalse();
    }

    @Test
    void usersArePagedInAddressOrder() {
        for (String u : List.of("zed", "amy", "kim", "bea")) {
            store.createUser(u + "@example.test", "correct horse");
        }
        assertThat(store.users(null, 0, 2)).extracting(u -> u.address().localPart()).containsExactly("amy", "bea");
        assertThat(store.users("example.test", 2, 10)).extracting(u -> u.address().localPart())
                .containsExactly("kim", "zed");
        assertThat(store.countUsers()).isEqualTo(4);
    }

    @Test
    void lmtpRecipientWithALineBreakIsRefusedBeforeAnythingIsSent() throws Exception {
        store.createUser("hal@example.test", "correct horse");
        store.createUser("ida@example.test", "correct horse");
        byte[] message = "From: a@example.org\r\nSubject: smuggled\r\n\r\nbody\r\n".getBytes(StandardCharsets.UTF_8);
        try (LmtpClient lmtp = LmtpClient.connect("127.0.0.1", mail.dovecot().lmtpPort(), "test.example", 5000)) {
            assertThatThrownBy(() -> lmtp.deliver("a@example.org",
                    List.of("hal@example.test", "nobody@example.test>\r\nRCPT TO:<ida@example.test"), message))
                    .isInstanceOf(IllegalArgumentException.class);
            // the session is still in step: a clean delivery on it works
            assertThat(lmtp.deliver("a@example.org", List.of("hal@example.test"), message).get(0).code())
                    .isEqualTo(250);
            lmtp.quit();
        }
        assertThat(ImapMailbox.inbox(mail.dovecot().imapPort(), "ida@example.test", "correct horse")).isEmpty();
        assertThat(ImapMailbox.inbox(mail.dovecot().imapPort(), "hal@example.test", "correct horse")).hasSize(1);
    }

    @Test
    void aServerThatDoesNotSpeakLmtpIsAnIoError() throws Exception {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread peer = Thread.ofVirtual().start(() -> {
                try (java.net.Socket s = server.accept()) {
                    s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    s.getInputStream().read();
                } catch (java.io.IOException ignored) {
                    // the client closed first
                }
            });
            assertThatThrownBy(() -> LmtpClient.connect("127.0.0.1", server.getLocalPort(), "test.example", 5000))
                    .isInstanceOf(java.io.IOException.class).hasMessageContaining("malformed reply from LMTP server");
            peer.join(5000);
        }
    }

    @Test
    void aRefusalTakesAsLongForAnUnknownAddressAsForAWrongPassword() {
        // cost 10, the production default: a bcrypt takes tens of milliseconds, a Redis lookup well under one
        AccountStore real = new AccountStore(redis.dataSource(), new StoreSettings(mail.dovecot().mailRoot(), '+', 10));
        real.createUser("jan@example.test", "correct horse");
        real.setDisabled("jan@example.test", true);
        real.createUser("kai@example.test", "correct horse");
        real.verifyPassword("nobody@example.test", "warm up");
        long wrongPassword = medianNanos(() -> real.verifyPassword("kai@example.test", "wrong horse"));
        long unknown = medianNanos(() -> real.verifyPassword("nobody@example.test", "wrong horse"));
        long disabled = medianNanos(() -> real.verifyPassword("jan@example.test", "correct horse"));
        assertThat(unknown).as("unknown address vs wrong password (ns)").isGreaterThan(wrongPassword / 4);
        assertThat(disabled).as("disabled account vs wrong password (ns)").isGreaterThan(wrongPassword / 4);
        assertThat(real.verifyPassword("kai@example.test", "correct horse")).isTrue();
        assertThat(real.verifyPassword("nobody@example.test", "correct horse")).isFalse();
        assertThat(real.verifyPassword("jan@example.test", "correct horse")).isFalse();
    }

    static long medianNanos(java.util.function.BooleanSupplier check) {
        long[] t = new long[5];
        for (int i = 0; i < t.length; i++) {
            long start = System.nanoTime();
            assertThat(check.getAsBoolean()).isFalse();
            t[i] = System.nanoTime() - start;
        }
        java.util.Arrays.sort(t);
        return t[t.length / 2];
    }
}
