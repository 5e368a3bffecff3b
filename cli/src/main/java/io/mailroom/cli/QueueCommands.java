package io.mailroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code mailroom-cli queue ...}: the Outbox's delivery queue, through the Controller. */
@Command(name = "queue", description = "List and manage the Outbox's delivery queue",
        subcommands = {QueueCommands.ListQueue.class, QueueCommands.Show.class, QueueCommands.Hold.class,
                QueueCommands.Release.class, QueueCommands.Retry.class, QueueCommands.Drop.class,
                QueueCommands.Bounce.class})
class QueueCommands implements Runnable {
    @ParentCommand
    MailroomCli root;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this),
                "a queue command is required: list, show, hold, release, retry, drop, bounce");
    }

    /** Which messages: ids and filters, all of which must hold (mox's queue filters). */
    static class Selection {
        @Parameters(paramLabel = "ID", arity = "0..*", description = "queue ids")
        List<String> ids = new ArrayList<>();
        @Option(names = "--sender", paramLabel = "TEXT", description = "envelope sender contains TEXT (e.g. @example.com)")
        String sender;
        @Option(names = "--domain", paramLabel = "DOMAIN", description = "a pending recipient is in DOMAIN")
        String domain;
        @Option(names = "--older-than", paramLabel = "AGE", description = "queued at least AGE ago (30m, 2h, 3d)")
        String olderThan;
        @Option(names = "--newer-than", paramLabel = "AGE", description = "queued less than AGE ago")
        String newerThan;
        @Option(names = "--held", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
                description = "on hold (or not, with --held=false)")
        Boolean held;

        String query() {
            List<String> q = new ArrayList<>();
            ids.forEach(i -> q.add("id=" + ApiClient.segment(i)));
            add(q, "sender", sender);
            add(q, "domain", domain);
            add(q, "older-than", olderThan);
            add(q, "newer-than", newerThan);
            add(q, "held", held == null ? null : held.toString());
            return q.isEmpty() ? "" : "?" + String.join("&", q);
        }

        private static void add(List<String> q, String k, String v) {
            if (v != null && !v.isBlank()) {
                q.add(k + "=" + ApiClient.segment(v));
            }
        }
    }

    abstract static class Sub implements Callable<Integer> {
        @ParentCommand
        QueueCommands queue;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        MailroomCli.Output output;

        boolean json() {
            return (output.format != null ? output.format : queue.root.format) == MailroomCli.Format.json;
        }

        ApiClient client() {
            return queue.root.client();
        }

        int print(JsonNode n, String text) {
            PrintWriter out = spec.commandLine().getOut();
            if (json()) {
                try {
                    out.println(MailroomCli.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            } else {
                out.println(text);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", description = "List queued messages, oldest first")
    static class ListQueue extends Sub {
        @Mixin
        Selection selection;

        @Override
        public Integer call() {
            JsonNode n = client().get("queue" + selection.query());
            Instant now = Instant.now();
            StringBuilder sb = new StringBuilder(String.format("%-26s %-7s %-5s %-30s %s%n", "ID", "AGE", "HELD",
                    "SENDER", "PENDING RECIPIENTS"));
            for (JsonNode m : n.path("items")) {
                List<String> pending = new ArrayList<>();
                for (JsonNode r : m.path("recipients")) {
                    if ("PENDING".equals(r.path("status").asText())) {
                        pending.add(r.path("address").asText());
                    }
                }
                sb.append(String.format("%-26s %-7s %-5s %-30s %s%n", m.path("id").asText(),
                        age(Duration.between(Instant.parse(m.path("arrival").asText()), now)),
                        m.path("held").asBoolean() ? "yes" : "no",
                        m.path("sender").asText().isEmpty() ? "<>" : m.path("sender").asText(), String.join(", ", pending)));
            }
            sb.append(String.format("(%d queued messages)", n.path("items").size()));
            return print(n, sb.toString());
        }
    }

    @Command(name = "show", description = "Show a queued message with each recipient's attempts and replies")
    static class Show extends Sub {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            JsonNode m = client().get("queue/" + ApiClient.segment(id));
            StringBuilder sb = new StringBuilder();
            sb.append("id:           ").append(m.path("id").asText()).append('\n')
                    .append("sender:       ").append(m.path("sender").asText().isEmpty() ? "<>" : m.path("sender").asText())
                    .append('\n')
                    .append("arrival:      ").append(m.path("arrival").asText()).append('\n')
                    .append("next attempt: ").append(m.path("nextAttempt").asText("-")).append('\n')
                    .append("held:         ").append(m.path("held").asBoolean() ? "yes" : "no").append('\n')
                    .append("size:         ").append(m.path("size").asLong()).append(" bytes\n");
            for (JsonNode r : m.path("recipients")) {
                sb.append("recipient ").append(r.path("address").asText()).append(": ")
                        .append(r.path("status").asText().toLowerCase(java.util.Locale.ROOT))
                        .append(", ").append(r.path("attempts").asInt()).append(" attempts\n");
                for (JsonNode a : r.path("history")) {
                    sb.append("  ").append(a.path("at").asText()).append(' ').append(a.path("outcome").asText())
                            .append(a.hasNonNull("remoteMta") ? " " + a.get("remoteMta").asText() : "")
                            .append(": ").append(a.path("reply").asText("-")).append('\n');
                }
            }
            return print(m, sb.toString().stripTrailing());
        }
    }

    /** An operation on the selected messages; without any selection the Outbox refuses (exit 1). */
    abstract static class Operation extends Sub {
        @Mixin
        Selection selection;

        abstract String name();

        abstract String done();

        @Override
        public Integer call() {
            JsonNode n = client().post("queue/" + name() + selection.query(), null);
            int changed = n.path("changed").size();
            int busy = n.path("busy").size();
            String text = done() + " " + changed + " message" + (changed == 1 ? "" : "s")
                    + (busy == 0 ? "" : "; " + busy + " being delivered right now were left alone (run it again)");
            for (JsonNode id : n.path("changed")) {
                text += "\n  " + id.asText();
            }
            return print(n, text);
        }
    }

    @Command(name = "hold", description = "Stop delivery attempts until released")
    static class Hold extends Operation {
        String name() {
            return "hold";
        }

        String done() {
            return "held";
        }
    }

    @Command(name = "release", description = "End a hold; delivery goes on with the message's schedule")
    static class Release extends Operation {
        String name() {
            return "release";
        }

        String done() {
            return "released";
        }
    }

    @Command(name = "retry", description = "Try the selected messages now (releases a hold)")
    static class Retry extends Operation {
        String name() {
            return "retry";
        }

        String done() {
            return "scheduled now";
        }
    }

    @Command(name = "drop", description = "Remove the selected messages without telling the sender")
    static class Drop extends Operation {
        String name() {
            return "drop";
        }

        String done() {
            return "dropped";
        }
    }

    @Command(name = "bounce", description = "Give up on the selected messages: a failure DSN goes to each sender")
    static class Bounce extends Operation {
        String name() {
            return "bounce";
        }

        String done() {
            return "bounced";
        }
    }

    static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 120) {
            return s + "s";
        }
        if (s < 7200) {
            return s / 60 + "m";
        }
        if (s < 172_800) {
            return s / 3600 + "h";
        }
        return s / 86_400 + "d";
    }
}
