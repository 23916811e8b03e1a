package dev.celeriac.cli.internal;

/** What a script can rely on: the exit status of every command. */
public final class ExitCodes {

    /** Done as asked. */
    public static final int OK = 0;

    /** The task waited for ended in FAILURE or REVOKED. */
    public static final int TASK_FAILED = 1;

    /** The command line itself is wrong (an unknown option, a missing argument). */
    public static final int USAGE = 2;

    /** What the command names does not exist (404). */
    public static final int NOT_FOUND = 3;

    /** The API refused the request as it stands (400, 409, 413, 422, 429). */
    public static final int REFUSED = 4;

    /** The key is missing, unknown (401), or its role may not do this (403). */
    public static final int UNAUTHORIZED = 5;

    /** The API, its broker or its database cannot be reached or did not answer (5xx, no connection). */
    public static final int UNAVAILABLE = 6;

    /** A wait ran out before the task finished. */
    public static final int TIMED_OUT = 7;

    private ExitCodes() {}

    /** The exit status for an answer the API gave with this HTTP status. */
    public static int forStatus(int status) {
        return switch (status) {
            case 401, 403 -> UNAUTHORIZED;
            case 404 -> NOT_FOUND;
            case 0 -> UNAVAILABLE;
            default -> status >= 500 ? UNAVAILABLE : REFUSED;
        };
    }
}
