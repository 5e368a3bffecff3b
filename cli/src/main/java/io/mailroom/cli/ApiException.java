package io.mailroom.cli;

/** A failed API call: the HTTP status (0 when the Controller could not be reached) and a one-line message. */
public class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** The exit code the CLI documents for this failure. */
    public int exitCode() {
        return switch (status) {
            case 400, 405, 413, 415 -> ExitCodes.INVALID;
            case 404 -> ExitCodes.NOT_FOUND;
            case 409 -> ExitCodes.CONFLICT;
            case 401, 403 -> ExitCodes.AUTH;
            default -> ExitCodes.SERVER;
        };
    }
}
