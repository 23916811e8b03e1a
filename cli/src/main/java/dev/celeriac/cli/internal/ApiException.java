package dev.celeriac.cli.internal;

/** An answer of the API other than 2xx, or none: its status (0 for none), problem type and detail. */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String type;

    public ApiException(int status, String type, String detail) {
        super(detail);
        this.status = status;
        this.type = type;
    }

    public int status() {
        return status;
    }

    /** The problem's type, such as {@code https://celeriac.dev/problems/unknown-task}, or {@code null}. */
    public String type() {
        return type;
    }

    /** The exit status that says what went wrong. */
    public int exitCode() {
        return ExitCodes.forStatus(status);
    }
}
