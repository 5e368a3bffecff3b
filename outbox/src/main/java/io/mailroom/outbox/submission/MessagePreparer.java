package io.mailroom.outbox.submission;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Turns a submitted message into the one that leaves (RFC 6409 §8): {@code Bcc:} and
 * {@code Resent-Bcc:} removed, {@code Date} and {@code Message-ID} added when missing, a
 * {@code Received} trace field on top. The trace field carries no {@code for} clause, which
 * would reveal a Bcc recipient.
 */
public final class MessagePreparer {
    private static final DateTimeFormatter RFC5322 = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

    /** A header field: its name and the raw bytes of the whole field, continuation lines and CRLF included. */
    public record Field(String name, byte[] raw) {
        public String value() {
            String s = new String(raw, StandardCharsets.UTF_8);
            int colon = s.indexOf(':');
            return s.substring(colon + 1).replaceAll("\r\n[ \t]", " ").trim();
        }
    }

    /** The parsed header section and the body offset. */
    public record Parsed(List<Field> fields, int bodyOffset) {
        public List<Field> all(String name) {
            return fields.stream().filter(f -> f.name().equalsIgnoreCase(name)).toList();
        }
    }

    /** Splits the header section into fields; a line without a colon outside continuation ends it (treated as body). */
    public static Parsed parse(byte[] msg) {
        List<Field> fields = new ArrayList<>();
        int i = 0;
        int start = -1;
        String name = null;
        while (i < msg.length) {
            int eol = indexOfLf(msg, i);
            int next = eol < 0 ? msg.length : eol + 1;
            boolean blank = next - i <= 2 && (msg[i] == '\r' || msg[i] == '\n');
            if (blank) {
                if (start >= 0) {
                    fields.add(new Field(name, java.util.Arrays.copyOfRange(msg, start, i)));
                }
                return new Parsed(fields, next);
            }
            boolean continuation = msg[i] == ' ' || msg[i] == '\t';
            if (!continuation) {
                if (start >= 0) {
                    fields.add(new Field(name, java.util.Arrays.copyOfRange(msg, start, i)));
                }
                int colon = -1;
                for (int k = i; k < next; k++) {
                    if (msg[k] == ':') {
                        colon = k;
                        break;
                    }
                }
                if (colon < 0) {
                    // not a header line: the header section ends here without a blank line
                    return new Parsed(fields, i);
                }
                name = new String(msg, i, colon - i, StandardCharsets.US_ASCII).trim();
                start = i;
            } else if (start < 0) {
                return new Parsed(fields, i);
            }
            i = next;
        }
        if (start >= 0) {
            fields.add(new Field(name, java.util.Arrays.copyOfRange(msg, start, msg.length)));
        }
        return new Parsed(fields, msg.length);
    }

    /** The addresses of the From: fields (RFC 5322 §3.6.2); empty when there is none or one cannot be parsed. */
    public static List<String> fromAddresses(Parsed p) {
        List<String> a = addresses(p, "From");
        return a == null ? List.of() : a;
    }

    /**
     * The addresses of every field with this name (From, Sender, ...); null when one of them cannot
     * be parsed strictly or holds an {@code @} outside the addresses found (e.g. text after an
     * angle address): another program may read an address there that the sender check never saw.
     */
    public static List<String> addresses(Parsed p, String name) {
        List<String> out = new ArrayList<>();
        for (Field f : p.all(name)) {
            String v = f.value();
            try {
                int found = 0;
                for (InternetAddress a : InternetAddress.parseHeader(v, true)) {
                    // a group (RFC 6854 allows one in From) stands for its members
                    for (InternetAddress m : a.isGroup() ? a.getGroup(true) : new InternetAddress[] {a}) {
                        out.add(m.getAddress());
                        found++;
                    }
                }
                if (atSigns(v) != found) {
                    return null;
                }
            } catch (AddressException e) {
                return null;
            }
        }
        return out;
    }

    /** Counts {@code @} outside quoted strings and comments: one per address of a well-formed field. */
    private static int atSigns(String v) {
        int n = 0;
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\' && (quoted || depth > 0)) {
                i++;
            } else if (quoted) {
                quoted = c != '"';
            } else if (depth > 0) {
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            } else if (c == '"') {
                quoted = true;
            } else if (c == '(') {
                depth = 1;
            } else if (c == '@') {
                n++;
            }
        }
        return n;
    }

    /** The prepared message; {@code received} is the trace field to put on top (without CRLF). */
    public static byte[] prepare(byte[] msg, Parsed p, String hostname, String received) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(msg.length + 512);
        out.writeBytes((received + "\r\n").getBytes(StandardCharsets.UTF_8));
        boolean hasDate = false;
        boolean hasId = false;
        for (Field f : p.fields()) {
            if (f.name().equalsIgnoreCase("Bcc") || f.name().equalsIgnoreCase("Resent-Bcc")) {
                continue;
            }
            hasDate |= f.name().equalsIgnoreCase("Date");
            hasId |= f.name().equalsIgnoreCase("Message-ID");
            out.writeBytes(f.raw());
        }
        if (!hasDate) {
            out.writeBytes(("Date: " + RFC5322.format(ZonedDateTime.now()) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        if (!hasId) {
            out.writeBytes(("Message-ID: <" + UUID.randomUUID() + "@" + hostname + ">\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        if (p.bodyOffset() < msg.length) {
            out.write(msg, p.bodyOffset(), msg.length - p.bodyOffset());
        }
        return out.toByteArray();
    }

    private static int indexOfLf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
