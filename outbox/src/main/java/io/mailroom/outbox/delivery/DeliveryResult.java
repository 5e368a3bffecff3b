package io.mailroom.outbox.delivery;

/**
 * What happened to one recipient in one attempt.
 *
 * @param status    enhanced status code for a DSN (e.g. {@code 5.1.1}, {@code 4.4.1})
 * @param reply     the server's reply or our own diagnostic
 * @param remoteMta the host that answered, or null
 */
public record DeliveryResult(Outcome outcome, String status, String reply, String remoteMta) {
    public enum Outcome { DELIVERED, DEFERRED, FAILED }

    /**
     * Longest reply kept. A peer may answer with 100 lines of 4 KB; the reply is stored with every
     * recipient in the spool state and in memory, and a DSN shows at most 900 characters anyway.
     */
    static final int MAX_REPLY = 1000;

    public DeliveryResult {
        if (reply != null && reply.length() > MAX_REPLY) {
            reply = reply.substring(0, MAX_REPLY - 3) + "...";
        }
    }

    public static DeliveryResult delivered(String reply, String mta) {
        return new DeliveryResult(Outcome.DELIVERED, "2.0.0", reply, mta);
    }

    public static DeliveryResult deferred(String status, String reply, String mta) {
        return new DeliveryResult(Outcome.DEFERRED, status, reply, mta);
    }

    public static DeliveryResult failed(String status, String reply, String mta) {
        return new DeliveryResult(Outcome.FAILED, status, reply, mta);
    }

    /** From an SMTP/LMTP reply: 2xx delivered, 4xx deferred, 5xx failed; the enhanced code from the text when present. */
    public static DeliveryResult of(io.mailroom.common.lmtp.SmtpReply r, String mta) {
        String text = r.toString();
        String enhanced = enhanced(r.text());
        if (r.positive()) {
            return delivered(text, mta);
        }
        if (r.transientFailure()) {
            return deferred(enhanced != null && enhanced.startsWith("4") ? enhanced : "4.0.0", text, mta);
        }
        return failed(enhanced != null && enhanced.startsWith("5") ? enhanced : "5.0.0", text, mta);
    }

    private static String enhanced(String text) {
        int sp = text.indexOf(' ');
        String first = sp < 0 ? text : text.substring(0, sp);
        return first.matches("[245]\\.\\d{1,3}\\.\\d{1,3}") ? first : null;
    }
}
