package io.mailroom.mailauth.spf;

/** Ends an SPF evaluation with permerror or temperror (RFC 7208 §2.6.6, §2.6.7); internal control flow. */
abstract class SpfException extends RuntimeException {
    SpfException(String message) {
        super(message, null, false, false);
    }

    abstract SpfResult.Result result();

    static final class PermError extends SpfException {
        PermError(String message) {
            super(message);
        }

        @Override
        SpfResult.Result result() {
            return SpfResult.Result.PERMERROR;
        }
    }

    static final class TempError extends SpfException {
        TempError(String message) {
            super(message);
        }

        @Override
        SpfResult.Result result() {
            return SpfResult.Result.TEMPERROR;
        }
    }
}
