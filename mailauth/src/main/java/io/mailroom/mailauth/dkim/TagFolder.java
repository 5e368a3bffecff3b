package io.mailroom.mailauth.dkim;

/**
 * Lays out a signature field's tag list in lines of at most 78 characters (RFC 5322 §2.1.1),
 * folding between tags, between h= names and inside base64 values, where FWS is allowed.
 */
final class TagFolder {
    static final int MAX = 78;
    private final StringBuilder out = new StringBuilder(1024);
    private int col;

    TagFolder(String fieldName) {
        out.append(fieldName).append(':');
        col = fieldName.length() + 1;
    }

    /** Adds a token, preceded by {@code sep} when it stays on the current line. */
    TagFolder token(String sep, String text) {
        if (col + sep.length() + text.length() > MAX && col > 1) {
            newLine();
        } else {
            out.append(sep);
            col += sep.length();
        }
        out.append(text);
        col += text.length();
        return this;
    }

    TagFolder newLine() {
        out.append("\r\n ");
        col = 1;
        return this;
    }

    /** A complete tag "name=value;" where the value may be split at ':' (h=). */
    TagFolder listTag(String name, java.util.List<String> items, boolean last) {
        for (int k = 0; k < items.size(); k++) {
            String text = (k == 0 ? name + "=" : "") + items.get(k) + (k < items.size() - 1 ? ":" : (last ? "" : ";"));
            token(k == 0 ? " " : "", text);
        }
        return this;
    }

    /** Appends base64 data split to fill lines; the caller decides where the tag starts. */
    TagFolder base64(String value) {
        int i = 0;
        while (i < value.length()) {
            int room = MAX - col;
            if (room <= 0) {
                newLine();
                room = MAX - col;
            }
            int n = Math.min(room, value.length() - i);
            out.append(value, i, i + n);
            col += n;
            i += n;
        }
        return this;
    }

    String text() {
        return out.toString();
    }
}
