package io.mailroom.common.smtp;

import io.mailroom.common.smtp.SmtpServerSettings.BareLineEndPolicy;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads the content of DATA (RFC 5321 §4.1.1.4) so that SMTP smuggling is impossible: data ends
 * ONLY at {@code <CRLF>.<CRLF>} — a dot line after or before a bare LF or bare CR
 * ({@code \n.\n}, {@code \n.\r\n}, {@code \r.\r}, {@code \r\n.\r}, {@code \r\n.\n}) never ends it.
 * Bare CR/LF inside the content are refused or normalised to CRLF (policy), so what is delivered
 * never contains a line end that a downstream server could read differently.
 *
 * <p>SubEthaSMTP's own DotTerminatedInputStream is not used: it is the library's piece we cannot
 * audit as easily as these hundred lines, and it lets bare line ends through to the message.
 *
 * <p>Reads byte by byte from the session's buffered stream and never past the end-of-data line,
 * so pipelined commands that follow stay in the stream for the command loop.
 */
public final class SmtpDataReader {

    /** Why a message was refused after its end of data was found. */
    public enum Violation { NONE, BARE_LINE_END, LINE_TOO_LONG, TOO_BIG }

    /**
     * The outcome of one DATA transfer.
     *
     * @param message   the un-dot-stuffed content with CRLF line ends (empty if refused)
     * @param violation what was wrong, if anything
     */
    public record Result(byte[] message, Violation violation) {
        public boolean accepted() {
            return violation == Violation.NONE;
        }
    }

    /** The client sent more than we are willing to read to find the end, or took too long. */
    public static final class AbortException extends IOException {
        private final int code;
        private final String text;

        AbortException(int code, String text) {
            super(code + " " + text);
            this.code = code;
            this.text = text;
        }

        /** The reply code to send before closing the connection. */
        public int code() {
            return code;
        }

        /** The reply text (with its enhanced status code). */
        public String text() {
            return text;
        }
    }

    private static final int CR = '\r';
    /**
     * Bytes between two checks of the hard cap and the clock: few enough that a client trickling
     * one byte per read timeout overruns the time limit by at most this many reads.
     */
    private static final int CHECK_EVERY = 64;
    private static final int LF = '\n';

    private final int maxSize;
    private final int maxLineLength;
    private final long maxNanos;
    private final long hardCap;
    private final BareLineEndPolicy policy;

    public SmtpDataReader(int maxSize, int maxLineLength, java.time.Duration maxDuration, BareLineEndPolicy policy) {
        this.maxSize = maxSize;
        this.maxLineLength = maxLineLength;
        this.maxNanos = maxDuration.toNanos();
        // after a violation we keep reading to find the real end, but not forever
        this.hardCap = 2L * maxSize + 1024 * 1024;
        this.policy = policy;
    }

    public static SmtpDataReader of(SmtpServerSettings s) {
        return new SmtpDataReader(s.maxMessageSize(), s.maxLineLength(), s.maxDataDuration(), s.bareLineEnds());
    }

    /**
     * Reads up to and including the end-of-data line.
     *
     * @throws EOFException   the client closed the connection before the end of data
     * @throws AbortException too much data or too slow; the caller replies and closes
     */
    public Result read(InputStream in) throws IOException {
        long start = System.nanoTime();
        byte[] out = new byte[8192];
        int outLen = 0;
        long total = 0;
        long nextCheck = CHECK_EVERY;
        Violation violation = Violation.NONE;
        // the DATA command line itself ended with CRLF, so the first line starts "after CRLF"
        boolean afterCrlf = true;
        int lineStart = 0;    // offset of the current line in out
        int lineLen = 0;      // bytes of the current line seen so far (stored or not)
        int first = -1;       // first byte of the current line
        int pending = -1;     // a byte read ahead after a CR
        while (true) {
            int b = pending >= 0 ? pending : in.read();
            pending = -1;
            if (b < 0) {
                throw new EOFException("connection closed during DATA");
            }
            total++;
            // not "total % 4096 == 0": a CRLF adds two, so data of empty lines never hit a multiple
            if (total >= nextCheck) {
                nextCheck = total + CHECK_EVERY;
                if (total > hardCap) {
                    throw new AbortException(552, "5.3.4 Message far too big, closing connection");
                }
                if (System.nanoTime() - start > maxNanos) {
                    throw new AbortException(421, "4.4.2 DATA took too long, closing connection");
                }
            }
            boolean lineEnd;
            boolean crlf;
            if (b == CR) {
                int next = in.read();
                if (next == LF) {
                    total++;
                    lineEnd = true;
                    crlf = true;
                } else {
                    if (next < 0) {
                        throw new EOFException("connection closed during DATA");
                    }
                    pending = next;
                    lineEnd = true;
                    crlf = false;
                }
            } else if (b == LF) {
                lineEnd = true;
                crlf = false;
            } else {
                if (lineLen == 0) {
                    first = b;
                }
                lineLen++;
                if (lineLen > maxLineLength && violation == Violation.NONE) {
                    violation = Violation.LINE_TOO_LONG;
                }
                if (violation == Violation.NONE) {
                    if (outLen >= maxSize) {
                        violation = Violation.TOO_BIG;
                        outLen = 0;
                    } else {
                        if (outLen == out.length) {
                            out = Arrays.copyOf(out, grow(out.length));
                        }
                        out[outLen++] = (byte) b;
                    }
                }
                continue;
            }
            // a line ended
            if (lineEnd && crlf && afterCrlf && lineLen == 1 && first == '.') {
                outLen = lineStart; // drop the terminating dot line
                if (violation != Violation.NONE) {
                    return new Result(new byte[0], violation);
                }
                return new Result(Arrays.copyOf(out, outLen), Violation.NONE);
            }
            if (!crlf && violation == Violation.NONE && policy == BareLineEndPolicy.REJECT) {
                violation = Violation.BARE_LINE_END;
            }
            afterCrlf = crlf;
            if (violation == Violation.NONE) {
                if (lineLen > 0 && first == '.') {
                    // dot-unstuffing (RFC 5321 §4.5.2): drop the first character of the line
                    System.arraycopy(out, lineStart + 1, out, lineStart, outLen - lineStart - 1);
                    outLen--;
                }
                if (outLen + 2 > maxSize) {
                    violation = Violation.TOO_BIG;
                } else {
                    if (outLen + 2 > out.length) {
                        out = Arrays.copyOf(out, grow(out.length));
                    }
                    out[outLen++] = CR;
                    out[outLen++] = LF;
                }
            }
            if (violation != Violation.NONE) {
                outLen = 0;
            }
            lineStart = outLen;
            lineLen = 0;
            first = -1;
        }
    }

    private int grow(int current) {
        return (int) Math.min((long) current * 2 + 2, (long) maxSize + 2);
    }
}
