package io.mailroom.cli;

/** The exit codes of mailroom-cli (also listed by {@code --help}). */
public final class ExitCodes {
    public static final int OK = 0;
    /** Wrong command line, or input the Controller refused (HTTP 400). */
    public static final int INVALID = 1;
    public static final int NOT_FOUND = 2;
    public static final int CONFLICT = 3;
    /** Missing or wrong token (HTTP 401/403). */
    public static final int AUTH = 4;
    /** The Controller failed or could not be reached. */
    public static final int SERVER = 5;

    private ExitCodes() {}
}
