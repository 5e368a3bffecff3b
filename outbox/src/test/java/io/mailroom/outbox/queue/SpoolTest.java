package io.mailroom.outbox.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpoolTest {
    static QueuedMessage message(String id) {
        return new QueuedMessage(id, "alice@example.test", "env1", "HDRS", false, false, 10, Instant.now(), Instant.now(),
                List.of(RecipientState.pending("a@example.net", "rfc822;A@example.net", "FAILURE,DELAY"),
                        RecipientState.pending("b@example.org", null, null)));
    }

    @Test
    void storedMessagesAndTheirLatestStateSurviveARestartAndLeftoversAreCleaned() throws Exception {
        Path dir = Files.createTempDirectory("spool");
        Spool spool = new Spool(dir);
        QueuedMessage m = message(Spool.newId());
        byte[] body = "Subject: x\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
        spool.store(m, body);
        QueuedMessage later = m.update(m.recipients().get(0), r -> r.delivered(Instant.now(), "250 ok", "mx.example.net"));
        spool.save(later);
        QueuedMessage other = message(Spool.newId());
        spool.store(other, body);
        Files.writeString(dir.resolve(".tmp-half-written.msg"), "partial");
        Files.writeString(dir.resolve("gone.json"), "{}");

        List<QueuedMessage> recovered = new Spool(dir).recover();
        assertThat(recovered).hasSize(2);
        QueuedMessage r = recovered.stream().filter(x -> x.id().equals(m.id())).findFirst().orElseThrow();
        assertThat(r.pending()).extracting(RecipientState::address).containsExactly("b@example.org");
        assertThat(r.recipients().get(0).orcpt()).isEqualTo("rfc822;A@example.net");
        assertThat(spool.message(m.id())).isEqualTo(body);
        assertThat(dir.resolve(".tmp-half-written.msg")).doesNotExist();
        assertThat(dir.resolve("gone.json")).doesNotExist();

        spool.remove(m.id());
        assertThat(new Spool(dir).recover()).extracting(QueuedMessage::id).containsExactly(other.id());
    }

    @Test
    void corruptOrTruncatedEntriesAreKeptAsideAndTheOthersRecovered() throws Exception {
        Path dir = Files.createTempDirectory("spool");
        Spool spool = new Spool(dir);
        QueuedMessage good = message(Spool.newId());
        spool.store(good, "Subject: x\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("0000000000001-000000000001", "");
        bad.put("0000000000001-000000000002", "null\n");
        bad.put("0000000000001-000000000003", "{\"id\":\"0000000000001-000000000003\",\"sen");
        bad.put("0000000000001-000000000004", "{\"id\":\"0000000000001-000000000004\",\"recipients\":[]}\nbody");
        bad.put("0000000000001-000000000005", "{\"id\":\"someone-else\",\"sender\":\"a@example.test\",\"arrival\":\"2024-01-01T00:00:00Z\","
                + "\"nextAttempt\":\"2024-01-01T00:00:00Z\",\"recipients\":[{\"address\":\"b@example.net\",\"status\":\"PENDING\"}]}\nbody");
        bad.put("0000000000001-000000000006", "{\"id\":\"0000000000001-000000000006\",\"sender\":\"a@example.test\",\"arrival\":\"2024-01-01T00:00:00Z\","
                + "\"nextAttempt\":\"2024-01-01T00:00:00Z\",\"recipients\":[{\"status\":\"PENDING\"}]}\nbody");
        for (var e : bad.entrySet()) {
            Files.writeString(dir.resolve(e.getKey() + ".msg"), e.getValue());
        }

        List<QueuedMessage> recovered = new Spool(dir).recover();
        assertThat(recovered).extracting(QueuedMessage::id).containsExactly(good.id());
        for (String id : bad.keySet()) {
            assertThat(dir.resolve(id + ".msg")).as(id).doesNotExist();
            assertThat(dir.resolve(id + ".msg.corrupt")).as(id).exists();
        }
    }

    @Test
    void retryScheduleRepeatsItsLastIntervalAndNotifyDefaults() {
        RetrySchedule s = new RetrySchedule(RetrySchedule.parseList("1m, 5m,PT1H"), RetrySchedule.parse("5d"),
                RetrySchedule.parse("4h"));
        assertThat(s.after(1)).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.after(2)).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.after(9)).isEqualTo(Duration.ofHours(1));
        assertThat(s.maxAge()).isEqualTo(Duration.ofDays(5));
        assertThat(RetrySchedule.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        RecipientState def = RecipientState.pending("a@example.net", null, null);
        assertThat(def.wants("FAILURE")).isTrue();
        assertThat(def.wants("DELAY")).isTrue();
        assertThat(def.wants("SUCCESS")).isFalse();
        assertThat(RecipientState.pending("a@example.net", null, "NEVER").wants("FAILURE")).isFalse();
        assertThat(RecipientState.pending("a@example.net", null, "SUCCESS").wants("SUCCESS")).isTrue();
    }
}
