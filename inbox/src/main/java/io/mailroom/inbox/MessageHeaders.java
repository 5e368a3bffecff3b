package io.mailroom.inbox;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import io.mailroom.mailauth.message.HeaderField;
import io.mailroom.mailauth.message.HeaderSection;
import io.mailroom.mailauth.message.Message;

/**
 * The header section of a message as raw fields (RFC 5322 §2.2), with the body kept as bytes.
 * Fields keep their exact bytes (ISO-8859-1 round trip), so DKIM signatures over untouched
 * fields stay valid. Expects CRLF line ends (what {@code SmtpDataReader} produces).
 */
public final class MessageHeaders {
    /** One field: its name and the raw text including folding, without the final CRLF. */
    public record Field(String name, String raw) {
        /** The unfolded value after the colon, trimmed. */
        public String value() {
            int colon = raw.indexOf(':');
            return raw.substring(colon + 1).replace("\r\n", "").trim();
        }

        public boolean named(String n) {
            return name.equalsIgnoreCase(n);
        }
    }

    private final List<Field> fields;
    private final byte[] body; // from the empty line on (may be empty)

    private MessageHeaders(List<Field> fields, byte[] body) {
        this.fields = fields;
        this.body = body;
    }

    /**
     * Splits a message whose header section {@link HeaderSection} found to have one reading. The
     * fields are mailauth's ({@link Message#parse}), so the fields we remove (forged
     * Authentication-Results, X-Spam-*) are the ones DKIM, ARC and DMARC saw and Dovecot will see.
     */
    public static MessageHeaders parse(byte[] message) {
        Message m = Message.parse(message);
        List<Field> fields = new ArrayList<>(m.headers().size());
        for (HeaderField h : m.headers()) {
            String raw = h.raw();
            fields.add(new Field(h.name(), raw.endsWith("\r\n") ? raw.substring(0, raw.length() - 2) : raw));
        }
        byte[] body = m.bodyView();
        if (body.length == 0) {
            return new MessageHeaders(fields, body);
        }
        byte[] withSeparator = new byte[body.length + 2]; // from the empty line on
        withSeparator[0] = '\r';
        withSeparator[1] = '\n';
        System.arraycopy(body, 0, withSeparator, 2, body.length);
        return new MessageHeaders(fields, withSeparator);
    }

    /**
     * The number of header fields as {@link #parse} would find them, counting no further than
     * {@code limit + 1}: a cheap check before anything builds objects per field.
     */
    public static int countFields(byte[] message, int limit) {
        int count = 0;
        int pos = 0;
        while (pos < message.length && count <= limit) {
            int eol = indexOfCrlf(message, pos);
            int end = eol < 0 ? message.length : eol;
            if (end == pos) {
                break;
            }
            if (message[pos] != ' ' && message[pos] != '\t') {
                int colon = pos;
                while (colon < end && message[colon] != ':') {
                    colon++;
                }
                int nameEnd = colon;
                while (nameEnd > pos && (message[nameEnd - 1] == ' ' || message[nameEnd - 1] == '\t')) {
                    nameEnd--;
                }
                boolean name = colon < end && nameEnd > pos;
                for (int i = pos; name && i < nameEnd; i++) {
                    name = message[i] >= 33 && message[i] <= 126;
                }
                if (name) {
                    count++; // else not a field: Message.parse skips the line (HeaderSection refuses it)
                }
            }
            pos = eol < 0 ? message.length : eol + 2;
        }
        return count;
    }

    private static Field field(String raw) {
        return new Field(raw.substring(0, raw.indexOf(':')).trim(), raw);
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int i = from; i < b.length - 1; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    public List<Field> fields() {
        return List.copyOf(fields);
    }

    public List<Field> all(String name) {
        return fields.stream().filter(f -> f.named(name)).toList();
    }

    public String first(String name) {
        return fields.stream().filter(f -> f.named(name)).map(Field::value).findFirst().orElse(null);
    }

    /** Removes matching fields; returns how many were removed. */
    public int removeIf(Predicate<Field> p) {
        int before = fields.size();
        fields.removeIf(p);
        return before - fields.size();
    }

    /** Adds a field on top (trace and authentication fields go first, RFC 5321 §4.4, RFC 8601 §4). */
    public void prepend(String name, String value) {
        fields.add(0, new Field(name, name + ": " + value));
    }

    /** Adds a complete field text (may be folded, without final CRLF) on top. */
    public void prependRaw(String raw) {
        String r = raw.endsWith("\r\n") ? raw.substring(0, raw.length() - 2) : raw;
        fields.add(0, field(r));
    }

    public void replace(String name, String value) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).named(name)) {
                fields.set(i, new Field(name, name + ": " + value));
                return;
            }
        }
        fields.add(new Field(name, name + ": " + value));
    }

    public byte[] body() {
        return body;
    }

    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 64 * fields.size());
        for (Field f : fields) {
            out.writeBytes(f.raw().getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        if (body.length == 0) {
            out.writeBytes(new byte[] {'\r', '\n'});
        } else {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
