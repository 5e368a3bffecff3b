package io.mailroom.common.lmtp;

import java.io.IOException;
import java.io.OutputStream;

/** Writes message content for DATA (RFC 5321 §4.5.2): a leading "." doubled, a final CRLF ensured. */
public final class DotStuffing {
    private DotStuffing() {}

    /**
     * Writes the message dot-stuffed, ending with CRLF, but without the terminating {@code .CRLF}.
     *
     * @param message the message with CRLF line ends, not dot-stuffed
     */
    public static void write(OutputStream out, byte[] message) throws IOException {
        boolean lineStart = true;
        for (byte b : message) {
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = b == '\n';
        }
        if (!lineStart) {
            out.write('\r');
            out.write('\n');
        }
    }
}
