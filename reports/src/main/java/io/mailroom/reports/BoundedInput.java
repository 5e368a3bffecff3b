package io.mailroom.reports;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads a stream up to a limit and refuses what goes beyond it, so no stream is trusted for its length. */
final class BoundedInput {
    private BoundedInput() {}

    static byte[] read(InputStream in, long limit, String what) throws IOException, ReportException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > limit) {
                throw new ReportException(what + " is larger than " + limit + " bytes");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }
}
